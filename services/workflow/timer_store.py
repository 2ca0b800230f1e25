"""Durable SLA timers in PostgreSQL, claimed with SKIP LOCKED so any replica may fire them."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.workflow.tables import review_timers
from services.workflow.timers import Timer, TimerKind


async def put(conn: AsyncConnection, task_id: uuid.UUID, timer: Timer | None) -> None:
    """Make `timer` the task's pending timer (none: no timer), in the caller's transaction."""
    if timer is None:
        await conn.execute(review_timers.delete().where(review_timers.c.task_id == task_id))
        return
    values = {"kind": timer.kind.value, "fire_at": timer.fire_at, "revision": timer.revision,
              "attempts": 0}
    await conn.execute(
        insert(review_timers).values(task_id=task_id, **values)
        .on_conflict_do_update(index_elements=[review_timers.c.task_id], set_=values)
    )


async def claim_due(conn: AsyncConnection, now: datetime, limit: int) -> list[Timer]:
    """Due timers nobody else is firing, locked until the transaction ends."""
    rows = await conn.execute(
        sa.select(review_timers)
        .where(review_timers.c.fire_at <= now)
        .order_by(review_timers.c.fire_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [Timer(r.task_id, TimerKind(r.kind), r.fire_at, r.revision) for r in rows]


async def reclaim(conn: AsyncConnection, timer: Timer) -> bool:
    """Lock one claimed-before timer again; False if it is gone, changed or held elsewhere."""
    row = (await conn.execute(
        sa.select(review_timers.c.task_id).where(
            review_timers.c.task_id == timer.task_id, review_timers.c.kind == timer.kind.value,
            review_timers.c.revision == timer.revision,
        ).with_for_update(skip_locked=True)
    )).first()
    return row is not None


async def delete(conn: AsyncConnection, timer: Timer) -> None:
    """Remove a fired timer, unless the task has set a new one meanwhile."""
    await conn.execute(review_timers.delete().where(
        review_timers.c.task_id == timer.task_id, review_timers.c.kind == timer.kind.value,
        review_timers.c.revision == timer.revision,
    ))


async def postpone(conn: AsyncConnection, timer: Timer, to: datetime) -> None:
    """Try a failing timer again later instead of spinning on it."""
    await conn.execute(review_timers.update().where(
        review_timers.c.task_id == timer.task_id,
    ).values(fire_at=to, attempts=review_timers.c.attempts + 1))


async def next_fire_at(conn: AsyncConnection) -> datetime | None:
    result: datetime | None = await conn.scalar(sa.select(sa.func.min(review_timers.c.fire_at)))
    return result


async def pending(conn: AsyncConnection) -> list[Timer]:
    rows = await conn.execute(sa.select(review_timers).order_by(review_timers.c.fire_at))
    return [Timer(r.task_id, TimerKind(r.kind), r.fire_at, r.revision) for r in rows]

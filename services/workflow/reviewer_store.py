"""Reviewers in PostgreSQL: when each was last offered work and last sent away, strikes, locks
and unlocks, and whether their account may review."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.workflow.tables import reviewers, strikes


@dataclass(frozen=True)
class ReviewerRecord:
    reviewer_id: uuid.UUID
    last_offered_at: datetime | None
    locked_at: datetime | None
    strikes_cleared_at: datetime | None
    sent_away_at: datetime | None = None
    disabled_at: datetime | None = None

    @property
    def barred(self) -> bool:
        """Offered nothing: locked by strikes, or their account may not review."""
        return self.locked_at is not None or self.disabled_at is not None


async def lock_reviewer_row(conn: AsyncConnection, reviewer_id: uuid.UUID) -> ReviewerRecord:
    """The reviewer's row (created if new), locked so strikes and unlocks serialise."""
    # An upsert that always updates locks the row, new or not, in one round trip.
    row = (await conn.execute(
        insert(reviewers).values(reviewer_id=reviewer_id)
        .on_conflict_do_update(index_elements=[reviewers.c.reviewer_id],
                               set_={"reviewer_id": reviewer_id})
        .returning(*reviewers.c)
    )).one()
    return _record(row)


async def records(
    conn: AsyncConnection, candidates: Collection[uuid.UUID] | None = None
) -> dict[uuid.UUID, ReviewerRecord]:
    """Rows of `candidates` (or of everyone); reviewers never seen have none."""
    query = sa.select(reviewers)
    if candidates is not None:
        if not candidates:
            return {}
        query = query.where(reviewers.c.reviewer_id.in_(list(candidates)))
    return {row.reviewer_id: _record(row) for row in await conn.execute(query)}


def _record(row: sa.Row[Any]) -> ReviewerRecord:
    return ReviewerRecord(row.reviewer_id, row.last_offered_at, row.locked_at,
                          row.strikes_cleared_at, row.sent_away_at, row.disabled_at)


async def mark_offered(conn: AsyncConnection, reviewer_id: uuid.UUID, at: datetime) -> None:
    await conn.execute(
        insert(reviewers).values(reviewer_id=reviewer_id, last_offered_at=at)
        .on_conflict_do_update(index_elements=[reviewers.c.reviewer_id],
                               set_={"last_offered_at": at})
    )


async def mark_sent_away(conn: AsyncConnection, reviewer_id: uuid.UUID, at: datetime) -> None:
    """The workflow sent the reviewer away at `at`: no offers until they say they are back."""
    await conn.execute(
        insert(reviewers).values(reviewer_id=reviewer_id, sent_away_at=at)
        .on_conflict_do_update(index_elements=[reviewers.c.reviewer_id],
                               set_={"sent_away_at": at})
    )


async def add_strike(conn: AsyncConnection, reviewer_id: uuid.UUID, task_id: uuid.UUID,
                     revision: int, at: datetime) -> bool:
    """Record a strike once per (task, revision); False if it was recorded already."""
    result = await conn.execute(
        insert(strikes).values(reviewer_id=reviewer_id, task_id=task_id, revision=revision,
                               struck_at=at)
        .on_conflict_do_nothing().returning(strikes.c.task_id)
    )
    return result.first() is not None


async def strike_times(conn: AsyncConnection, reviewer_id: uuid.UUID) -> list[datetime]:
    rows = await conn.execute(
        sa.select(strikes.c.struck_at).where(strikes.c.reviewer_id == reviewer_id)
    )
    return [at for (at,) in rows]


async def all_strike_times(conn: AsyncConnection) -> dict[uuid.UUID, list[datetime]]:
    found: dict[uuid.UUID, list[datetime]] = {}
    for reviewer_id, at in await conn.execute(sa.select(strikes.c.reviewer_id,
                                                        strikes.c.struck_at)):
        found.setdefault(reviewer_id, []).append(at)
    return found


async def set_locked(conn: AsyncConnection, reviewer_id: uuid.UUID, at: datetime) -> None:
    await conn.execute(
        reviewers.update().where(reviewers.c.reviewer_id == reviewer_id).values(locked_at=at)
    )


async def set_unlocked(conn: AsyncConnection, reviewer_id: uuid.UUID, at: datetime,
                       admin_id: str, reason: str) -> None:
    """Unlock and start counting strikes afresh; who and why are kept."""
    await conn.execute(
        reviewers.update().where(reviewers.c.reviewer_id == reviewer_id).values(
            locked_at=None, strikes_cleared_at=at, unlocked_by=admin_id, unlock_reason=reason)
    )


async def set_disabled(conn: AsyncConnection, reviewer_id: uuid.UUID,
                       at: datetime | None) -> None:
    """Their account may not review since `at`; None: it may again."""
    await conn.execute(
        reviewers.update().where(reviewers.c.reviewer_id == reviewer_id).values(disabled_at=at)
    )

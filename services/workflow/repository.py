"""Review tasks in PostgreSQL: reads that lock, and writes that let the database referee races."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.workflow.domain import (
    HELD_STATES,
    TERMINAL_STATES,
    ReviewTask,
    TaskDetails,
    TaskState,
)
from services.workflow.tables import review_tasks

ONE_TASK_PER_SLOT = "uq_review_tasks_reviewer_slot"
_HELD = [state.value for state in HELD_STATES]
_CLOSED = [state.value for state in TERMINAL_STATES]


async def insert_task(conn: AsyncConnection, task: ReviewTask) -> bool:
    """Store a new task; False if a task for that match exists already."""
    result = await conn.execute(
        insert(review_tasks)
        .values(task_id=task.task_id, **_row_of(task))
        .on_conflict_do_nothing(index_elements=[review_tasks.c.task_id])
        .returning(review_tasks.c.task_id)
    )
    return result.first() is not None


async def lock_task(conn: AsyncConnection, task_id: uuid.UUID) -> ReviewTask | None:
    """The task, row-locked until the transaction ends, so no concurrent command interleaves."""
    row = (
        await conn.execute(
            sa.select(review_tasks).where(review_tasks.c.task_id == task_id).with_for_update()
        )
    ).first()
    return None if row is None else _task_of(row._mapping)


async def lock_task_if_free(conn: AsyncConnection, task_id: uuid.UUID) -> ReviewTask | None:
    """The task, row-locked, unless another transaction holds it (then None, without waiting)."""
    row = (
        await conn.execute(
            sa.select(review_tasks).where(review_tasks.c.task_id == task_id)
            .with_for_update(skip_locked=True)
        )
    ).first()
    return None if row is None else _task_of(row._mapping)


async def lock_next_queued(
    conn: AsyncConnection, skip: Collection[uuid.UUID] = ()
) -> ReviewTask | None:
    """The first queued task by rank that nobody else is assigning right now (SKIP LOCKED)."""
    query = (
        sa.select(review_tasks)
        .where(review_tasks.c.state == TaskState.QUEUED.value)
        .order_by(review_tasks.c.queue_rank, review_tasks.c.task_id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if skip:
        query = query.where(review_tasks.c.task_id.not_in(list(skip)))
    row = (await conn.execute(query)).first()
    return None if row is None else _task_of(row._mapping)


async def held_slots(
    conn: AsyncConnection, candidates: Collection[uuid.UUID]
) -> dict[uuid.UUID, set[int]]:
    """The slots each of `candidates` fills with offered or assigned tasks (committed ones)."""
    if not candidates:
        return {}
    rows = await conn.execute(
        sa.select(review_tasks.c.reviewer_id, review_tasks.c.slot).where(
            review_tasks.c.state.in_(_HELD), review_tasks.c.reviewer_id.in_(list(candidates))
        )
    )
    found: dict[uuid.UUID, set[int]] = {}
    for reviewer_id, slot in rows:
        found.setdefault(reviewer_id, set()).add(slot)
    return found


async def save_offer(conn: AsyncConnection, task: ReviewTask) -> bool:
    """Record an offer; False if that reviewer's slot was filled meanwhile.

    Runs in a savepoint so that losing the race on the slot index leaves the surrounding
    transaction (inbox mark, task creation) usable.
    """
    try:
        async with conn.begin_nested():
            result = await conn.execute(
                review_tasks.update()
                .where(
                    review_tasks.c.task_id == task.task_id,
                    review_tasks.c.state == TaskState.QUEUED.value,
                )
                .values(**_row_of(task))
            )
    except IntegrityError as exc:
        if _constraint_of(exc) == ONE_TASK_PER_SLOT:
            return False
        raise
    return result.rowcount == 1


async def save(conn: AsyncConnection, task: ReviewTask) -> None:
    """Record any other transition (the caller holds the row lock)."""
    await conn.execute(
        review_tasks.update().where(review_tasks.c.task_id == task.task_id).values(**_row_of(task))
    )


async def lock_held_by(conn: AsyncConnection, reviewer_id: uuid.UUID) -> list[ReviewTask]:
    """The tasks offered to or accepted by the reviewer, row-locked, oldest rank first."""
    rows = await conn.execute(
        sa.select(review_tasks)
        .where(review_tasks.c.state.in_(_HELD), review_tasks.c.reviewer_id == reviewer_id)
        .order_by(review_tasks.c.queue_rank, review_tasks.c.task_id).with_for_update()
    )
    return [_task_of(row._mapping) for row in rows]


async def lock_open_of_job(conn: AsyncConnection, job_id: uuid.UUID) -> list[ReviewTask]:
    """The job's tasks not closed yet, row-locked in id order (so two callers cannot deadlock)."""
    rows = await conn.execute(
        sa.select(review_tasks)
        .where(review_tasks.c.job_id == job_id, review_tasks.c.state.not_in(_CLOSED))
        .order_by(review_tasks.c.task_id).with_for_update()
    )
    return [_task_of(row._mapping) for row in rows]


async def tasks_in_flight(conn: AsyncConnection) -> list[ReviewTask]:
    """Every offered or assigned task, for the supervisor's view."""
    rows = await conn.execute(
        sa.select(review_tasks).where(review_tasks.c.state.in_(_HELD))
        .order_by(review_tasks.c.due_at)
    )
    return [_task_of(row._mapping) for row in rows]


def _constraint_of(exc: IntegrityError) -> str | None:
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return name if isinstance(name, str) else None


# Columns that hold what the task holds; the others are converted, both ways, below.
_AS_HELD = ("match_id", "candidate_id", "job_id", "apply_url", "resume_version_id", "score",
            "job_title", "company", "created_at", "priority", "reviewer_id", "slot",
            "offered_at", "offer_expires_at", "assigned_at", "due_at", "warn_at", "warned",
            "revision", "closed_at", "final_resume_version_id", "reject_reason")


def _row_of(task: ReviewTask) -> dict[str, Any]:
    return {name: getattr(task, name) for name in _AS_HELD} | {
        "explanation": list(task.explanation),
        "state": task.state.value,
        "queue_rank": task.rank,
        "tags": sorted(task.tags),
        "missed_by": sorted(task.missed_by, key=str),
        "returned_by": sorted(task.returned_by, key=str),
        "details": task.details.as_json(),
    }


def _task_of(row: Any) -> ReviewTask:
    return ReviewTask(
        task_id=row["task_id"],
        **{name: row[name] for name in _AS_HELD},
        explanation=tuple(row["explanation"]),
        state=TaskState(row["state"]),
        queue_rank=row["queue_rank"],
        tags=frozenset(row["tags"]),
        missed_by=frozenset(row["missed_by"]),
        returned_by=frozenset(row["returned_by"]),
        details=TaskDetails.of_json(row["details"]),
    )

"""Review tasks in PostgreSQL: reads that lock, and writes that let the database referee races."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.workflow.domain import ReviewTask, TaskState
from services.workflow.tables import review_tasks

ONE_TASK_PER_REVIEWER = "uq_review_tasks_one_assigned_per_reviewer"


async def insert_task(conn: AsyncConnection, task: ReviewTask) -> bool:
    """Store a new task; False if a task for that match exists already."""
    result = await conn.execute(
        insert(review_tasks)
        .values(_row_of(task))
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


async def lock_oldest_queued(conn: AsyncConnection) -> ReviewTask | None:
    """The oldest queued task nobody else is assigning right now (SKIP LOCKED)."""
    row = (
        await conn.execute(
            sa.select(review_tasks)
            .where(review_tasks.c.state == TaskState.QUEUED.value)
            .order_by(review_tasks.c.created_at, review_tasks.c.task_id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
    ).first()
    return None if row is None else _task_of(row._mapping)


async def busy_reviewers(
    conn: AsyncConnection, candidates: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of `candidates` hold an assigned task (committed ones; the index catches the rest)."""
    if not candidates:
        return set()
    rows = await conn.execute(
        sa.select(review_tasks.c.reviewer_id).where(
            review_tasks.c.state == TaskState.ASSIGNED.value,
            review_tasks.c.reviewer_id.in_(list(candidates)),
        )
    )
    return {row.reviewer_id for row in rows}


async def last_assigned(
    conn: AsyncConnection, candidates: Collection[uuid.UUID]
) -> dict[uuid.UUID, datetime]:
    """When each of `candidates` last received a task, for fair ordering."""
    if not candidates:
        return {}
    rows = await conn.execute(
        sa.select(review_tasks.c.reviewer_id, sa.func.max(review_tasks.c.assigned_at))
        .where(review_tasks.c.reviewer_id.in_(list(candidates)))
        .group_by(review_tasks.c.reviewer_id)
    )
    return {reviewer_id: at for reviewer_id, at in rows if at is not None}


async def save_assignment(conn: AsyncConnection, task: ReviewTask) -> bool:
    """Record an assignment; False if the reviewer got another task meanwhile.

    Runs in a savepoint so that losing the race on the one-task-per-reviewer index leaves
    the surrounding transaction (inbox mark, task creation) usable.
    """
    try:
        async with conn.begin_nested():
            result = await conn.execute(
                review_tasks.update()
                .where(
                    review_tasks.c.task_id == task.task_id,
                    review_tasks.c.state == TaskState.QUEUED.value,
                )
                .values(
                    state=task.state.value,
                    reviewer_id=task.reviewer_id,
                    assigned_at=task.assigned_at,
                    due_at=task.due_at,
                )
            )
    except IntegrityError as exc:
        if _constraint_of(exc) == ONE_TASK_PER_REVIEWER:
            return False
        raise
    return result.rowcount == 1


async def save_closed(conn: AsyncConnection, task: ReviewTask) -> None:
    """Record a terminal state (the caller holds the row lock)."""
    await conn.execute(
        review_tasks.update()
        .where(review_tasks.c.task_id == task.task_id)
        .values(
            state=task.state.value,
            closed_at=task.closed_at,
            final_resume_version_id=task.final_resume_version_id,
            reject_reason=task.reject_reason,
        )
    )


def _constraint_of(exc: IntegrityError) -> str | None:
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return name if isinstance(name, str) else None


def _row_of(task: ReviewTask) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "match_id": task.match_id,
        "candidate_id": task.candidate_id,
        "job_id": task.job_id,
        "apply_url": task.apply_url,
        "resume_version_id": task.resume_version_id,
        "score": task.score,
        "job_title": task.job_title,
        "company": task.company,
        "explanation": list(task.explanation),
        "state": task.state.value,
        "reviewer_id": task.reviewer_id,
        "created_at": task.created_at,
        "assigned_at": task.assigned_at,
        "due_at": task.due_at,
        "closed_at": task.closed_at,
        "final_resume_version_id": task.final_resume_version_id,
        "reject_reason": task.reject_reason,
    }


def _task_of(row: Any) -> ReviewTask:
    return ReviewTask(
        task_id=row["task_id"],
        match_id=row["match_id"],
        candidate_id=row["candidate_id"],
        job_id=row["job_id"],
        apply_url=row["apply_url"],
        resume_version_id=row["resume_version_id"],
        score=row["score"],
        job_title=row["job_title"],
        company=row["company"],
        explanation=tuple(row["explanation"]),
        state=TaskState(row["state"]),
        reviewer_id=row["reviewer_id"],
        created_at=row["created_at"],
        assigned_at=row["assigned_at"],
        due_at=row["due_at"],
        closed_at=row["closed_at"],
        final_resume_version_id=row["final_resume_version_id"],
        reject_reason=row["reject_reason"],
    )

"""Every event, applied to the figures in the handler's transaction (once per event id)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.uow import Transaction
from schemas.events import review
from schemas.events.discovery import ScrapeAnomalyDetected, SourceBlocked
from schemas.events.envelope import EventData
from schemas.events.jobs import JobDiscovered, ScrapeRunCompleted
from services.analytics.figures import MINUTE, TERMINAL_TASK_STATES, bucket_floor, counts_of
from services.analytics.tables import (
    analytics_counts,
    analytics_review_tasks,
    analytics_reviewers,
    analytics_sources,
)

tasks = analytics_review_tasks
reviewers = analytics_reviewers
sources = analytics_sources


class FigureRecorder:
    """The one handler of every event type; `on_change` hears that figures moved."""

    def __init__(self, on_change: Callable[[], None] = lambda: None) -> None:
        self._on_change = on_change

    async def __call__(self, event: EventData, tx: Transaction) -> None:
        # Figures follow the event's own time, so a replay or a late consumer fills the
        # buckets the events belong to, not the minute they happened to be read.
        at = tx.cause.time if tx.cause is not None else tx.clock.now()
        conn = tx.conn
        for metric, amount in counts_of(event):
            await _count(conn, metric, at, amount)
        await _track(conn, event, at)
        self._on_change()


async def _count(conn: AsyncConnection, metric: str, at: datetime, amount: int) -> None:
    stmt = insert(analytics_counts).values(metric=metric, bucket=bucket_floor(at, MINUTE),
                                           value=amount)
    await conn.execute(stmt.on_conflict_do_update(
        index_elements=[analytics_counts.c.metric, analytics_counts.c.bucket],
        set_={"value": analytics_counts.c.value + stmt.excluded.value},
    ))


async def _track(conn: AsyncConnection, event: EventData, at: datetime) -> None:
    """State behind the figures that are not plain counts: tasks, reviewers, sources."""
    match event:
        case review.ReviewTaskCreated():
            await _task(conn, event.task_id, at, state="queued", created_at=at)
        case review.ReviewTaskOffered():
            await _task(conn, event.task_id, at, state="offered", reviewer_id=event.reviewer_id)
        case review.ReviewTaskAssigned():
            await _task(conn, event.task_id, at, state="assigned", reviewer_id=event.reviewer_id)
        case review.ReviewTaskMissed():
            await _task(conn, event.task_id, at, state="queued", reviewer_id=None)
            await _reviewer(conn, event.reviewer_id, at, missed=reviewers.c.missed + 1)
        case review.ReviewTaskHandedBack() | review.ReviewTaskOfferExpired():
            await _task(conn, event.task_id, at, state="queued", reviewer_id=None)
        case review.TaskCompleted() | review.TaskRejected():
            state = "completed" if isinstance(event, review.TaskCompleted) else "rejected"
            await _task(conn, event.task_id, at, state=state, reviewer_id=event.reviewer_id,
                        finished_at=at)
            await _reviewer(conn, event.reviewer_id, at, reviewed=reviewers.c.reviewed + 1)
        case review.ReviewerPresenceChanged():
            await _reviewer(conn, event.reviewer_id, at, presence=event.status)
        case review.ReviewerStruck():
            await _reviewer(conn, event.reviewer_id, at,
                            strikes=sa.func.greatest(reviewers.c.strikes, event.strikes))
        case review.ReviewerLocked():
            await _reviewer(conn, event.reviewer_id, at, locked=True)
        case review.ReviewerUnlocked():
            await _reviewer(conn, event.reviewer_id, at, locked=False)
        case JobDiscovered():
            await _source(conn, event.source, at, jobs_found=sources.c.jobs_found + 1)
        case ScrapeRunCompleted():
            await _source(
                conn, event.source, at, runs=sources.c.runs + 1,
                errors_total=sources.c.errors_total + len(event.errors),
                last_run_at=at, last_run_id=event.run_id, last_run_complete=event.complete,
                last_run_seen=len(event.seen_source_job_keys), last_run_errors=len(event.errors))
        case SourceBlocked():
            await _source(conn, event.source, at, blocked_total=sources.c.blocked_total + 1,
                          last_blocked_at=at, last_blocked_reason=event.reason)
        case ScrapeAnomalyDetected():
            await _source(conn, event.source, at,
                          anomalies_total=sources.c.anomalies_total + 1,
                          last_anomaly_at=at, last_anomaly_kind=event.kind)
        case _:
            pass  # counted only


async def _task(conn: AsyncConnection, task_id: uuid.UUID, at: datetime, *, state: str,
                **values: Any) -> None:
    """Move a task to `state`; a finished task stays finished (late events change nothing)."""
    stmt = insert(tasks).values(task_id=task_id, state=state, updated_at=at, **values)
    updates: dict[str, Any] = {"state": state, "updated_at": at, **values}
    if "created_at" in values:  # the first creation time wins over a redelivered one
        updates["created_at"] = sa.func.coalesce(tasks.c.created_at, stmt.excluded.created_at)
    await conn.execute(stmt.on_conflict_do_update(
        index_elements=[tasks.c.task_id], set_=updates,
        where=tasks.c.state.not_in(TERMINAL_TASK_STATES),
    ))


async def _reviewer(conn: AsyncConnection, reviewer_id: uuid.UUID, at: datetime,
                    **updates: Any) -> None:
    stmt = insert(reviewers).values(reviewer_id=reviewer_id, updated_at=at)
    await conn.execute(stmt.on_conflict_do_nothing())
    await conn.execute(sa.update(reviewers).where(reviewers.c.reviewer_id == reviewer_id)
                       .values(updated_at=at, **updates))


async def _source(conn: AsyncConnection, source: str, at: datetime, **updates: Any) -> None:
    stmt = insert(sources).values(source=source, last_seen_at=at)
    await conn.execute(stmt.on_conflict_do_nothing())
    await conn.execute(
        sa.update(sources).where(sources.c.source == source)
        .values(last_seen_at=sa.func.greatest(sources.c.last_seen_at, at), **updates))

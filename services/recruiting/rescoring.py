"""Re-score tasks of employer jobs: asked of the ATS engine by RescoreRequested, followed through
its RescoreProgressed; asked by an employer, nightly, and when the weights version changes.

One task at a time per job, kept by the partial unique index on the active tasks: of two
requests at once, one inserts and the other finds the first's task."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from infra.uow import Transaction, UnitOfWork
from schemas.events.rescoring import RescoreProgressed, RescoreRequested, ScoringWeightsChanged
from services.recruiting.domain import JobStatus
from services.recruiting.tables import jobs, rescore_tasks

Priority = Literal["normal", "high"]
Reason = Literal["request", "nightly", "weights"]
ACTIVE = ("queued", "running")
# Where a task may go from each state, as the engine's progress arrives (perhaps late).
_NEXT = {"queued": {"running", "done", "failed"}, "running": {"done", "failed"}}


@dataclass(frozen=True)
class Asked:
    """A request's outcome: its new task, or the task already queued or running for the job
    (None when a once-only run had asked for this job before)."""

    task_id: uuid.UUID | None
    created: bool


async def ask(tx: Transaction, job_id: uuid.UUID, company_id: uuid.UUID, *,
              priority: Priority = "normal", reason: Reason = "request",
              once_key: str | None = None, requested_by: uuid.UUID | None = None) -> Asked:
    """A re-score task for the job, asked of the engine in this transaction; or the active one."""
    now = tx.clock.now()
    task_id = uuid.uuid4()
    # A conflict with the active task of the job, or with an earlier once-only run's, inserts
    # nothing; a request racing this one waits for its commit to tell.
    created = await tx.conn.scalar(insert(rescore_tasks).values(
        task_id=task_id, job_id=job_id, company_id=company_id, priority=priority,
        reason=reason, once_key=once_key, status="queued", requested_by=requested_by,
        requested_at=now).on_conflict_do_nothing().returning(rescore_tasks.c.task_id))
    if created is None:
        return Asked(await tx.conn.scalar(sa.select(rescore_tasks.c.task_id).where(
            rescore_tasks.c.job_id == job_id, rescore_tasks.c.status.in_(ACTIVE))), False)
    tx.emit(RescoreRequested(task_id=task_id, job_id=job_id, priority=priority, reason=reason,
                             requested_at=now))
    return Asked(task_id, True)


async def ask_for_open_jobs(tx: Transaction, reason: Reason, once_key: str) -> int:
    """A task for every published job that has none queued or running, once per `once_key`:
    the number asked."""
    rows = (await tx.conn.execute(sa.select(jobs.c.job_id, jobs.c.company_id).where(
        jobs.c.status == JobStatus.PUBLISHED.value).order_by(jobs.c.job_id))).all()
    asked = 0
    for row in rows:
        outcome = await ask(tx, row.job_id, row.company_id, reason=reason, once_key=once_key)
        asked += outcome.created
    return asked


async def on_rescore_progressed(event: RescoreProgressed, tx: Transaction) -> None:
    """The task's state as the engine tells it; a late `running` never undoes `done`. A task
    that ended without the weights version announced while it was active (it ran before the
    engine took it) is followed by another."""
    task = (await tx.conn.execute(sa.select(rescore_tasks).where(
        rescore_tasks.c.task_id == event.task_id).with_for_update())).mappings().first()
    if task is None or event.status not in _NEXT.get(task["status"], set()):
        return
    finished = event.status != "running"
    await tx.conn.execute(rescore_tasks.update().where(
        rescore_tasks.c.task_id == event.task_id).values(
        status=event.status, finished_at=event.at if finished else None,
        weights_version=event.weights_version, pairs=event.pairs if finished else None,
        error=event.error))
    due = task["weights_due"]
    if finished and due is not None and event.weights_version != due:
        await ask(tx, task["job_id"], task["company_id"], reason="weights",
                  once_key=f"weights:{due}:after:{event.task_id}")


async def on_scoring_weights_changed(event: ScoringWeightsChanged, tx: Transaction) -> None:
    """Every open job scored again with the new weights (the scores of the old ones stay in
    the engine, each with its version); a job with a task active is asked again after it,
    if that task ends scored with another version."""
    await tx.conn.execute(rescore_tasks.update().where(rescore_tasks.c.status.in_(ACTIVE))
                          .values(weights_due=event.version))
    await ask_for_open_jobs(tx, "weights",
                            f"weights:{event.version}:{event.changed_at.isoformat()}")


async def rescore_nightly(uow: UnitOfWork, day: date) -> int:
    """The night's re-score of every open job: asked once per job and day however often it
    runs. The number of tasks asked."""
    async with uow.transaction() as tx:
        return await ask_for_open_jobs(tx, "nightly", f"nightly:{day.isoformat()}")

"""`/api/v1/match/run`: re-score a job's candidates now, and follow the task."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from infra.http_conventions import ERR_CONFLICT, ApiError, ErrorBody
from infra.uow import UnitOfWork
from services.recruiting.access import Authorizer, Caller
from services.recruiting.api import RESPONSES
from services.recruiting.api.jobs import job_in_scope
from services.recruiting.audit import record
from services.recruiting.domain import JobStatus
from services.recruiting.rescoring import ask
from services.recruiting.tables import rescore_tasks

ERR_TASK_QUEUED = "ERR_TASK_QUEUED"


class RunRequest(BaseModel):
    job_id: uuid.UUID
    priority: Literal["normal", "high"] = Field(
        default="normal", description="High: run by the engine ahead of every normal task")


class TaskAccepted(BaseModel):
    task_id: uuid.UUID
    status: Literal["queued"] = "queued"


class TaskOut(BaseModel):
    task_id: uuid.UUID
    job_id: uuid.UUID
    status: Literal["queued", "running", "done", "failed"]
    priority: Literal["normal", "high"]
    reason: Literal["request", "nightly", "weights"]
    requested_at: datetime
    finished_at: datetime | None
    weights_version: str | None = Field(description="The weights it was scored with (done)")
    pairs: int | None = Field(description="Candidates scored (done)")


_QUEUED: dict[int | str, dict[str, Any]] = {409: {
    "model": ErrorBody, "description": "ERR_TASK_QUEUED: a re-score of the job is queued or "
    "running (its task_id in details); ERR_CONFLICT: the job is not published"}}


def rescore_routes(uow: UnitOfWork, authorize: Authorizer) -> APIRouter:
    router = APIRouter(prefix="/api/v1/match/run", tags=["recruiting"],
                       responses={**RESPONSES, **_QUEUED})

    @router.post("", status_code=202,
                 summary="Score a published job's candidates again with the current weights; "
                         "one task at a time per job")
    async def run(body: RunRequest,
                  caller: Caller = Depends(authorize("match.run"))) -> TaskAccepted:
        async with uow.transaction() as tx:
            job = await job_in_scope(tx, caller, body.job_id)
            if job["status"] != JobStatus.PUBLISHED.value:
                raise ApiError(409, ERR_CONFLICT, "only a published job is scored")
            asked = await ask(tx, body.job_id, job["company_id"], priority=body.priority,
                              requested_by=caller.principal.user_id)
            if not asked.created:
                raise ApiError(409, ERR_TASK_QUEUED, "a re-score of this job is queued or "
                               "running", {"task_id": str(asked.task_id)})
            await record(tx, caller, "job.rescore_requested", "job", body.job_id,
                         job["company_id"], {"task_id": str(asked.task_id),
                                             "priority": body.priority})
        return TaskAccepted(task_id=asked.task_id)

    @router.get("/{task_id}", summary="A re-score task: queued, running, done or failed")
    async def status(task_id: uuid.UUID,
                     caller: Caller = Depends(authorize("match.status"))) -> TaskOut:
        async with uow.engine.connect() as conn:
            row = (await conn.execute(sa.select(rescore_tasks).where(
                rescore_tasks.c.task_id == task_id))).mappings().first()
        caller.check(row["company_id"] if row else None)
        return TaskOut.model_validate(dict(row or {}))

    return router

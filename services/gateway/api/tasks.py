"""Review tasks: staff see all; a reviewer only the tasks offered to or held by them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.gateway.api.common import ApiDeps, Cursor, Limit, page_of, paged, visible_row
from services.gateway.api.models import PageOut, TaskOut
from services.gateway.policy import Access, narrowed
from services.gateway.readmodel import queries

Status = Annotated[str | None, Query(pattern="^(queued|offered|assigned|completed|rejected)$")]


def router(deps: ApiDeps) -> APIRouter:
    api = APIRouter(tags=["review tasks"])

    @api.get("/review-tasks", name="tasks.list", response_model=PageOut[TaskOut])
    async def list_tasks(
        access: Access = Depends(deps.authorize("tasks.list")),
        cursor: Cursor = None, limit: Limit = 50, reviewer_id: uuid.UUID | None = None,
        candidate_id: uuid.UUID | None = None, status: Status = None,
    ) -> PageOut[TaskOut]:
        async with deps.read() as conn:
            return page_of(TaskOut, await paged(queries.tasks(
                conn, reviewer_id=narrowed(access.own_reviewer(), reviewer_id),
                candidate_id=candidate_id, status=status,
                cursor=cursor, limit=limit)), access.readable)

    @api.get("/review-tasks/{task_id}", name="tasks.get", response_model=TaskOut)
    async def get_task(task_id: uuid.UUID,
                       access: Access = Depends(deps.authorize("tasks.get")),
                       ) -> TaskOut:
        row = await visible_row(deps, access, lambda conn: queries.task(conn, task_id),
                                "reviewer_id")
        return TaskOut.model_validate(access.readable(row))

    return api

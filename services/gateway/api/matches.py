"""Match results with their explanations."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.gateway.api.common import ApiDeps, Cursor, Limit, page_of, paged, visible_row
from services.gateway.api.models import MatchOut, PageOut
from services.gateway.policy import Access, narrowed
from services.gateway.readmodel import queries


def router(deps: ApiDeps) -> APIRouter:
    api = APIRouter(tags=["matches"])

    @api.get("/matches", name="matches.list", response_model=PageOut[MatchOut])
    async def list_matches(
        access: Access = Depends(deps.authorize("matches.list")),
        cursor: Cursor = None, limit: Limit = 50,
        candidate_id: uuid.UUID | None = None, job_id: uuid.UUID | None = None,
        decision: Annotated[str | None, Query(pattern="^(scored|approved|review|rejected)$")]
        = None,
    ) -> PageOut[MatchOut]:
        async with deps.read() as conn:
            return page_of(MatchOut, await paged(queries.matches(
                conn, candidate_id=narrowed(access.own_candidate(), candidate_id), job_id=job_id,
                decision=decision, cursor=cursor, limit=limit)), access.readable)

    @api.get("/matches/{match_id}", name="matches.get", response_model=MatchOut)
    async def get_match(
        match_id: uuid.UUID,
        access: Access = Depends(deps.authorize("matches.get")),
    ) -> MatchOut:
        row = await visible_row(deps, access, lambda conn: queries.match(conn, match_id),
                                "candidate_id")
        return MatchOut.model_validate(access.readable(row))

    return api

"""Reviewers, their strikes, and the admin's unlock (sent on as the UnlockReviewer order)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends

from infra.http_conventions import ERR_CONFLICT, ApiError
from schemas.events.review import UnlockReviewer
from services.gateway.api.common import ApiDeps, Cursor, Limit, found, page_of, paged
from services.gateway.api.models import Accepted, PageOut, ReviewerOut, StrikeOut, UnlockIn
from services.gateway.audit import record
from services.gateway.policy import Access
from services.gateway.readmodel import queries


def router(deps: ApiDeps) -> APIRouter:
    api = APIRouter(tags=["reviewers"])

    @api.get("/reviewers", name="reviewers.list", response_model=PageOut[ReviewerOut])
    async def list_reviewers(
        access: Access = Depends(deps.authorize("reviewers.list")),
        cursor: Cursor = None, limit: Limit = 50, locked: bool | None = None,
    ) -> PageOut[ReviewerOut]:
        async with deps.read() as conn:
            return page_of(ReviewerOut,
                           await paged(queries.reviewers(conn, locked, cursor, limit)))

    @api.get("/reviewers/{reviewer_id}", name="reviewers.get", response_model=ReviewerOut)
    async def get_reviewer(
        reviewer_id: uuid.UUID,
        access: Access = Depends(deps.authorize("reviewers.get")),
    ) -> ReviewerOut:
        async with deps.read() as conn:
            await access.check(conn, reviewer_id=reviewer_id)
            return ReviewerOut.model_validate(found(await queries.reviewer(conn, reviewer_id)))

    @api.get("/reviewers/{reviewer_id}/strikes", name="reviewers.strikes",
             response_model=PageOut[StrikeOut])
    async def list_strikes(
        reviewer_id: uuid.UUID,
        access: Access = Depends(deps.authorize("reviewers.strikes")),
        cursor: Cursor = None, limit: Limit = 50,
    ) -> PageOut[StrikeOut]:
        async with deps.read() as conn:
            await access.check(conn, reviewer_id=reviewer_id)
            found(await queries.reviewer(conn, reviewer_id))
            return page_of(StrikeOut,
                           await paged(queries.strikes(conn, reviewer_id, cursor, limit)))

    @api.post("/reviewers/{reviewer_id}/unlock", name="reviewers.unlock", status_code=202,
              response_model=Accepted)
    async def unlock(
        reviewer_id: uuid.UUID, body: UnlockIn,
        access: Access = Depends(deps.authorize("reviewers.unlock")),
    ) -> Accepted:
        async with deps.uow.transaction() as tx:
            row = found(await queries.reviewer(tx.conn, reviewer_id))
            if not row["locked"]:
                raise ApiError(409, ERR_CONFLICT, "the reviewer is not locked")
            admin = access.principal
            envelope = tx.emit(UnlockReviewer(reviewer_id=reviewer_id,
                                              admin_id=str(admin.user_id), reason=body.reason))
            await record(tx.conn, at=tx.clock.now(), actor=admin, action="reviewer.unlock",
                         object_type="reviewer", object_id=reviewer_id,
                         details={"reason": body.reason, "event_id": str(envelope.id)})
        return Accepted(event_id=envelope.id)

    return api

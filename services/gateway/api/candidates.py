"""Candidates, their preferences and answer banks (changes go out as orders), export, erasure."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlalchemy.dialects.postgresql import insert

from schemas.events.candidates import UpdateAnswerBank, UpdateCandidatePreferences
from services.gateway.api.common import ApiDeps, Cursor, Limit, found, page_of, paged
from services.gateway.api.models import (
    Accepted,
    AnswerBankIn,
    AnswerBankOut,
    CandidateOut,
    PageOut,
    PreferencesIn,
    PreferencesOut,
)
from services.gateway.audit import record
from services.gateway.policy import Access, not_found
from services.gateway.privacy import erase_candidate, export_archive
from services.gateway.readmodel import queries
from services.gateway.readmodel import tables as t


def router(deps: ApiDeps) -> APIRouter:
    api = APIRouter(tags=["candidates"])

    async def visible(access: Access, candidate_id: uuid.UUID) -> dict[str, Any]:
        async with deps.read() as conn:
            await access.check(conn, candidate_id=candidate_id)
            row = found(await queries.candidate(conn, candidate_id))
        if row["erased_at"] is not None:
            raise not_found()
        return row

    @api.get("/candidates", name="candidates.list", response_model=PageOut[CandidateOut])
    async def list_candidates(
        access: Access = Depends(deps.authorize("candidates.list")),
        cursor: Cursor = None, limit: Limit = 50,
    ) -> PageOut[CandidateOut]:
        async with deps.read() as conn:
            return page_of(CandidateOut, await paged(queries.candidates(conn, cursor, limit)))

    @api.get("/candidates/{candidate_id}", name="candidates.get", response_model=CandidateOut)
    async def get_candidate(
        candidate_id: uuid.UUID,
        access: Access = Depends(deps.authorize("candidates.get")),
    ) -> CandidateOut:
        return CandidateOut.model_validate(await visible(access, candidate_id))

    @api.get("/candidates/{candidate_id}/preferences", name="candidates.preferences.get",
             response_model=PreferencesOut)
    async def get_preferences(
        candidate_id: uuid.UUID,
        access: Access = Depends(deps.authorize("candidates.preferences.get")),
    ) -> PreferencesOut:
        row = await visible(access, candidate_id)
        return PreferencesOut(candidate_id=candidate_id, preferences=row["preferences"])

    @api.put("/candidates/{candidate_id}/preferences", name="candidates.preferences.put",
             status_code=202, response_model=Accepted)
    async def put_preferences(
        candidate_id: uuid.UUID, body: PreferencesIn,
        access: Access = Depends(deps.authorize("candidates.preferences.put")),
    ) -> Accepted:
        preferences = body.model_dump(mode="json")
        return await change(access, candidate_id, "preferences", preferences,
                            UpdateCandidatePreferences(candidate_id=candidate_id,
                                                       preferences=preferences,
                                                       actor_id=access.principal.user_id))

    @api.get("/candidates/{candidate_id}/answer-bank", name="candidates.answers.get",
             response_model=AnswerBankOut)
    async def get_answers(
        candidate_id: uuid.UUID,
        access: Access = Depends(deps.authorize("candidates.answers.get")),
    ) -> AnswerBankOut:
        row = await visible(access, candidate_id)
        return AnswerBankOut(candidate_id=candidate_id, answers=row["answer_bank"])

    @api.put("/candidates/{candidate_id}/answer-bank", name="candidates.answers.put",
             status_code=202, response_model=Accepted)
    async def put_answers(
        candidate_id: uuid.UUID, body: AnswerBankIn,
        access: Access = Depends(deps.authorize("candidates.answers.put")),
    ) -> Accepted:
        answers = [fact.model_dump(mode="json") for fact in body.answers]
        return await change(access, candidate_id, "answer_bank", answers,
                            UpdateAnswerBank(candidate_id=candidate_id, answers=answers,
                                             actor_id=access.principal.user_id))

    async def change(access: Access, candidate_id: uuid.UUID, column: str, value: Any,
                     order: UpdateCandidatePreferences | UpdateAnswerBank) -> Accepted:
        """Send the order on; keep the new value here too, so it reads back at once."""
        async with deps.uow.transaction() as tx:
            await access.check(tx.conn, candidate_id=candidate_id)
            now = tx.clock.now()
            row = await queries.candidate(tx.conn, candidate_id)
            if row is not None and row["erased_at"] is not None:
                raise not_found()
            await tx.conn.execute(insert(t.candidates).values(
                candidate_id=candidate_id, created_at=now, updated_at=now, **{column: value},
            ).on_conflict_do_update(index_elements=[t.candidates.c.candidate_id],
                                    set_={column: value, "updated_at": now}))
            envelope = tx.emit(order)
            await record(tx.conn, at=now, actor=access.principal,
                         action=f"candidate.{column}.update", object_type="candidate",
                         object_id=candidate_id, details={"event_id": str(envelope.id)})
        return Accepted(event_id=envelope.id)

    @api.get("/candidates/{candidate_id}/export", name="candidates.export",
             response_class=Response,
             responses={200: {"content": {"application/zip": {}},
                              "description": "All the candidate's data, one zip archive"}})
    async def export(
        candidate_id: uuid.UUID,
        access: Access = Depends(deps.authorize("candidates.export")),
    ) -> Response:
        await visible(access, candidate_id)
        async with deps.read() as conn:
            archive = await export_archive(conn, deps.blobs, candidate_id, deps.clock.now())
        return Response(archive, media_type="application/zip", headers={
            "Content-Disposition": f'attachment; filename="candidate-{candidate_id}.zip"'})

    @api.delete("/candidates/{candidate_id}", name="candidates.delete", status_code=202,
                response_model=Accepted)
    async def delete(
        candidate_id: uuid.UUID,
        access: Access = Depends(deps.authorize("candidates.delete")),
    ) -> Accepted:
        await visible(access, candidate_id)
        return Accepted(event_id=await erase_candidate(deps.uow, deps.blobs, candidate_id,
                                                       access.principal))

    return api

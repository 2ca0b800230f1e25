"""Notes on a job's candidate: `/api/v1/jobs/{job_id}/candidates/{candidate_id}/notes` and
`/api/v1/notes/{note_id}`. Private to the company: the candidate and other companies never see
them (another company's note reads as a missing one)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from infra.http_conventions import ERR_FORBIDDEN, ERR_VALIDATION, ApiError
from infra.uow import Transaction, UnitOfWork
from schemas.events.recruiting import NoteMentioned
from services.recruiting import notes as rules
from services.recruiting.access import Authorizer, Caller, not_found
from services.recruiting.api import RESPONSES, Text
from services.recruiting.api.jobs import job_in_scope
from services.recruiting.audit import record
from services.recruiting.tables import candidates, jobs, members, note_revisions, notes

MAX_MENTIONS = 100


class NoteText(BaseModel):
    body: Text = Field(min_length=1, max_length=20_000,
                       description="The note; @<user id> or @<e-mail> mentions a colleague")


class Note(BaseModel):
    note_id: uuid.UUID
    candidate_id: uuid.UUID
    job_id: uuid.UUID
    author_id: uuid.UUID
    body: str
    mentions: list[uuid.UUID] = Field(description="Members of the company the note mentions")
    created_at: datetime
    edited_at: datetime | None
    revision: int


class Notes(BaseModel):
    items: list[Note]


class NoteRevision(BaseModel):
    note_id: uuid.UUID
    revision: int
    body: str
    mentions: list[uuid.UUID]
    written_by: uuid.UUID
    written_at: datetime


class NoteHistory(BaseModel):
    items: list[NoteRevision] = Field(description="Every revision, the first one first")


async def candidate_in_scope(tx: Transaction, caller: Caller, job_id: uuid.UUID,
                             candidate_id: uuid.UUID) -> dict[str, Any]:
    """The job if the caller's company owns it and the candidate is one of its candidates;
    404 otherwise, the same for both."""
    job = await job_in_scope(tx, caller, job_id)
    # Held until commit: an erasure (which deletes the row) waits for a note or link written
    # under it, and one that came first leaves nothing to write under.
    if await tx.conn.scalar(sa.select(candidates.c.candidate_id).where(
            candidates.c.job_id == job_id, candidates.c.candidate_id == candidate_id)
            .with_for_update(read=True)) is None:
        raise not_found()
    return job


async def _mentions(tx: Transaction, company_id: uuid.UUID, body: str) -> list[uuid.UUID]:
    """The company's members the text mentions; nobody of another company."""
    company = {row.user_id: row.email for row in await tx.conn.execute(sa.select(
        members.c.user_id, members.c.email).where(members.c.company_id == company_id))}
    found = rules.resolve(rules.mentioned_in(body), company)
    if len(found) > MAX_MENTIONS:
        raise ApiError(422, ERR_VALIDATION, f"a note mentions at most {MAX_MENTIONS} people")
    return found


async def _write(tx: Transaction, note: dict[str, Any], before: list[uuid.UUID]) -> None:
    """Keep the note's revision, and tell whom it mentions for the first time."""
    await tx.conn.execute(note_revisions.insert().values(
        note_id=note["note_id"], revision=note["revision"], candidate_id=note["candidate_id"],
        body=note["body"], mentions=note["mentions"], written_by=note["author_id"],
        written_at=note["edited_at"] or note["created_at"]))
    told = rules.to_notify(before, note["mentions"], note["author_id"])
    if told:
        title = await tx.conn.scalar(sa.select(jobs.c.title).where(
            jobs.c.job_id == note["job_id"]))
        tx.emit(NoteMentioned(note_id=note["note_id"], revision=note["revision"],
                              job_id=note["job_id"], candidate_id=note["candidate_id"],
                              company_id=note["company_id"], job_title=title or "",
                              author_id=note["author_id"], mentioned=told))


async def note_in_scope(tx: Transaction, caller: Caller, note_id: uuid.UUID,
                        lock: bool = False) -> dict[str, Any]:
    query = sa.select(notes).where(notes.c.note_id == note_id)
    row = (await tx.conn.execute(query.with_for_update() if lock else query)).mappings().first()
    caller.check(row["company_id"] if row else None)
    return dict(row)  # type: ignore[arg-type]


def note_routes(uow: UnitOfWork, authorize: Authorizer) -> APIRouter:
    router = APIRouter(tags=["recruiting"], responses=RESPONSES)
    on_candidate = "/api/v1/jobs/{job_id}/candidates/{candidate_id}/notes"

    @router.get(on_candidate, summary="The company's notes on a candidate, newest first")
    async def list_notes(job_id: uuid.UUID, candidate_id: uuid.UUID,
                         caller: Caller = Depends(authorize("notes.list"))) -> Notes:
        async with uow.transaction() as tx:
            job = await candidate_in_scope(tx, caller, job_id, candidate_id)
            rows = (await tx.conn.execute(sa.select(notes).where(
                notes.c.company_id == job["company_id"], notes.c.candidate_id == candidate_id)
                .order_by(notes.c.created_at.desc(), notes.c.note_id.desc()))).mappings()
            return Notes(items=[Note.model_validate(dict(r)) for r in rows])

    @router.post(on_candidate, status_code=201,
                 summary="Write a note on a candidate; the colleagues it mentions are told")
    async def create(job_id: uuid.UUID, candidate_id: uuid.UUID, body: NoteText,
                     caller: Caller = Depends(authorize("notes.create"))) -> Note:
        async with uow.transaction() as tx:
            job = await candidate_in_scope(tx, caller, job_id, candidate_id)
            note = {"note_id": uuid.uuid4(), "company_id": job["company_id"], "job_id": job_id,
                    "candidate_id": candidate_id, "author_id": caller.principal.user_id,
                    "body": body.body, "created_at": tx.clock.now(), "edited_at": None,
                    "revision": 1,
                    "mentions": await _mentions(tx, job["company_id"], body.body)}
            await tx.conn.execute(notes.insert().values(**note))
            await _write(tx, note, before=[])
            await record(tx, caller, "note.written", "note", note["note_id"],
                         job["company_id"], {"candidate_id": str(candidate_id)})
        return Note.model_validate(note)

    @router.patch("/api/v1/notes/{note_id}",
                  summary="Edit a note (its author only); the earlier text is kept in its "
                          "history, and only newly mentioned colleagues are told")
    async def edit(note_id: uuid.UUID, body: NoteText,
                   caller: Caller = Depends(authorize("notes.update"))) -> Note:
        async with uow.transaction() as tx:
            note = await note_in_scope(tx, caller, note_id, lock=True)
            try:
                rules.check_editor(note["author_id"], caller.principal.user_id)
            except rules.NotTheAuthor as exc:
                raise ApiError(403, ERR_FORBIDDEN, str(exc)) from None
            if note["body"] == body.body:
                return Note.model_validate(note)  # nothing new to keep
            # Anyone an earlier revision mentioned was told then, even if a later one dropped
            # them: put back, they are not told again.
            before = [user for (users,) in await tx.conn.execute(sa.select(
                note_revisions.c.mentions).where(note_revisions.c.note_id == note_id))
                for user in users]
            note.update(body=body.body, edited_at=tx.clock.now(), revision=note["revision"] + 1,
                        mentions=await _mentions(tx, note["company_id"], body.body))
            await tx.conn.execute(notes.update().where(notes.c.note_id == note_id).values(
                body=note["body"], edited_at=note["edited_at"], revision=note["revision"],
                mentions=note["mentions"]))
            await _write(tx, note, before)
            await record(tx, caller, "note.edited", "note", note_id, note["company_id"],
                         {"revision": note["revision"]})
        return Note.model_validate(note)

    @router.get("/api/v1/notes/{note_id}/history",
                summary="Every revision of a note, the first one first")
    async def history(note_id: uuid.UUID,
                      caller: Caller = Depends(authorize("notes.history"))) -> NoteHistory:
        async with uow.transaction() as tx:
            await note_in_scope(tx, caller, note_id)
            rows = (await tx.conn.execute(sa.select(note_revisions).where(
                note_revisions.c.note_id == note_id).order_by(note_revisions.c.revision)
            )).mappings()
            return NoteHistory(items=[NoteRevision.model_validate(dict(r)) for r in rows])

    return router

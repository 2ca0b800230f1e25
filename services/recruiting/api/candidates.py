"""`/api/v1/jobs/{id}/candidates`: a job's candidates best-first, and their pipeline status."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from infra.http_conventions import ERR_VALIDATION, ApiError
from infra.uow import UnitOfWork
from schemas.events.recruiting import CandidateStatusChanged, QuestionResult
from services.recruiting import domain
from services.recruiting.access import Authorizer, Caller, not_found
from services.recruiting.api import RESPONSES
from services.recruiting.api.interviews import cancel_for_rejection
from services.recruiting.api.jobs import job_in_scope
from services.recruiting.audit import record
from services.recruiting.domain import CandidateStatus, InvalidCursor
from services.recruiting.tables import applications, candidates


class Sort(StrEnum):
    SCORE = "score"  # best first
    RECENT = "recent"  # newest score first


class RankedCandidate(BaseModel):
    candidate_id: uuid.UUID
    job_id: uuid.UUID
    match_id: uuid.UUID
    resume_version_id: uuid.UUID
    score: float
    decision: str
    breakdown: dict[str, float]
    matched_skills: list[str]
    missing_skills: list[str]
    explanation: list[str]
    scored_at: datetime
    weights_version: str | None = Field(description="The ATS weights it was scored with")
    status: CandidateStatus
    status_by: uuid.UUID | None = Field(description="Who set the status last")
    status_at: datetime | None = Field(description="When the status was set last")
    applied_at: datetime | None = Field(
        description="When the candidate applied to the job; null if they have not")
    question_score: float | None = Field(
        default=None, description="Their answers to the job's questionnaire, 0-100, as scored; "
        "null: not answered, or nothing scored")
    questions: list[QuestionResult] = Field(
        default_factory=list, description="Each answer and how it fared")


class RankedPage(BaseModel):
    items: list[RankedCandidate]
    next_cursor: str | None


class StatusChange(BaseModel):
    status: CandidateStatus


_ORDER = {Sort.SCORE: candidates.c.score, Sort.RECENT: candidates.c.scored_at}

# Each candidate's row with when they applied, if they did.
_RANKED = sa.select(candidates, applications.c.applied_at).select_from(candidates.outerjoin(
    applications, sa.and_(applications.c.job_id == candidates.c.job_id,
                          applications.c.candidate_id == candidates.c.candidate_id)))


def _after(sort: Sort, cursor: str) -> sa.ColumnElement[bool]:
    """Rows after the cursor's in the sort's order (descending, the candidate id breaking ties)."""
    key = _ORDER[sort]
    try:
        value, ident = domain.decode_cursor(cursor, sort.value, 2)
        start: object = float(value) if sort is Sort.SCORE else datetime.fromisoformat(value)
        candidate = uuid.UUID(ident)
    except (InvalidCursor, ValueError):
        raise ApiError(400, ERR_VALIDATION, "invalid cursor") from None
    return sa.tuple_(key, candidates.c.candidate_id) < sa.tuple_(
        sa.literal(start, key.type), sa.literal(candidate, candidates.c.candidate_id.type))


def _cursor(sort: Sort, last: RankedCandidate) -> str:
    value = repr(last.score) if sort is Sort.SCORE else last.scored_at.isoformat()
    return domain.encode_cursor(sort.value, value, last.candidate_id)


def candidate_routes(uow: UnitOfWork, authorize: Authorizer, page_limit: int) -> APIRouter:
    router = APIRouter(prefix="/api/v1/jobs/{job_id}/candidates", tags=["recruiting"],
                       responses=RESPONSES)

    @router.get("", summary="The job's candidates, best first (or most recently scored)")
    async def ranked(
        job_id: uuid.UUID,
        sort: Sort = Sort.SCORE,
        min_score: float | None = Query(None, ge=0, le=100),
        status: CandidateStatus | None = None,
        limit: int = Query(page_limit, ge=1, le=200),
        cursor: str | None = Query(None, max_length=500),
        caller: Caller = Depends(authorize("candidates.list")),
    ) -> RankedPage:
        query = _RANKED.where(candidates.c.job_id == job_id)
        if min_score is not None:
            query = query.where(candidates.c.score >= min_score)
        if status is not None:
            query = query.where(candidates.c.status == status.value)
        if cursor:
            query = query.where(_after(sort, cursor))
        async with uow.transaction() as tx:
            await job_in_scope(tx, caller, job_id)
            rows = (await tx.conn.execute(query.order_by(
                _ORDER[sort].desc(), candidates.c.candidate_id.desc()).limit(limit + 1))
            ).mappings().all()
        items = [RankedCandidate.model_validate(dict(r)) for r in rows[:limit]]
        more = len(rows) > limit
        return RankedPage(items=items, next_cursor=_cursor(sort, items[-1]) if more else None)

    @router.patch("/{candidate_id}",
                  summary="Set a candidate's status for the job: pending, shortlisted, maybe, "
                          "rejected (announced as CandidateStatusChanged)")
    async def set_status(job_id: uuid.UUID, candidate_id: uuid.UUID, body: StatusChange,
                         caller: Caller = Depends(authorize("candidates.status")),
                         ) -> RankedCandidate:
        async with uow.transaction() as tx:
            job = await job_in_scope(tx, caller, job_id)
            row = (await tx.conn.execute(_RANKED.where(
                candidates.c.job_id == job_id, candidates.c.candidate_id == candidate_id)
                .with_for_update(of=candidates))).mappings().first()
            if row is None:
                raise not_found()
            current: dict[str, Any] = dict(row)
            if current["status"] != body.status.value:
                now = tx.clock.now()
                await tx.conn.execute(candidates.update().where(
                    candidates.c.job_id == job_id, candidates.c.candidate_id == candidate_id)
                    .values(status=body.status.value, status_by=caller.principal.user_id,
                            status_at=now))
                tx.emit(CandidateStatusChanged(
                    job_id=job_id, candidate_id=candidate_id, company_id=job["company_id"],
                    job_title=job["title"], status=body.status.value,
                    previous_status=current["status"],
                    changed_by=caller.principal.user_id, changed_at=now))
                await record(tx, caller, "candidate.status_changed", "candidate",
                             candidate_id, job["company_id"],
                             {"job_id": str(job_id), "from": current["status"],
                              "to": body.status.value})
                current.update(status=body.status.value, status_by=caller.principal.user_id,
                               status_at=now)
                if body.status is CandidateStatus.REJECTED:
                    await cancel_for_rejection(tx, caller, job, candidate_id)
        return RankedCandidate.model_validate(current)

    return router

"""Interviews: `POST /api/v1/jobs/{id}/candidates/{id}/interviews`, `GET /api/v1/jobs/{id}/
interviews`, `PATCH /api/v1/interviews/{id}` and its `cancel` and `complete`.

An interviewer is never booked twice at once: each booking is a row of
`recruiting_interview_slots`, whose exclusion constraint refuses the second of two overlapping
bookings even when both requests run at the same moment (ERR_INTERVIEWER_BUSY). Scheduling
shares the candidate's row lock with a status change, so a candidate being rejected is never
scheduled, and rejecting one cancels their scheduled interviews in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends
from pydantic import AwareDatetime, BaseModel, Field, HttpUrl, field_validator
from sqlalchemy.exc import IntegrityError

from infra.http_conventions import ERR_CONFLICT, ERR_VALIDATION, ApiError
from infra.uow import Transaction, UnitOfWork
from services.recruiting import interview_store as store
from services.recruiting import interviews as rules
from services.recruiting.access import Authorizer, Caller, not_found
from services.recruiting.api import RESPONSES, Text
from services.recruiting.api.jobs import job_in_scope
from services.recruiting.audit import record
from services.recruiting.domain import CandidateStatus, NotAllowed
from services.recruiting.interviews import InterviewKind, InterviewStatus, Plan
from services.recruiting.tables import (
    candidates,
    interviews,
    members,
)

ERR_INTERVIEWER_BUSY = "ERR_INTERVIEWER_BUSY"
ERR_CANDIDATE_REJECTED = "ERR_CANDIDATE_REJECTED"
_EXCLUSION_VIOLATION = "23P01"

_RESPONSES: dict[int | str, dict[str, Any]] = {**RESPONSES, 409: {
    **RESPONSES[409], "description": f"{ERR_INTERVIEWER_BUSY}: an interviewer is booked then; "
                                     f"{ERR_CANDIDATE_REJECTED}; ERR_CONFLICT: the interview "
                                     "is cancelled or completed"}}


class InterviewChange(BaseModel):
    """A reschedule: the fields given change, the others stay."""

    starts_at: AwareDatetime | None = Field(default=None, description="ISO 8601 with offset")
    time_zone: str | None = Field(default=None, max_length=64,
                                  description="IANA name, e.g. Europe/Berlin")
    duration_min: int | None = Field(default=None, ge=1, le=rules.MAX_DURATION_MIN)
    location: Text | None = Field(default=None, max_length=500)
    link: HttpUrl | None = None
    interviewer_ids: list[uuid.UUID] | None = Field(default=None, min_length=1,
                                                    max_length=rules.MAX_INTERVIEWERS)

    @field_validator("starts_at", "time_zone", "duration_min", "interviewer_ids")
    @classmethod
    def _given(cls, value: object) -> object:
        """Left out, the value stays; given, it must be one (location and link may be
        cleared with null)."""
        if value is None:
            raise ValueError("may be left out but not null")
        return value

    @field_validator("time_zone")
    @classmethod
    def _iana(cls, value: str) -> str:
        if not rules.is_time_zone(value):
            raise ValueError("not an IANA time zone name (e.g. Europe/Berlin)")
        return value


class NewInterview(InterviewChange):
    kind: InterviewKind
    starts_at: AwareDatetime = Field(description="ISO 8601 with offset")
    time_zone: str = Field(max_length=64, description="IANA name, e.g. Europe/Berlin")
    duration_min: int = Field(ge=1, le=rules.MAX_DURATION_MIN)
    interviewer_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=rules.MAX_INTERVIEWERS,
        description="Members of the job's company")


class InterviewOut(BaseModel):
    interview_id: uuid.UUID
    job_id: uuid.UUID
    candidate_id: uuid.UUID
    kind: InterviewKind
    starts_at: datetime = Field(description="In the interview's time zone")
    time_zone: str
    duration_min: int
    location: str | None
    link: str | None
    interviewer_ids: list[uuid.UUID]
    status: InterviewStatus
    sequence: int = Field(description="0 when scheduled, one more with each change")
    updated_at: datetime

    @classmethod
    def of(cls, row: dict[str, Any]) -> InterviewOut:
        return cls.model_validate({**row, "starts_at": rules.plan_of(row).local_start()})


class InterviewList(BaseModel):
    items: list[InterviewOut]


def _edits(body: InterviewChange) -> dict[str, Any]:
    values = body.model_dump(include=set(InterviewChange.model_fields), exclude_unset=True)
    if values.get("link") is not None:
        values["link"] = str(values["link"])
    return values


def _check(plan: Plan, now: datetime, *, new_start: bool = True) -> None:
    """422 naming every problem of the plan."""
    found = rules.problems(plan, now, new_start=new_start)
    if found:
        raise ApiError(422, ERR_VALIDATION, "; ".join(found), {"problems": found})


async def _check_members(tx: Transaction, company_id: uuid.UUID,
                         interviewer_ids: Sequence[uuid.UUID]) -> None:
    known = (await tx.conn.execute(sa.select(members.c.user_id).where(
        members.c.company_id == company_id,
        members.c.user_id.in_(interviewer_ids)))).scalars().all()
    strangers = rules.not_members(interviewer_ids, known)
    if strangers:
        raise ApiError(422, ERR_VALIDATION, "interviewer_ids: not members of the company",
                       {"interviewer_ids": strangers})


async def _busy_error(uow: UnitOfWork, plan: Plan, interview_id: uuid.UUID) -> ApiError:
    """409 naming the interviewers booked elsewhere at the plan's time."""
    async with uow.engine.connect() as conn:
        taken = await store.busy(conn, plan, interview_id)
    return ApiError(409, ERR_INTERVIEWER_BUSY, "an interviewer has another interview then",
                    {"interviewer_ids": taken})


def _double_booked(exc: IntegrityError) -> bool:
    return getattr(exc.orig, "sqlstate", None) == _EXCLUSION_VIOLATION


async def _interview_in_scope(tx: Transaction, caller: Caller,
                              interview_id: uuid.UUID) -> dict[str, Any]:
    """The interview, row-locked, if the caller's company holds it; 404 otherwise."""
    row = (await tx.conn.execute(sa.select(interviews).where(
        interviews.c.interview_id == interview_id).with_for_update())).mappings().first()
    caller.check(row["company_id"] if row else None)
    return dict(row)  # type: ignore[arg-type]


def _move(row: dict[str, Any], action: str, now: datetime) -> InterviewStatus:
    try:
        return rules.move(InterviewStatus(row["status"]), action, now=now,
                          starts_at=row["starts_at"])
    except NotAllowed as exc:
        raise ApiError(409, ERR_CONFLICT, str(exc)) from None


async def cancel_for_rejection(tx: Transaction, caller: Caller, job: dict[str, Any],
                               candidate_id: uuid.UUID) -> int:
    """Cancel the candidate's scheduled interviews for the job, each announced (the
    interviewers and the candidate get the calendar's cancellation); how many."""
    cancelled = await store.cancel_scheduled(tx, candidate_id, "candidate_rejected",
                                             job["job_id"])
    for row in cancelled:
        await record(tx, caller, "interview.cancelled", "interview", row["interview_id"],
                     row["company_id"], {"reason": "candidate_rejected"})
    return len(cancelled)


def interview_routes(uow: UnitOfWork, authorize: Authorizer) -> APIRouter:
    router = APIRouter(tags=["recruiting"], responses=_RESPONSES)

    @router.post("/api/v1/jobs/{job_id}/candidates/{candidate_id}/interviews", status_code=201,
                 summary="Schedule an interview with a candidate of the job (invitations with "
                         "an .ics go to the candidate and the interviewers)")
    async def schedule(job_id: uuid.UUID, candidate_id: uuid.UUID, body: NewInterview,
                       caller: Caller = Depends(authorize("interviews.schedule")),
                       ) -> InterviewOut:
        plan = Plan(kind=body.kind, starts_at=body.starts_at, time_zone=body.time_zone,
                    duration_min=body.duration_min, location=body.location,
                    link=str(body.link) if body.link else None,
                    interviewer_ids=tuple(body.interviewer_ids))
        row: dict[str, Any] = {"interview_id": uuid.uuid4()}
        try:
            async with uow.transaction() as tx:
                job = await job_in_scope(tx, caller, job_id)
                # Shared with a status change's lock: no rejection slips in between.
                status = await tx.conn.scalar(sa.select(candidates.c.status).where(
                    candidates.c.job_id == job_id, candidates.c.candidate_id == candidate_id)
                    .with_for_update(read=True))
                if status is None:
                    raise not_found()
                if status == CandidateStatus.REJECTED:
                    raise ApiError(409, ERR_CANDIDATE_REJECTED,
                                   "a rejected candidate cannot be scheduled")
                now = tx.clock.now()
                _check(plan, now)
                await _check_members(tx, job["company_id"], plan.interviewer_ids)
                row.update(company_id=job["company_id"], job_id=job_id,
                           candidate_id=candidate_id, kind=plan.kind.value,
                           status=InterviewStatus.SCHEDULED.value, starts_at=plan.starts_at,
                           time_zone=plan.time_zone, duration_min=plan.duration_min,
                           location=plan.location, link=plan.link,
                           interviewer_ids=list(plan.interviewer_ids), sequence=0,
                           created_by=caller.principal.user_id, created_at=now, updated_at=now)
                await tx.conn.execute(interviews.insert().values(**row))
                await store.book(tx, row["interview_id"], plan)
                tx.emit(rules.scheduled(row, job, await store.company_name(tx, job["company_id"])))
                await record(tx, caller, "interview.scheduled", "interview",
                             row["interview_id"], job["company_id"],
                             {"job_id": str(job_id), "candidate_id": str(candidate_id)})
        except IntegrityError as exc:
            if not _double_booked(exc):
                raise
            raise await _busy_error(uow, plan, row["interview_id"]) from None
        return InterviewOut.of(row)

    @router.get("/api/v1/jobs/{job_id}/interviews",
                summary="The job's interviews, soonest first")
    async def list_interviews(job_id: uuid.UUID,
                              caller: Caller = Depends(authorize("interviews.list")),
                              ) -> InterviewList:
        async with uow.transaction() as tx:
            await job_in_scope(tx, caller, job_id)
            rows = (await tx.conn.execute(sa.select(interviews).where(
                interviews.c.job_id == job_id).order_by(
                interviews.c.starts_at, interviews.c.interview_id))).mappings().all()
        return InterviewList(items=[InterviewOut.of(dict(r)) for r in rows])

    @router.patch("/api/v1/interviews/{interview_id}",
                  summary="Reschedule: time, time zone, duration, place, link or interviewers "
                          "(the invitations are updated under the same UID)")
    async def reschedule(interview_id: uuid.UUID, body: InterviewChange,
                         caller: Caller = Depends(authorize("interviews.update")),
                         ) -> InterviewOut:
        edits = _edits(body)
        plan: Plan | None = None
        try:
            async with uow.transaction() as tx:
                row = await _interview_in_scope(tx, caller, interview_id)
                now = tx.clock.now()
                _move(row, "reschedule", now)
                before = rules.plan_of(row)
                plan = rules.changed(before, edits)
                if plan == before:
                    return InterviewOut.of(row)  # nothing to change, record or announce
                _check(plan, now, new_start=plan.starts_at != before.starts_at)
                if plan.interviewer_ids != before.interviewer_ids:
                    await _check_members(tx, row["company_id"], plan.interviewer_ids)
                previous = dict(row)
                row.update(starts_at=plan.starts_at, time_zone=plan.time_zone,
                           duration_min=plan.duration_min, location=plan.location,
                           link=plan.link, interviewer_ids=list(plan.interviewer_ids),
                           sequence=row["sequence"] + 1, updated_at=now)
                await store.save(tx, row)
                await store.book(tx, interview_id, plan)
                tx.emit(rules.rescheduled(previous, row, await store.job_row(tx, row["job_id"]),
                                          await store.company_name(tx, row["company_id"])))
                await record(tx, caller, "interview.rescheduled", "interview", interview_id,
                             row["company_id"], {"fields": sorted(edits)})
        except IntegrityError as exc:
            if plan is None or not _double_booked(exc):
                raise
            raise await _busy_error(uow, plan, interview_id) from None
        return InterviewOut.of(row)

    async def end(interview_id: uuid.UUID, caller: Caller, action: str) -> InterviewOut:
        """Cancel or complete: both final; a cancellation frees the interviewers and is
        announced."""
        async with uow.transaction() as tx:
            row = await _interview_in_scope(tx, caller, interview_id)
            now = tx.clock.now()
            status = _move(row, action, now)
            if status is InterviewStatus.CANCELLED:
                await store.cancel(tx, row)
            else:
                row.update(status=status.value, updated_at=now)
                await store.save(tx, row)
            await record(tx, caller, f"interview.{status.value}", "interview", interview_id,
                         row["company_id"])
        return InterviewOut.of(row)

    @router.post("/api/v1/interviews/{interview_id}/cancel",
                 summary="Cancel a scheduled interview (the invitations are cancelled)")
    async def cancel(interview_id: uuid.UUID,
                     caller: Caller = Depends(authorize("interviews.update"))) -> InterviewOut:
        return await end(interview_id, caller, "cancel")

    @router.post("/api/v1/interviews/{interview_id}/complete",
                 summary="Mark an interview that has begun as held")
    async def complete(interview_id: uuid.UUID,
                       caller: Caller = Depends(authorize("interviews.update"))) -> InterviewOut:
        return await end(interview_id, caller, "complete")

    return router

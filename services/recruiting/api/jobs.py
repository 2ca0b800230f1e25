"""`POST /api/v1/jobs`, `PATCH /api/v1/jobs/{id}`, `GET /api/v1/companies/{id}/jobs`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, HttpUrl, field_validator

from infra.http_conventions import ERR_CONFLICT, ERR_VALIDATION, ApiError
from infra.uow import Transaction, UnitOfWork
from services.recruiting import domain
from services.recruiting.access import Authorizer, Caller
from services.recruiting.api import RESPONSES, Text
from services.recruiting.api.companies import company_of
from services.recruiting.audit import record
from services.recruiting.domain import InvalidCursor, JobStatus, NotAllowed
from services.recruiting.tables import companies, jobs

Workplace = Literal["remote", "hybrid", "onsite"]
EmploymentType = Literal["full_time", "part_time", "contract", "temporary", "internship",
                         "freelance"]
Period = Literal["hour", "day", "week", "month", "year"]


class JobText(BaseModel):
    """What an employer writes about a job; every field may be left out of an edit."""

    title: Text | None = Field(default=None, min_length=1, max_length=500)
    description: Text | None = Field(default=None, max_length=200_000)
    location: Text | None = Field(default=None, max_length=500)
    apply_url: HttpUrl | None = Field(
        default=None, description="The employer's own application page, if any")
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$",
                                description="ISO 3166-1 alpha-2")
    workplace: Workplace | None = None
    employment_type: EmploymentType | None = None
    salary_min: float | None = Field(default=None, ge=0)
    salary_max: float | None = Field(default=None, ge=0)
    salary_currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    salary_period: Period | None = None


class NewJob(JobText):
    title: Text = Field(min_length=1, max_length=500)
    description: Text = Field(default="", max_length=200_000)
    location: Text = Field(default="", max_length=500)
    company_id: uuid.UUID | None = Field(
        default=None, description="The caller's own company when left out")
    status: Literal["draft", "published"] = "draft"


class JobChange(JobText):
    status: JobStatus | None = None

    @field_validator("title", "description", "location")
    @classmethod
    def _given_text(cls, value: str | None) -> str:
        """Left out, the text stays; given, it must be text: the job always has one."""
        if value is None:
            raise ValueError("may be left out but not null")
        return value


class JobOut(BaseModel):
    job_id: uuid.UUID
    company_id: uuid.UUID
    status: JobStatus
    title: str
    description: str
    location: str
    apply_url: str | None
    country: str | None
    workplace: str | None
    employment_type: str | None
    salary_min: float | None
    salary_max: float | None
    salary_currency: str | None
    salary_period: str | None
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    closed_at: datetime | None


class JobPage(BaseModel):
    items: list[JobOut]
    next_cursor: str | None


def _text(body: JobText, *, given_only: bool) -> dict[str, Any]:
    values = body.model_dump(include=set(JobText.model_fields), exclude_unset=given_only)
    if values.get("apply_url") is not None:
        values["apply_url"] = str(values["apply_url"])
    return values


async def job_in_scope(tx: Transaction, caller: Caller, job_id: uuid.UUID,
                       lock: bool = False) -> dict[str, Any]:
    """The job if the caller's company owns it (any, for an admin); 404 otherwise."""
    query = sa.select(jobs).where(jobs.c.job_id == job_id)
    row = (await tx.conn.execute(query.with_for_update() if lock else query)).mappings().first()
    caller.check(row["company_id"] if row else None)
    return dict(row)  # type: ignore[arg-type]


class JobPublisher:
    """Moves jobs between states and tells the pipeline: a published job is announced as any
    canonical job is, a closed one expires everywhere."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url

    async def moved(self, tx: Transaction, job: dict[str, Any], before: JobStatus) -> None:
        after = JobStatus(job["status"])
        now = tx.clock.now()
        if after is JobStatus.PUBLISHED and before is not JobStatus.PUBLISHED:
            tx.emit(domain.published(job, await _company(tx, job), self._base_url, now))
        elif after is JobStatus.CLOSED and before is JobStatus.PUBLISHED:
            tx.emit(domain.expired(job["job_id"], now))

    async def edited(self, tx: Transaction, before: dict[str, Any], job: dict[str, Any]) -> None:
        """A published job's material edit is announced, its revision counted in `job`."""
        if before["status"] != job["status"] or job["status"] != JobStatus.PUBLISHED:
            return  # a draft is announced when published; a closed one expires
        event = domain.updated(before, job, await _company(tx, job), self._base_url)
        if event is not None:
            job["revision"] = event.revision
            tx.emit(event)


async def _company(tx: Transaction, job: dict[str, Any]) -> str:
    return str(await tx.conn.scalar(sa.select(companies.c.name).where(
        companies.c.company_id == job["company_id"])))


def job_routes(uow: UnitOfWork, authorize: Authorizer, publisher: JobPublisher,
               page_limit: int) -> APIRouter:
    router = APIRouter(tags=["recruiting"], responses=RESPONSES)

    @router.post("/api/v1/jobs", status_code=201,
                 summary="Post a job for your company, as a draft or published at once")
    async def create(body: NewJob, caller: Caller = Depends(authorize("jobs.create"))) -> JobOut:
        company_id = caller.check(body.company_id or caller.company_id)
        _check_salary(body)
        async with uow.transaction() as tx:
            now = tx.clock.now()
            job = {**_text(body, given_only=False), "job_id": uuid.uuid4(),
                   "company_id": company_id, "status": body.status,
                   "created_by": caller.principal.user_id, "created_at": now,
                   "updated_at": now, "closed_at": None,
                   "published_at": now if body.status == "published" else None}
            await tx.conn.execute(jobs.insert().values(**job))
            await publisher.moved(tx, job, JobStatus.DRAFT)
            await record(tx, caller, f"job.{body.status}", "job", job["job_id"], company_id)
        return JobOut.model_validate(job)

    @router.patch("/api/v1/jobs/{job_id}",
                  summary="Edit a job (a published one is announced as JobUpdated and re-scored), "
                          "publish it, or close it (closed is final)")
    async def change(job_id: uuid.UUID, body: JobChange,
                     caller: Caller = Depends(authorize("jobs.update"))) -> JobOut:
        edits = _text(body, given_only=True)
        async with uow.transaction() as tx:
            job = await job_in_scope(tx, caller, job_id, lock=True)
            before = JobStatus(job["status"])
            try:
                after = domain.job_change(before, body.status, edits)
            except NotAllowed as exc:
                raise ApiError(409, ERR_CONFLICT, str(exc)) from None
            if after is before and not edits:
                return JobOut.model_validate(job)  # nothing to change, record or announce
            now = tx.clock.now()
            previous = dict(job)
            job.update(edits, status=after.value, updated_at=now)
            _check_salary(JobText.model_validate(
                {k: job[k] for k in ("salary_min", "salary_max")}))
            if after is not before:
                job[f"{after.value}_at"] = now
            await publisher.edited(tx, previous, job)
            await tx.conn.execute(jobs.update().where(jobs.c.job_id == job_id).values(
                {k: v for k, v in job.items() if k != "job_id"}))
            await publisher.moved(tx, job, before)
            action = "job.edited" if after is before else f"job.{after.value}"
            await record(tx, caller, action, "job", job_id, job["company_id"],
                         {"fields": sorted(edits)})
        return JobOut.model_validate(job)

    @router.get("/api/v1/companies/{company_id}/jobs",
                summary="A company's jobs, newest first")
    async def list_jobs(
        company_id: uuid.UUID,
        status: JobStatus | None = None,
        limit: int = Query(page_limit, ge=1, le=200),
        cursor: str | None = Query(None, max_length=500),
        caller: Caller = Depends(authorize("jobs.list")),
    ) -> JobPage:
        await company_of(uow, caller, company_id)
        query = sa.select(jobs).where(jobs.c.company_id == company_id)
        if status is not None:
            query = query.where(jobs.c.status == status.value)
        if cursor:
            try:
                at, ident = domain.decode_cursor(cursor, "created", 2)
                after = (datetime.fromisoformat(at), uuid.UUID(ident))
            except (InvalidCursor, ValueError):
                raise ApiError(400, ERR_VALIDATION, "invalid cursor") from None
            query = query.where(sa.tuple_(jobs.c.created_at, jobs.c.job_id) < sa.tuple_(
                sa.literal(after[0], jobs.c.created_at.type),
                sa.literal(after[1], jobs.c.job_id.type)))
        async with uow.engine.connect() as conn:
            rows = (await conn.execute(query.order_by(jobs.c.created_at.desc(),
                                                      jobs.c.job_id.desc())
                                       .limit(limit + 1))).mappings().all()
        items = [JobOut.model_validate(dict(r)) for r in rows[:limit]]
        last = items[-1] if len(rows) > limit else None
        return JobPage(items=items, next_cursor=domain.encode_cursor(
            "created", last.created_at.isoformat(), last.job_id) if last else None)

    return router


def _check_salary(body: JobText) -> None:
    if body.salary_min is not None and body.salary_max is not None \
            and body.salary_min > body.salary_max:
        raise ApiError(422, ERR_VALIDATION, "salary_min is above salary_max")


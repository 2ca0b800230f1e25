"""What the API asks of the read model: filters per resource, pages and single rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from services.gateway.readmodel import tables as t
from services.gateway.readmodel.paging import Page, one, page


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class JobFilters:
    text: str | None = None
    company: str | None = None
    location: str | None = None
    remote: bool | None = None
    open: bool | None = True
    country: str | None = None
    employment_type: str | None = None
    min_salary: float | None = None

    def where(self) -> list[sa.ColumnElement[bool]]:
        j = t.jobs.c
        conditions: list[sa.ColumnElement[bool]] = []
        if self.text:
            conditions.append(sa.or_(j.title.ilike(_like(self.text), escape="\\"),
                                     j.description.ilike(_like(self.text), escape="\\")))
        if self.company:
            conditions.append(j.company.ilike(_like(self.company), escape="\\"))
        if self.location:
            conditions.append(j.location.ilike(_like(self.location), escape="\\"))
        if self.remote is not None:
            is_remote = sa.func.coalesce(j.workplace, "") == "remote"
            conditions.append(is_remote if self.remote else sa.not_(is_remote))
        if self.open is not None:
            conditions.append(j.open.is_(self.open))
        if self.country:
            conditions.append(sa.func.upper(j.country) == self.country.upper())
        if self.employment_type:
            conditions.append(j.employment_type == self.employment_type)
        if self.min_salary is not None:
            conditions.append(j.salary_max >= self.min_salary)
        return conditions


def _equal(column: sa.Column[Any], value: object | None) -> list[sa.ColumnElement[bool]]:
    return [] if value is None else [column == value]


async def candidates(conn: AsyncConnection, cursor: str | None, limit: int) -> Page:
    return await page(conn, t.candidates, t.candidates.c.candidate_id,
                      where=[t.candidates.c.erased_at.is_(None)], cursor=cursor, limit=limit)


async def candidate(conn: AsyncConnection, candidate_id: uuid.UUID) -> dict[str, Any] | None:
    return await one(conn, t.candidates, t.candidates.c.candidate_id, candidate_id)


async def resume_versions(conn: AsyncConnection, candidate_id: uuid.UUID,
                          cursor: str | None, limit: int) -> Page:
    return await page(conn, t.resume_versions, t.resume_versions.c.resume_version_id,
                      where=[t.resume_versions.c.candidate_id == candidate_id],
                      cursor=cursor, limit=limit)


async def resume_version(conn: AsyncConnection, rv_id: uuid.UUID) -> dict[str, Any] | None:
    return await one(conn, t.resume_versions, t.resume_versions.c.resume_version_id, rv_id)


async def jobs(conn: AsyncConnection, filters: JobFilters, cursor: str | None,
               limit: int) -> Page:
    return await page(conn, t.jobs, t.jobs.c.job_id, where=filters.where(), cursor=cursor,
                      limit=limit)


async def job(conn: AsyncConnection, job_id: uuid.UUID) -> dict[str, Any] | None:
    return await one(conn, t.jobs, t.jobs.c.job_id, job_id)


async def matches(conn: AsyncConnection, *, candidate_id: uuid.UUID | None,
                  job_id: uuid.UUID | None, decision: str | None, cursor: str | None,
                  limit: int) -> Page:
    m = t.matches.c
    return await page(conn, t.matches, m.match_id, cursor=cursor, limit=limit, where=[
        *_equal(m.candidate_id, candidate_id), *_equal(m.job_id, job_id),
        *_equal(m.decision, decision)])


async def match(conn: AsyncConnection, match_id: uuid.UUID) -> dict[str, Any] | None:
    return await one(conn, t.matches, t.matches.c.match_id, match_id)


async def applications(conn: AsyncConnection, *, candidate_id: uuid.UUID | None,
                       status: str | None, cursor: str | None, limit: int) -> Page:
    a = t.applications.c
    return await page(conn, t.applications, a.application_id, cursor=cursor, limit=limit,
                      where=[*_equal(a.candidate_id, candidate_id), *_equal(a.status, status)])


async def application(conn: AsyncConnection, app_id: uuid.UUID) -> dict[str, Any] | None:
    return await one(conn, t.applications, t.applications.c.application_id, app_id)


async def tasks(conn: AsyncConnection, *, reviewer_id: uuid.UUID | None,
                candidate_id: uuid.UUID | None, status: str | None, cursor: str | None,
                limit: int) -> Page:
    r = t.review_tasks.c
    return await page(conn, t.review_tasks, r.task_id, cursor=cursor, limit=limit, where=[
        *_equal(r.reviewer_id, reviewer_id), *_equal(r.candidate_id, candidate_id),
        *_equal(r.status, status)])


async def task(conn: AsyncConnection, task_id: uuid.UUID) -> dict[str, Any] | None:
    return await one(conn, t.review_tasks, t.review_tasks.c.task_id, task_id)


async def reviewers(conn: AsyncConnection, locked: bool | None, cursor: str | None,
                    limit: int) -> Page:
    return await page(conn, t.reviewers, t.reviewers.c.reviewer_id, cursor=cursor,
                      limit=limit, where=_equal(t.reviewers.c.locked, locked))


async def reviewer(conn: AsyncConnection, reviewer_id: uuid.UUID) -> dict[str, Any] | None:
    return await one(conn, t.reviewers, t.reviewers.c.reviewer_id, reviewer_id)


async def strikes(conn: AsyncConnection, reviewer_id: uuid.UUID, cursor: str | None,
                  limit: int) -> Page:
    return await page(conn, t.strikes, t.strikes.c.strike_id, cursor=cursor, limit=limit,
                      where=[t.strikes.c.reviewer_id == reviewer_id])


async def sources(conn: AsyncConnection, cursor: str | None, limit: int) -> Page:
    return await page(conn, t.sources, t.sources.c.source, cursor=cursor, limit=limit)


async def source(conn: AsyncConnection, name: str) -> dict[str, Any] | None:
    return await one(conn, t.sources, t.sources.c.source, name)


async def scrape_runs(conn: AsyncConnection, source_name: str | None, cursor: str | None,
                      limit: int) -> Page:
    return await page(conn, t.scrape_runs, t.scrape_runs.c.run_id, cursor=cursor, limit=limit,
                      where=_equal(t.scrape_runs.c.source, source_name))


async def scoring_configs(conn: AsyncConnection, cursor: str | None, limit: int) -> Page:
    return await page(conn, t.scoring_configs, t.scoring_configs.c.version, cursor=cursor,
                      limit=limit)


async def scoring_config(conn: AsyncConnection, version: str) -> dict[str, Any] | None:
    return await one(conn, t.scoring_configs, t.scoring_configs.c.version, version)


async def current_scoring_config(conn: AsyncConnection) -> dict[str, Any] | None:
    c = t.scoring_configs.c
    row = (await conn.execute(sa.select(t.scoring_configs)
                              .order_by(c.created_at.desc(), c.version.desc()).limit(1))
           ).mappings().first()
    return dict(row) if row else None

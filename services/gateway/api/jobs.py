"""Jobs: search and filters over the published (canonical) jobs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.gateway.api.common import ApiDeps, Cursor, Limit, found, page_of, paged
from services.gateway.api.models import JobOut, PageOut, Text
from services.gateway.policy import Access
from services.gateway.readmodel import queries
from services.gateway.readmodel.queries import JobFilters

Words = Annotated[Text | None, Query(max_length=200)]


def router(deps: ApiDeps) -> APIRouter:
    api = APIRouter(tags=["jobs"])

    @api.get("/jobs", name="jobs.list", response_model=PageOut[JobOut])
    async def list_jobs(
        access: Access = Depends(deps.authorize("jobs.list")),
        cursor: Cursor = None, limit: Limit = 50,
        q: Annotated[Text | None, Query(max_length=200, description="Words in title or text")]
        = None,
        company: Words = None, location: Words = None,
        remote: bool | None = None,
        open: Annotated[bool | None, Query(description="Open jobs only (default)")] = True,
        country: Annotated[Text | None, Query(max_length=2, min_length=2)] = None,
        employment_type: Words = None,
        min_salary: Annotated[float | None, Query(ge=0, le=1e9)] = None,
    ) -> PageOut[JobOut]:
        filters = JobFilters(q, company, location, remote, open, country, employment_type,
                             min_salary)
        async with deps.read() as conn:
            return page_of(JobOut, await paged(queries.jobs(conn, filters, cursor, limit)))

    @api.get("/jobs/{job_id}", name="jobs.get", response_model=JobOut)
    async def get_job(job_id: uuid.UUID,
                      access: Access = Depends(deps.authorize("jobs.get"))) -> JobOut:
        async with deps.read() as conn:
            return JobOut.model_validate(found(await queries.job(conn, job_id)))

    return api

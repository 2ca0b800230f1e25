"""Scrape sources and their runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.gateway.api.common import ApiDeps, Cursor, Limit, found, page_of, paged
from services.gateway.api.models import PageOut, ScrapeRunOut, SourceOut, Text
from services.gateway.policy import Access
from services.gateway.readmodel import queries

SourceName = Annotated[Text, Path(min_length=1, max_length=300)]


def router(deps: ApiDeps) -> APIRouter:
    api = APIRouter(tags=["sources"])

    @api.get("/sources", name="sources.list", response_model=PageOut[SourceOut])
    async def list_sources(access: Access = Depends(deps.authorize("sources.list")),
                           cursor: Cursor = None, limit: Limit = 50) -> PageOut[SourceOut]:
        async with deps.read() as conn:
            return page_of(SourceOut, await paged(queries.sources(conn, cursor, limit)))

    @api.get("/sources/{source}", name="sources.get", response_model=SourceOut)
    async def get_source(source: SourceName,
                         access: Access = Depends(deps.authorize("sources.get")),
                         ) -> SourceOut:
        async with deps.read() as conn:
            return SourceOut.model_validate(found(await queries.source(conn, source)))

    @api.get("/scrape-runs", name="scrape_runs.list", response_model=PageOut[ScrapeRunOut])
    async def list_runs(
        access: Access = Depends(deps.authorize("scrape_runs.list")),
        cursor: Cursor = None, limit: Limit = 50,
        source: Annotated[Text | None, Query(max_length=300)] = None,
    ) -> PageOut[ScrapeRunOut]:
        async with deps.read() as conn:
            return page_of(ScrapeRunOut,
                           await paged(queries.scrape_runs(conn, source, cursor, limit)))

    return api

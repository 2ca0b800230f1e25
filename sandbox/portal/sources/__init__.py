"""Stand-ins for Lever, Ashby, Workday and Adzuna, with fault injection for tests and demos."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox.portal.sources.apis import adzuna_router, ashby_router, lever_router, workday_router
from sandbox.portal.sources.faults import FaultPlan, Faults, faults_router
from sandbox.portal.sources.pages import PageJob, pages_router, seed_page_jobs
from sandbox.portal.sources.seed import SourceData, seed_data


def sources_router(data: SourceData | None = None, faults: Faults | None = None,
                   pages: dict[str, list[PageJob]] | None = None) -> APIRouter:
    """Every source API and page over `data` (the seed by default), misbehaving as told."""
    data = data if data is not None else seed_data()
    pages = pages if pages is not None else seed_page_jobs()
    faults = faults if faults is not None else Faults()
    router = APIRouter()
    for part in (lever_router(data, faults), ashby_router(data, faults),
                 workday_router(data, faults), adzuna_router(data, faults),
                 pages_router(pages, faults), faults_router(faults)):
        router.include_router(part)
    return router


__all__ = ["FaultPlan", "Faults", "PageJob", "SourceData", "seed_data", "seed_page_jobs",
           "sources_router"]

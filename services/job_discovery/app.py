"""Composition root of job discovery: the scrape worker, the expiry sweep and the handlers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from infra.portal_automation import StoredSwitches
from infra.runtime import Platform
from infra.service import ServiceSpec
from schemas.events.config import PortalAutomationChanged
from schemas.events.jobs import JobDiscovered, ScrapeRunCompleted
from services.job_discovery.fleet import SWITCHES, serve_fleet
from services.job_discovery.handlers import on_job_discovered, on_scrape_run_completed
from services.job_discovery.jobs.expiry import sweep_forever
from services.job_discovery.settings import JobDiscoverySettings

NAME = "job_discovery"


def build(platform: Platform, settings: JobDiscoverySettings) -> ServiceSpec:
    uow = platform.unit_of_work(NAME)

    async def scrape(stop: asyncio.Event) -> None:
        await serve_fleet(stop, uow, platform.documents, platform.redis, platform.clock,
                          settings)

    async def expire(stop: asyncio.Event) -> None:
        await sweep_forever(stop, uow, interval_s=settings.expiry_sweep_interval_s,
                            purge_after=timedelta(days=settings.job_purge_after_days))

    return ServiceSpec(
        name=NAME,
        # JobPublished and JobExpired travel on jobs.new, a topic this service only writes.
        handlers={JobDiscovered: on_job_discovered,
                  ScrapeRunCompleted: on_scrape_run_completed,
                  PortalAutomationChanged: StoredSwitches(platform.documents,
                                                          SWITCHES).on_changed},
        background=[*([scrape] if settings.fleet_enabled else []), expire],
    )

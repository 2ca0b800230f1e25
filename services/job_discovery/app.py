"""Composition root of job discovery: the scrape worker, the expiry sweep and the handlers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import structlog

from infra.portal_automation import StoredSwitches
from infra.runtime import Platform
from infra.service import ServiceSpec
from schemas.events.config import PortalAutomationChanged
from schemas.events.jobs import JobDiscovered, ScrapeRunCompleted
from services.job_discovery.fleet import SWITCHES, serve_fleet
from services.job_discovery.handlers import completion_handler, on_job_discovered
from services.job_discovery.jobs.completion import check_forever
from services.job_discovery.jobs.expiry import sweep_forever
from services.job_discovery.jobs.store import rekey_jobs
from services.job_discovery.settings import JobDiscoverySettings

NAME = "job_discovery"
log = structlog.get_logger(__name__)


def build(platform: Platform, settings: JobDiscoverySettings) -> ServiceSpec:
    uow = platform.unit_of_work(NAME)

    async def scrape(stop: asyncio.Event) -> None:
        await serve_fleet(stop, uow, platform.documents, platform.redis, platform.clock,
                          settings)

    async def expire(stop: asyncio.Event) -> None:
        # Before the first sweep: jobs stored under an earlier dedup rule's keys, keyed anew.
        async with uow.transaction() as tx:
            rekeyed = await rekey_jobs(tx.conn)
        log.info("stored jobs keyed as dedup blocks now", rekeyed=rekeyed)
        await sweep_forever(stop, uow, interval_s=settings.expiry_sweep_interval_s,
                            purge_after=timedelta(days=settings.job_purge_after_days))

    async def release_completions(stop: asyncio.Event) -> None:
        await check_forever(stop, uow, interval_s=settings.run_completion_check_s)

    return ServiceSpec(
        name=NAME,
        # JobPublished and JobExpired travel on jobs.new, a topic this service only writes.
        handlers={JobDiscovered: on_job_discovered,
                  ScrapeRunCompleted: completion_handler(settings.run_completion_wait_s),
                  PortalAutomationChanged: StoredSwitches(platform.documents,
                                                          SWITCHES).on_changed},
        background=[*([scrape] if settings.fleet_enabled else []), expire,
                    release_completions],
    )

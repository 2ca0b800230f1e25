"""Composition root of job discovery: the scrape loop and the deduplicating handler."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from infra.runtime import Platform
from infra.service import ServiceSpec
from schemas.events.jobs import JobDiscovered, ScrapeRunCompleted
from services.job_discovery.adapters.greenhouse import GreenhouseClient, make_http_client
from services.job_discovery.fleet import serve_fleet
from services.job_discovery.handlers import on_job_discovered, on_scrape_run_completed
from services.job_discovery.jobs.expiry import sweep_forever
from services.job_discovery.scraper import Scraper
from services.job_discovery.settings import JobDiscoverySettings

NAME = "job_discovery"


def build(platform: Platform, settings: JobDiscoverySettings) -> ServiceSpec:
    uow = platform.unit_of_work(NAME)

    async def scrape(stop: asyncio.Event) -> None:
        # The loop owns its HTTP client, so connections close when the service stops.
        async with make_http_client(settings.http_timeout_s) as http:
            scraper = Scraper(settings.greenhouse_boards, GreenhouseClient(http),
                              platform.documents, uow, platform.clock)
            await scraper.run(stop, interval_s=settings.scrape_interval_s,
                              on_start=settings.scrape_on_start)

    async def expire(stop: asyncio.Event) -> None:
        await sweep_forever(stop, uow, interval_s=settings.expiry_sweep_interval_s,
                            purge_after=timedelta(days=settings.job_purge_after_days))

    async def fleet(stop: asyncio.Event) -> None:
        await serve_fleet(stop, uow, platform.documents, platform.redis, platform.clock,
                          settings)

    return ServiceSpec(
        name=NAME,
        # JobPublished and JobExpired travel on jobs.new, a topic this service only writes.
        handlers={JobDiscovered: on_job_discovered,
                  ScrapeRunCompleted: on_scrape_run_completed},
        background=[scrape, expire, *([fleet] if settings.fleet_enabled else [])],
    )

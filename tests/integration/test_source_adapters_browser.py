"""Browser sources through Debian's Chromium against LinkedIn- and Indeed-shaped sandbox pages."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.db import create_engine
from infra.politeness import PortalPolicy
from sandbox.portal.sources import FaultPlan
from schemas.events.discovery import ScrapeAnomalyDetected, SourceBlocked
from schemas.events.jobs import JobDiscovered, ScrapeRunCompleted
from services.job_discovery.fleet_run import RunContext, execute_run
from services.job_discovery.sources import glassdoor_source, indeed_source, linkedin_source
from tests.integration.test_scrape_fleet_support import (
    API,
    Sandbox,
    SteppingClock,
    outbox_events,
    polite_context,
    sandbox,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

FAST = PortalPolicy(rate_per_s=1000, burst=1000, max_concurrency=4, max_attempts=2,
                    backoff_base_s=0.1)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
def portal() -> Sandbox:
    return sandbox(with_greenhouse=False)


@pytest.fixture
async def ctx(engine: AsyncEngine, redis_url: str, portal: Sandbox,
              chromium_path: str) -> AsyncIterator[RunContext]:
    redis: Redis = Redis.from_url(redis_url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=portal.app)) as http:
        context = await polite_context(engine, redis, SteppingClock(), http)
        context.chromium_path = chromium_path
        yield context
    await redis.aclose()


async def discovered(engine: AsyncEngine) -> dict[str, JobDiscovered]:
    return {e.subject: JobDiscovered.model_validate(e.data)
            for e in await outbox_events(engine, [JobDiscovered])}


async def test_linkedin_cards_pages_and_details_are_read_from_config(
    ctx: RunContext, engine: AsyncEngine, portal: Sandbox
) -> None:
    source = linkedin_source("linkedin-all", API, policy=FAST)
    summary = await execute_run(ctx, source, "l1")

    assert (summary.outcome, summary.listed, summary.new_or_changed) == ("ok", 25, 25)
    assert portal.requests_to("/jobs-guest/") == 3  # 10 + 10 + 5 cards
    assert portal.requests_to("/jobs/view/") == 25
    job = (await discovered(engine))["linkedin:3900000100"]
    assert (job.title, job.company, job.location) == (
        "Python Developer", "Hooli", "Austin, TX, USA")
    assert str(job.apply_url).startswith(f"{API}/jobs/view/python-developer-at-x-3900000100")
    assert job.description.startswith("Join Hooli as a Python Developer.")
    assert job.posted_at is not None and job.posted_at.isoformat().startswith("2026-01-10")
    raw = await ctx.documents.get("raw_jobs", "linkedin:3900000100")
    assert raw is not None and "base-search-card__title" in raw["card"]["html"]

    again = await execute_run(ctx, source, "l2")
    assert (again.listed, again.new_or_changed) == (25, 0)
    assert portal.requests_to("/jobs/view/") == 25  # no detail page read twice
    [_, second] = [ScrapeRunCompleted.model_validate(e.data)
                   for e in await outbox_events(engine, [ScrapeRunCompleted])]
    assert second.complete and len(second.seen_source_job_keys) == 25


async def test_indeed_search_terms_are_part_of_the_url(
    ctx: RunContext, engine: AsyncEngine
) -> None:
    source = indeed_source("indeed-python", API, query="python", policy=FAST)
    summary = await execute_run(ctx, source, "i1")
    assert summary.outcome == "ok"
    titles = {e.title for e in (await discovered(engine)).values()}
    assert titles == {"Python Developer"}


async def test_glassdoor_pages_are_numbered_and_its_class_prefixes_are_matched(
    ctx: RunContext, engine: AsyncEngine, portal: Sandbox
) -> None:
    summary = await execute_run(ctx, glassdoor_source("glassdoor-all", API, policy=FAST), "g1")
    assert (summary.outcome, summary.listed) == ("ok", 40)
    assert portal.faults.requests["/Job/jobs.htm"] == 2  # 30 + 10
    job = (await discovered(engine))["glassdoor:1009000001"]
    assert (job.title, job.company) == ("Data Engineer", "Pied Piper")
    assert job.description.startswith("Join Pied Piper")

    portal.faults.add(FaultPlan(path="/Job/", faults=["drift"], sticky=True))
    drifted = await execute_run(ctx, glassdoor_source("glassdoor-all", API, policy=FAST), "g2")
    assert drifted.problems[-1]["reason"] == "selector_drift"


async def test_selector_drift_is_an_alert_not_an_empty_result(
    ctx: RunContext, engine: AsyncEngine, portal: Sandbox
) -> None:
    portal.faults.add(FaultPlan(path="/jobs-guest/", faults=["drift"], sticky=True))
    summary = await execute_run(ctx, linkedin_source("linkedin-all", API, policy=FAST), "d1")
    assert summary.outcome == "failed"
    [alert] = [ScrapeAnomalyDetected.model_validate(e.data)
               for e in await outbox_events(engine, [ScrapeAnomalyDetected])]
    assert alert.kind == "selector_drift"
    assert "div.base-search-card" in alert.detail

    portal.faults.clear()
    portal.faults.add(FaultPlan(path="/jobs", faults=["drift"], sticky=True))
    await execute_run(ctx, indeed_source("indeed-all", API, policy=FAST), "d2")
    alerts = [ScrapeAnomalyDetected.model_validate(e.data)
              for e in await outbox_events(engine, [ScrapeAnomalyDetected])]
    assert alerts[-1].kind == "selector_drift" and "cards have no" in alerts[-1].detail


async def test_an_honest_empty_search_is_not_drift(ctx: RunContext, engine: AsyncEngine) -> None:
    summary = await execute_run(
        ctx, indeed_source("indeed-none", API, query="astronaut", policy=FAST), "e1")
    assert (summary.outcome, summary.listed) == ("ok", 0)
    assert await outbox_events(engine, [ScrapeAnomalyDetected]) == []


async def test_a_captcha_page_is_a_block_event(
    ctx: RunContext, engine: AsyncEngine, portal: Sandbox
) -> None:
    portal.faults.add(FaultPlan(path="/jobs-guest/", faults=["captcha"], sticky=True))
    summary = await execute_run(ctx, linkedin_source("linkedin-all", API, policy=FAST), "c1")
    assert summary.outcome == "failed"
    [blocked] = [SourceBlocked.model_validate(e.data)
                 for e in await outbox_events(engine, [SourceBlocked])]
    assert (blocked.portal, blocked.kind) == ("linkedin", "captcha")

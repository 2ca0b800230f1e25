"""Faults at the sandbox over real HTTP: 429 with Retry-After, 500s, timeouts, blocks, layout
changes and short listings. Every run finishes, says what happened, and loses nothing."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.db import create_engine
from infra.documents.postgres import PostgresDocumentStore
from infra.politeness import PoliteClient, PortalPolicy
from infra.uow import UnitOfWork
from sandbox.portal.sources import FaultPlan
from schemas.events.discovery import ScrapeAnomalyDetected, SourceBlocked
from schemas.events.jobs import JobDiscovered, ScrapeRunCompleted
from services.job_discovery.fleet_run import RunContext, execute_run
from services.job_discovery.fleet_tables import source_state
from services.job_discovery.sources import SourceConfig, sandbox_sources
from tests.integration.test_scrape_fleet_support import (
    Sandbox,
    SteppingClock,
    outbox_events,
    sandbox,
)

pytestmark = pytest.mark.integration

POLICY = PortalPolicy(rate_per_s=1000, burst=1000, max_concurrency=10, max_attempts=3,
                      backoff_base_s=1, timeout_s=0.5, lease_s=30, breaker_failures=50)


@pytest.fixture
def portal() -> Sandbox:
    return sandbox(with_greenhouse=False)


@pytest.fixture
def base_url(portal: Sandbox) -> Iterator[str]:
    """The sandbox on a real socket, so client timeouts are real timeouts."""
    server = uvicorn.Server(uvicorn.Config(portal.app, host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def sources(base_url: str) -> dict[str, SourceConfig]:
    return {s.name: s.model_copy(update={"policy": POLICY, "api_base": base_url})
            for s in sandbox_sources(base_url)}


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock()


@pytest.fixture
async def ctx(engine: AsyncEngine, redis_url: str, clock: SteppingClock,
              ) -> AsyncIterator[RunContext]:
    redis: Redis = Redis.from_url(redis_url)
    import uuid

    async with httpx.AsyncClient() as http:
        client = PoliteClient(http, redis, clock, prefix=f"test:polite:{uuid.uuid4().hex}",
                              allow_private=["127.0.0.1"])
        yield RunContext(UnitOfWork(engine, clock, source="jams/job_discovery"),
                         PostgresDocumentStore(engine), client, clock)
    await redis.aclose()


def fault(portal: Sandbox, path: str, *faults: str, sticky: bool = False) -> None:
    portal.faults.add(FaultPlan(path=path, faults=list(faults), sticky=sticky))


async def keys_discovered(engine: AsyncEngine) -> list[str]:
    return [e.subject for e in await outbox_events(engine, [JobDiscovered])]


async def completed(engine: AsyncEngine, run_id: str) -> ScrapeRunCompleted:
    [event] = [ScrapeRunCompleted.model_validate(e.data)
               for e in await outbox_events(engine, [ScrapeRunCompleted])
               if e.data["run_id"] == run_id]
    return event


async def test_429_with_retry_after_is_waited_out_and_noted(
    ctx: RunContext, engine: AsyncEngine, portal: Sandbox, sources: dict[str, SourceConfig],
    clock: SteppingClock,
) -> None:
    fault(portal, "/v0/postings/acme", "429:7")
    summary = await execute_run(ctx, sources["lever-acme"], "r1")
    assert (summary.outcome, summary.new_or_changed) == ("ok", 2)
    assert [(r["reason"], r["status"], r["wait_s"]) for r in summary.retries] == [
        ("rate_limited", 429, 7)]
    assert 7 in clock.slept
    assert await outbox_events(engine, [SourceBlocked]) == []


async def test_500s_past_every_retry_fail_the_run_and_the_next_run_catches_up(
    ctx: RunContext, engine: AsyncEngine, portal: Sandbox, sources: dict[str, SourceConfig],
) -> None:
    fault(portal, "/posting-api/job-board/acme", "500", "500", "500")
    failed = await execute_run(ctx, sources["ashby-acme"], "r1")
    assert failed.outcome == "failed"
    assert [r["reason"] for r in failed.retries] == ["http_500"] * 3
    run = await completed(engine, "r1")
    assert not run.complete and run.errors and run.errors[0].startswith("failed: ")
    assert await keys_discovered(engine) == []

    again = await execute_run(ctx, sources["ashby-acme"], "r2")
    assert (again.outcome, again.new_or_changed) == ("ok", 2)


async def test_a_timeout_is_retried(
    ctx: RunContext, engine: AsyncEngine, portal: Sandbox, sources: dict[str, SourceConfig],
) -> None:
    fault(portal, "/wday/cxs/initech/External/job/Austin-TX/Backend-Engineer_R-1000",
          "timeout:3")
    summary = await execute_run(ctx, sources["workday-initech"], "r1")
    assert (summary.outcome, summary.new_or_changed) == ("ok", 45)
    assert [r["reason"] for r in summary.retries] == ["timeout"]


async def test_a_page_failing_mid_listing_keeps_what_came_and_the_cursor(
    ctx: RunContext, engine: AsyncEngine, portal: Sandbox, sources: dict[str, SourceConfig],
) -> None:
    fault(portal, "/v1/api/jobs/gb/search/2", "503", "503", "503")
    partial = await execute_run(ctx, sources["adzuna-gb"], "r1")
    assert (partial.outcome, partial.fetched, partial.new_or_changed) == ("partial", 50, 50)
    assert partial.cursor is None  # not moved past jobs it never saw
    assert partial.problems[-1]["reason"] == "failed"

    rest = await execute_run(ctx, sources["adzuna-gb"], "r2")
    assert (rest.outcome, rest.new_or_changed) == ("ok", 70)
    keys = await keys_discovered(engine)
    assert len(keys) == len(set(keys)) == 120  # nothing lost, nothing twice


async def test_a_changed_payload_shape_is_an_anomaly_not_an_empty_board(
    ctx: RunContext, engine: AsyncEngine, portal: Sandbox, sources: dict[str, SourceConfig],
) -> None:
    await execute_run(ctx, sources["lever-acme"], "r1")
    fault(portal, "/v0/postings/acme", "layout", sticky=True)
    summary = await execute_run(ctx, sources["lever-acme"], "r2")
    assert summary.outcome == "failed"
    [alert] = [ScrapeAnomalyDetected.model_validate(e.data)
               for e in await outbox_events(engine, [ScrapeAnomalyDetected])]
    assert (alert.kind, alert.run_id) == ("layout_changed", "r2")
    assert "expected a JSON array" in alert.detail
    assert not (await completed(engine, "r2")).complete  # so no job expires for it


@pytest.mark.parametrize(("answer", "reason", "kind"), [
    ("captcha", "blocked", "captcha"), ("403", "blocked", "forbidden"),
    ("429:3600", "rate_limited", ""),
])
async def test_blocks_are_events(
    ctx: RunContext, engine: AsyncEngine, portal: Sandbox, sources: dict[str, SourceConfig],
    answer: str, reason: str, kind: str,
) -> None:
    strict = POLICY.model_copy(update={"max_retry_after_s": 600})
    fault(portal, "/posting-api/job-board/acme", answer, sticky=True)
    summary = await execute_run(
        ctx, sources["ashby-acme"].model_copy(update={"policy": strict}), "r1")
    assert summary.outcome == "failed"
    [blocked] = [SourceBlocked.model_validate(e.data)
                 for e in await outbox_events(engine, [SourceBlocked])]
    assert (blocked.source, blocked.reason, blocked.kind) == ("ashby-acme", reason, kind)
    assert (await completed(engine, "r1")).errors[0].startswith(reason)


async def test_far_fewer_jobs_than_usual_raises_an_alert_and_expires_nothing(
    ctx: RunContext, engine: AsyncEngine, portal: Sandbox, sources: dict[str, SourceConfig],
) -> None:
    workday = sources["workday-initech"]
    await execute_run(ctx, workday, "r1")
    await execute_run(ctx, workday, "r2")
    fault(portal, "/wday/cxs/initech/External/jobs", "truncate:3", sticky=True)

    summary = await execute_run(ctx, workday, "r3")

    assert summary.listed == 3
    [alert] = [ScrapeAnomalyDetected.model_validate(e.data)
               for e in await outbox_events(engine, [ScrapeAnomalyDetected])]
    assert (alert.kind, alert.observed, alert.expected) == ("too_few_jobs", 3, 45)
    assert not (await completed(engine, "r3")).complete
    async with engine.connect() as conn:
        runs = await conn.scalar(sa.select(source_state.c.runs))
    assert runs == 3


async def test_the_runs_keep_going_across_many_random_faults(
    ctx: RunContext, engine: AsyncEngine, portal: Sandbox, sources: dict[str, SourceConfig],
) -> None:
    import random

    rng = random.Random(7)
    menu = ["429:1", "500", "503", "timeout:2", "layout", "captcha", "ok"]
    for source in ("lever-acme", "ashby-acme", "adzuna-gb"):
        path = {"lever-acme": "/v0/postings/acme", "ashby-acme": "/posting-api/job-board/acme",
                "adzuna-gb": "/v1/api/jobs/gb/search/"}[source]
        faults = [f for f in rng.choices(menu, k=6) if f != "ok"]
        fault(portal, path, *faults)
    for attempt in range(8):
        for source in ("lever-acme", "ashby-acme", "adzuna-gb"):
            await execute_run(ctx, sources[source], f"{source}-{attempt}")
        await asyncio.sleep(0)
    keys = await keys_discovered(engine)
    assert len(keys) == len(set(keys)) == 2 + 2 + 120

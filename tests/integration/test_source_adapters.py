"""Every source adapter against the sandbox: fields, paging, incremental runs, filters, safety."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.db import create_engine
from sandbox.portal.sources.seed import WorkdayJob, adzuna_job
from schemas.events.jobs import JobDiscovered, ScrapeRunCompleted
from services.job_discovery.announce import RAW_COLLECTION
from services.job_discovery.fleet_run import RunContext, execute_run
from services.job_discovery.fleet_tables import source_state
from services.job_discovery.jobs.store import ingest
from services.job_discovery.sources import (
    AshbySource,
    SearchFilters,
    SourceConfig,
    sandbox_sources,
)
from services.job_discovery.tables import job_sightings
from tests.integration.test_scrape_fleet_support import (
    API,
    Sandbox,
    SteppingClock,
    outbox_events,
    polite_context,
    sandbox,
)

pytestmark = pytest.mark.integration

SOURCES: dict[str, SourceConfig] = {s.name: s for s in sandbox_sources(API)}


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client: Redis = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def portal() -> Sandbox:
    return sandbox()


@pytest.fixture
async def ctx(engine: AsyncEngine, redis: Redis, portal: Sandbox) -> AsyncIterator[RunContext]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=portal.app)) as http:
        yield await polite_context(engine, redis, SteppingClock(), http)


async def discovered(engine: AsyncEngine) -> dict[str, JobDiscovered]:
    return {e.subject: JobDiscovered.model_validate(e.data)
            for e in await outbox_events(engine, [JobDiscovered])}


async def test_every_adapter_reads_its_sandbox_source(
    ctx: RunContext, engine: AsyncEngine
) -> None:
    summaries = {name: await execute_run(ctx, source, f"run-{name}")
                 for name, source in SOURCES.items()}

    counts = {name: (s.outcome, s.listed, s.fetched, s.new_or_changed)
              for name, s in summaries.items()}
    assert counts == {
        "greenhouse-acme": ("ok", 4, 4, 4), "greenhouse-globex": ("ok", 1, 1, 1),
        "greenhouse-acme-careers": ("ok", 1, 1, 1), "lever-acme": ("ok", 2, 2, 2),
        "ashby-acme": ("ok", 2, 2, 2),
        "workday-initech": ("ok", 45, 45, 45), "adzuna-gb": ("ok", 120, 120, 120),
    }
    events = await discovered(engine)
    assert len(events) == 4 + 1 + 1 + 2 + 2 + 45 + 120
    assert all(e.run_id == f"run-{name}" for name in SOURCES for e in events.values()
               if e.run_id and e.run_id.endswith(name)) and all(e.run_id for e in events.values())

    lever = [e for e in events.values() if e.source == "lever"]
    backend = next(e for e in lever if e.title.startswith("Senior Backend"))
    assert (backend.company, backend.location) == ("Acme", "Remote")
    assert str(backend.apply_url).startswith(f"{API}/lever/acme/")
    assert "PostgreSQL: schema design" in backend.description
    assert backend.posted_at is not None

    workday = events["workday:initech:R-1000"]
    assert (workday.company, workday.title, workday.location) == (
        "Initech", "Backend Engineer", "Austin, TX")
    assert str(workday.apply_url) == f"{API}/en-US/External/job/Austin-TX/Backend-Engineer_R-1000"
    adzuna = events["adzuna:4700000000"]
    assert (adzuna.company, adzuna.location) == ("Hooli", "London, London")

    # The same Acme job on two Greenhouse boards, Lever and Ashby is one canonical job.
    async with ctx.uow.transaction() as tx:
        await ingest(tx, list(events.values()))
    async with engine.connect() as conn:
        ids = [(row.source_job_key, row.job_id) for row in await conn.execute(
            sa.select(job_sightings.c.source_job_key, job_sightings.c.job_id))]
    same = [(key.split(":")[0], job) for key, job in ids
            if events[key].title == "Senior Backend Engineer (Python)"]
    assert sorted(source for source, _ in same) == ["ashby", "greenhouse", "greenhouse", "lever"]
    assert len({job for _, job in same}) == 1

    raw = await ctx.documents.get(RAW_COLLECTION, backend.source_job_key)
    assert raw is not None and raw["text"] == backend.title
    assert raw["_fetch"]["source_url"] == f"{API}/v0/postings/acme"

    completed = {e.subject: ScrapeRunCompleted.model_validate(e.data)
                 for e in await outbox_events(engine, [ScrapeRunCompleted])}
    assert completed["workday-initech"].complete
    assert len(completed["workday-initech"].seen_source_job_keys) == 45
    assert not completed["adzuna-gb"].complete  # a search never lists everything
    assert completed["ashby-acme"].errors == []


async def test_a_second_run_fetches_and_emits_only_what_is_new(
    ctx: RunContext, engine: AsyncEngine, portal: Sandbox
) -> None:
    adzuna, workday = SOURCES["adzuna-gb"], SOURCES["workday-initech"]
    await execute_run(ctx, adzuna, "a1")
    await execute_run(ctx, workday, "w1")
    assert portal.requests_to("/v1/api/jobs/gb/search/") == 3  # 50 + 50 + 20
    assert portal.requests_to("/wday/cxs/initech/External/job/") == 45
    newest = max(j["created"] for j in portal.data.adzuna["gb"])
    async with engine.connect() as conn:
        cursor = await conn.scalar(sa.select(source_state.c.cursor)
                                   .where(source_state.c.source == "adzuna-gb"))
    assert cursor is not None and cursor.startswith(newest[:19].replace("Z", ""))

    latest = portal.data.workday[("initech", "External")][0]
    portal.data.workday[("initech", "External")].append(WorkdayJob(
        req_id="R-2000", title="Payroll Specialist", city="Denver", region="CO", country="US",
        posted=latest.posted + timedelta(days=1), description="<p>TPS reports</p>"))
    start = datetime.fromisoformat(newest.replace("Z", "+00:00")).astimezone(UTC)
    portal.data.adzuna["gb"] += [adzuna_job(500 + i, start + timedelta(hours=i + 1))
                                 for i in range(3)]
    before = dict(portal.faults.requests)

    second_adzuna = await execute_run(ctx, adzuna, "a2")
    second_workday = await execute_run(ctx, workday, "w2")

    assert portal.requests_to("/v1/api/jobs/gb/search/") - sum(
        n for p, n in before.items() if p.startswith("/v1/api/jobs/gb/search/")) == 1
    assert portal.requests_to("/wday/cxs/initech/External/job/") - 45 == 1
    # The job at the high-water mark itself is read again (same second), but is no news.
    assert (second_adzuna.fetched, second_adzuna.new_or_changed) == (4, 3)
    assert (second_workday.listed, second_workday.new_or_changed) == (46, 1)
    events = await discovered(engine)
    assert len(events) == 120 + 45 + 3 + 1
    assert events["workday:initech:R-2000"].run_id == "w2"
    completed = [ScrapeRunCompleted.model_validate(e.data)
                 for e in await outbox_events(engine, [ScrapeRunCompleted])]
    # Unchanged postings were not fetched again but are still reported as seen.
    assert len(next(c for c in completed if c.run_id == "w2").seen_source_job_keys) == 46


async def test_a_filter_the_source_cannot_apply_is_reported_and_applied_locally(
    ctx: RunContext, engine: AsyncEngine
) -> None:
    source = AshbySource(name="ashby-design", board="acme", company="Acme", api_base=API,
                         filters=SearchFilters(keywords="designer"))
    summary = await execute_run(ctx, source, "f1")
    assert summary.problems == [{
        "reason": "filter_not_supported",
        "detail": "ashby cannot filter by keywords; applied to the fetched postings instead"}]
    assert [e.title for e in (await discovered(engine)).values()] == ["Product Designer"]


async def test_bad_postings_are_skipped_with_their_reason(
    ctx: RunContext, engine: AsyncEngine, portal: Sandbox
) -> None:
    portal.data.lever["acme"].append({"id": "broken", "text": "", "hostedUrl": "x"})
    portal.data.lever["acme"].append("not an object")  # type: ignore[arg-type]
    summary = await execute_run(ctx, SOURCES["lever-acme"], "b1")
    assert (summary.outcome, summary.fetched, summary.skipped) == ("ok", 2, 2)
    reasons = [p["detail"] for p in summary.problems]
    assert any("'broken'" in r and "text" in r for r in reasons)
    assert len(await discovered(engine)) == 2


async def test_sources_on_private_addresses_are_refused_unless_allow_listed(
    engine: AsyncEngine, redis: Redis
) -> None:
    requests: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=[])

    source = AshbySource(name="sneaky", board="x", company="X",
                         api_base="http://169.254.169.254/latest")
    async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as http:
        ctx = await polite_context(engine, redis, SteppingClock(), http)
        summary = await execute_run(ctx, source, "s1")
    assert summary.outcome == "failed"
    assert summary.problems[0]["reason"] == "unsafe_url"
    assert requests == []

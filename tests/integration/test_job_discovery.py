"""Job discovery end to end on real PostgreSQL: scrape the sandbox's seed boards through the
fleet's runs, dedupe, publish each job once; a Greenhouse board's bad answers, each with its
reason."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable, Sequence

import httpx
import pytest
import sqlalchemy as sa
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.clock import FakeClock
from infra.db import create_engine
from infra.politeness import PortalPolicy
from infra.uow import UnitOfWork
from sandbox.portal import SEED_JOBS, PortalJob, SubmissionStore, create_app
from sandbox.portal.catalog import job_json
from schemas.events.envelope import Envelope
from schemas.events.jobs import JobDiscovered, JobPublished
from services.job_discovery.announce import RAW_COLLECTION
from services.job_discovery.fleet import FleetWorker, schedule_due_runs
from services.job_discovery.fleet_run import RunContext, RunSummary, execute_run
from services.job_discovery.fleet_tables import scrape_runs
from services.job_discovery.handlers import on_job_discovered
from services.job_discovery.sources import GreenhouseSource, SourceConfig, sandbox_seed_boards
from services.job_discovery.tables import canonical_jobs, job_postings, job_sightings
from tests.integration.test_scrape_fleet_support import (
    API,
    SteppingClock,
    outbox_events,
    polite_context,
)
from tests.unit.test_greenhouse_postings import greenhouse_job

pytestmark = pytest.mark.integration

GROUP = "jams.job_discovery"
FAST = PortalPolicy(rate_per_s=1000, burst=1000, max_concurrency=50)
BOARDS: list[SourceConfig] = [s.model_copy(update={"policy": FAST})
                              for s in sandbox_seed_boards(API)]


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


def portal_client(
    jobs: Sequence[PortalJob] = SEED_JOBS,
    mounts: dict[str, httpx.AsyncBaseTransport] | None = None,
) -> httpx.AsyncClient:
    app = create_app(SubmissionStore(), jobs=jobs)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), mounts=mounts)


async def scrape_round(ctx: RunContext,
                       sources: Sequence[SourceConfig] = BOARDS) -> list[RunSummary]:
    """One run of each source, as the fleet's worker runs them."""
    return [await execute_run(ctx, source, uuid.uuid4().hex) for source in sources]


async def handle(uow: UnitOfWork, envelope: Envelope) -> bool:
    """Deliver one JobDiscovered as the runtime does; False when the inbox skipped it."""
    async with uow.handling(GROUP, envelope) as tx:
        if tx is None:
            return False
        await on_job_discovered(JobDiscovered.model_validate(envelope.data), tx)
        return True


async def count(engine: AsyncEngine, table: sa.Table) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


async def test_scrape_dedupe_and_publish_each_job_once(
    engine: AsyncEngine, redis: Redis, fake_clock: FakeClock
) -> None:
    async with portal_client() as http:
        ctx = await polite_context(engine, redis, fake_clock, http)
        first = await scrape_round(ctx)
        discovered = await outbox_events(engine, [JobDiscovered])
        second = await scrape_round(ctx)

    assert [(s.outcome, s.fetched, s.new_or_changed) for s in first] == [
        ("ok", 4, 4), ("ok", 1, 1), ("ok", 1, 1)]
    assert len(discovered) == 6
    assert [(s.fetched, s.new_or_changed) for s in second] == [(4, 0), (1, 0), (1, 0)]
    assert len(await outbox_events(engine, [JobDiscovered])) == 6
    assert await ctx.documents.count(RAW_COLLECTION) == 6
    raw = await ctx.documents.get(RAW_COLLECTION, "greenhouse:4098765001")
    assert raw is not None
    assert raw["absolute_url"] == f"{API}/acme-careers/jobs/4098765001"
    assert raw["_fetch"]["source_url"] == f"{API}/v1/boards/acme-careers/jobs"

    for envelope in discovered:
        assert await handle(ctx.uow, envelope)

    published = await outbox_events(engine, [JobPublished])
    assert len(published) == 5
    titles = sorted(JobPublished.model_validate(e.data).title for e in published)
    assert titles == ["Data Engineer", "Frontend Engineer", "Platform Engineer",
                      "Senior Backend Engineer (Python)", "iOS Engineer"]
    causes = {e.id for e in discovered}
    assert all(e.causation_id in causes for e in published)
    async with engine.connect() as conn:
        sources = (await conn.scalars(
            sa.select(job_sightings.c.source_job_key)
            .join(canonical_jobs, canonical_jobs.c.job_id == job_sightings.c.job_id)
            .where(canonical_jobs.c.title == "Senior Backend Engineer (Python)")
            .order_by(job_sightings.c.source_job_key)
        )).all()
    assert sources == ["greenhouse:4012345001", "greenhouse:4098765001"]

    # Redelivery (same envelope id) is skipped by the inbox and changes nothing.
    assert not await handle(ctx.uow, discovered[-1])
    assert not await handle(ctx.uow, discovered[0])
    assert len(await outbox_events(engine, [JobPublished])) == 5
    assert await count(engine, canonical_jobs) == 5


async def test_a_new_delivery_of_a_known_source_adds_nothing(
    engine: AsyncEngine, redis: Redis, fake_clock: FakeClock
) -> None:
    async with portal_client() as http:
        ctx = await polite_context(engine, redis, fake_clock, http)
        await scrape_round(ctx)
    [envelope, *_] = await outbox_events(engine, [JobDiscovered])
    assert await handle(ctx.uow, envelope)
    # The same fact under a new envelope id: not a duplicate for the inbox, still no news.
    again = Envelope.wrap(JobDiscovered.model_validate(envelope.data), source="jams/test",
                          time=fake_clock.now())

    assert await handle(ctx.uow, again)

    assert len(await outbox_events(engine, [JobPublished])) == 1
    async with engine.connect() as conn:
        sources = (await conn.scalars(sa.select(job_sightings.c.source_job_key))).all()
    assert sources == [JobDiscovered.model_validate(envelope.data).source_job_key]
    assert await count(engine, canonical_jobs) == 1


async def test_a_changed_posting_is_discovered_again(
    engine: AsyncEngine, redis: Redis, fake_clock: FakeClock
) -> None:
    async with portal_client() as http:
        ctx = await polite_context(engine, redis, fake_clock, http)
        await scrape_round(ctx)
    changed = [
        dataclasses.replace(job, updated_at="2026-02-01T09:00:00-05:00")
        if job.id == 5023456001 else job
        for job in SEED_JOBS
    ]
    fake_clock.advance(300)

    async with portal_client(changed) as http:
        ctx = await polite_context(engine, redis, fake_clock, http)
        summaries = await scrape_round(ctx)

    assert [s.new_or_changed for s in summaries] == [0, 1, 0]
    discovered = await outbox_events(engine, [JobDiscovered])
    assert len(discovered) == 7
    assert discovered[-1].subject == "greenhouse:5023456001"
    raw = await ctx.documents.get(RAW_COLLECTION, "greenhouse:5023456001")
    assert raw is not None
    assert raw["updated_at"] == "2026-02-01T09:00:00-05:00"
    async with engine.connect() as conn:
        row = (await conn.execute(
            sa.select(job_postings).where(job_postings.c.source_job_key == discovered[-1].subject)
        )).one()
    assert row.changed_at == row.seen_at == fake_clock.now()
    assert row.first_seen_at < row.changed_at


def broken_board(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text="<html>Down for maintenance</html>",
                          headers={"content-type": "text/html"})


async def test_failing_sources_do_not_stop_the_others(
    engine: AsyncEngine, redis: Redis, fake_clock: FakeClock
) -> None:
    sources: list[SourceConfig] = [
        GreenhouseSource(name="greenhouse-initech", board_token="initech", company="Initech",
                         api_base=API, policy=FAST),
        GreenhouseSource(name="greenhouse-down", board_token="acme", company="Acme",
                         api_base="http://broken.test", policy=FAST),
        *BOARDS,
    ]
    mounts: dict[str, httpx.AsyncBaseTransport] = {
        "http://broken.test": httpx.MockTransport(broken_board)}
    await schedule_due_runs(engine, sources, fake_clock.now())
    async with portal_client(mounts=mounts) as http:
        ctx = await polite_context(engine, redis, fake_clock, http,
                                   allow_private=["portal.test", "broken.test"])
        worker = FleetWorker(ctx, sources, owner="w")
        summaries = []
        while (summary := await worker.work_once()) is not None:
            summaries.append(summary)

    outcomes = {s.source: (s.outcome, [p["reason"] for p in s.problems]) for s in summaries}
    assert outcomes["greenhouse-down"] == ("failed", ["layout_changed"])
    assert outcomes["greenhouse-initech"] == ("failed", ["error"])
    [initech] = [s for s in summaries if s.source == "greenhouse-initech"]
    assert "not found (HTTP 404)" in initech.problems[0]["detail"]
    assert [outcomes[s.name] for s in BOARDS] == [("ok", [])] * len(BOARDS)
    assert len(await outbox_events(engine, [JobDiscovered])) == 6
    async with engine.connect() as conn:
        rows = await conn.execute(sa.select(scrape_runs.c.source, scrape_runs.c.state))
        states = {row.source: row.state for row in rows}
    assert states == {"greenhouse-initech": "failed", "greenhouse-down": "failed",
                      **{s.name: "done" for s in BOARDS}}


async def test_bad_postings_are_skipped_and_change_nothing(
    engine: AsyncEngine, redis: Redis, fake_clock: FakeClock
) -> None:
    [globex] = [j for j in SEED_JOBS if j.board_token == "globex"]
    good = job_json(globex, API, content=True)
    no_title = good | {"id": 1, "title": ""}
    unstorable = good | {"id": 2, "metadata": [{"$where": "1"}]}

    def board(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"jobs": [no_title, unstorable, good]})

    async with httpx.AsyncClient(transport=httpx.MockTransport(board)) as http:
        ctx = await polite_context(engine, redis, fake_clock, http)
        [summary] = await scrape_round(ctx, BOARDS[1:2])

    assert (summary.outcome, summary.fetched, summary.skipped, summary.new_or_changed) == (
        "ok", 2, 2, 1)
    details = [p["detail"] for p in summary.problems]
    assert any("greenhouse job 1" in d and "title" in d for d in details)
    assert any(d.startswith("greenhouse:2: not storable") for d in details)
    assert [e.subject for e in await outbox_events(engine, [JobDiscovered])] == [
        "greenhouse:5023456001"]
    assert await ctx.documents.count(RAW_COLLECTION) == 1
    assert await count(engine, job_postings) == 1


class NappingClock(FakeClock):
    """A fake clock that records how long each sleep asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.naps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        await super().sleep(seconds)


async def until_idle(clock: NappingClock, times: int, poll_s: float) -> None:
    """Until the worker has gone idle (a poll's nap) `times` times."""
    while clock.naps.count(poll_s) < times:
        await asyncio.sleep(0.01)


async def test_the_worker_scrapes_on_start_and_then_each_slot_of_the_clock(
    engine: AsyncEngine, redis: Redis
) -> None:
    [globex] = [s for s in BOARDS if s.name == "greenhouse-globex"]
    assert globex.interval_s == 300
    clock, poll_s = NappingClock(), 30
    requests: list[httpx.Request] = []

    async def note(request: httpx.Request) -> None:
        requests.append(request)

    stop = asyncio.Event()
    async with portal_client() as http:
        http.event_hooks["request"].append(note)
        ctx = await polite_context(engine, redis, clock, http)
        loop = asyncio.create_task(
            FleetWorker(ctx, [globex], owner="w", poll_s=poll_s).run(stop))
        await asyncio.wait_for(until_idle(clock, 1, poll_s), 10)
        assert len(requests) == 1
        for naps in range(2, 11):  # the rest of the slot: nothing more is due
            clock.advance(poll_s)
            await asyncio.wait_for(until_idle(clock, naps, poll_s), 10)
        assert len(requests) == 1

        clock.advance(poll_s)  # the next slot
        await asyncio.wait_for(until_idle(clock, 11, poll_s), 10)
        assert len(requests) == 2

        stop.set()
        await asyncio.wait_for(loop, 10)


RETRYING = PortalPolicy(rate_per_s=1000, burst=1000, max_concurrency=10, max_attempts=2,
                      backoff_base_s=1)
BOARD = GreenhouseSource(name="greenhouse-acme", board_token="acme", company="Acme",
                         api_base=API, policy=RETRYING)
BOARD_URL = f"{API}/v1/boards/acme/jobs"

Answer = Callable[[httpx.Request], httpx.Response]


async def run_against(engine: AsyncEngine, redis: Redis, answer: Answer) -> RunSummary:
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        ctx = await polite_context(engine, redis, SteppingClock(), http)
        return await execute_run(ctx, BOARD, "r1")


async def test_the_adapter_asks_for_content_and_announces_the_jobs(
    engine: AsyncEngine, redis: Redis
) -> None:
    seen: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json={"jobs": [greenhouse_job()], "meta": {"total": 1}})

    summary = await run_against(engine, redis, answer)

    assert [str(url) for url in seen] == [f"{BOARD_URL}?content=true"]
    assert (summary.outcome, summary.listed, summary.new_or_changed, summary.complete) == (
        "ok", 1, 1, True)
    [event] = await outbox_events(engine, [JobDiscovered])
    assert JobDiscovered.model_validate(event.data).title == "Senior Backend Engineer (Python)"


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


@pytest.mark.parametrize(("answer", "reason", "detail"), [
    (lambda _: httpx.Response(200, text="<html>Sorry</html>",
                              headers={"content-type": "text/html"}),
     "layout_changed", "not JSON (text/html)"),
    (lambda _: httpx.Response(200, json=[1, 2]),
     "layout_changed", "expected an object with a 'jobs' list"),
    (lambda _: httpx.Response(200, json={"meta": {"total": 0}}),
     "layout_changed", "expected an object with a 'jobs' list"),
    (lambda _: httpx.Response(200, json={"jobs": {"id": 1}}),
     "layout_changed", "expected an object with a 'jobs' list"),
    (lambda _: httpx.Response(404, json={"status": 404, "error": "Job board not found"}),
     "error", "not found (HTTP 404)"),
    (lambda _: httpx.Response(503, text="busy"), "failed", "http_503"),
    (refuse, "failed", "network: ConnectError"),
])
async def test_a_bad_answer_fails_the_run_with_a_clear_reason(
    engine: AsyncEngine, redis: Redis, answer: Answer, reason: str, detail: str
) -> None:
    summary = await run_against(engine, redis, answer)

    assert (summary.outcome, summary.complete) == ("failed", False)
    [problem] = summary.problems
    assert problem["reason"] == reason
    assert detail in problem["detail"]
    assert "/v1/boards/acme/jobs" in problem["detail"]
    assert await outbox_events(engine, [JobDiscovered]) == []


async def test_a_job_that_is_not_an_object_is_skipped_and_the_rest_kept(
    engine: AsyncEngine, redis: Redis
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"jobs": [greenhouse_job(), "oops"]})

    summary = await run_against(engine, redis, answer)

    assert (summary.outcome, summary.fetched, summary.skipped) == ("ok", 1, 1)
    assert summary.problems == [
        {"reason": "bad_posting", "detail": f"item 1 at {BOARD_URL} is a str"}]


async def test_a_job_listed_twice_is_announced_once(engine: AsyncEngine, redis: Redis) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        edited = greenhouse_job(title="Staff Backend Engineer (Python)")
        return httpx.Response(200, json={"jobs": [greenhouse_job(), edited]})

    summary = await run_against(engine, redis, answer)

    assert (summary.fetched, summary.new_or_changed) == (1, 1)
    [event] = await outbox_events(engine, [JobDiscovered])
    assert JobDiscovered.model_validate(event.data).title == "Staff Backend Engineer (Python)"

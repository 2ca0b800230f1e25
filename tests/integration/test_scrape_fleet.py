"""The fleet on real PostgreSQL: workers split the due runs; a killed worker's run is re-claimed.

Run as a module, this file is a worker that claims one run and then hangs until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.clock import FakeClock
from infra.db import create_engine
from infra.politeness import PortalPolicy
from schemas.events.jobs import JobDiscovered, ScrapeRunCompleted
from services.job_discovery.fleet import (
    FleetWorker,
    claim_run,
    request_run,
    schedule_due_runs,
    slot_start,
)
from services.job_discovery.fleet_run import LeaseLost, execute_run
from services.job_discovery.fleet_tables import scrape_runs
from services.job_discovery.sources import SourceConfig, sandbox_sources
from tests.integration.test_scrape_fleet_support import (
    API,
    Sandbox,
    outbox_events,
    polite_context,
    sandbox,
)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FAST = PortalPolicy(rate_per_s=1000, burst=1000, max_concurrency=50)
SOURCES: list[SourceConfig] = [s.model_copy(update={"policy": FAST, "interval_s": 600})
                               for s in sandbox_sources(API)]
[LEVER] = [s for s in SOURCES if s.name == "lever-acme"]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=4)
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


async def runs(engine: AsyncEngine) -> list[sa.Row[tuple[str, str, str, int, str | None]]]:
    async with engine.connect() as conn:
        return list(await conn.execute(sa.select(
            scrape_runs.c.run_id, scrape_runs.c.source, scrape_runs.c.state,
            scrape_runs.c.attempts, scrape_runs.c.lease_owner)))


async def test_scheduling_is_slot_aligned_and_idempotent_across_workers(
    engine: AsyncEngine
) -> None:
    now = datetime(2026, 1, 1, 10, 7, tzinfo=UTC)
    assert slot_start(now, 600) == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    added = await asyncio.gather(*(schedule_due_runs(engine, SOURCES, now) for _ in range(4)))
    assert sum(added) == len(SOURCES)
    assert await schedule_due_runs(engine, SOURCES, now + timedelta(minutes=20)) == 0  # waiting
    disabled = [SOURCES[0].model_copy(update={"name": "off", "enabled": False})]
    assert await schedule_due_runs(engine, disabled, now) == 0


async def test_two_workers_split_the_runs_and_each_runs_once(
    engine: AsyncEngine, redis: Redis, portal: Sandbox
) -> None:
    clock = FakeClock()
    await schedule_due_runs(engine, SOURCES, clock.now())
    second_engine = create_engine(str(engine.url.render_as_string(hide_password=False)),
                                  pool_size=4)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=portal.app)) as http:
            ctx_a = await polite_context(engine, redis, clock, http)
            ctx_b = await polite_context(second_engine, redis, clock, http)
            workers = [FleetWorker(ctx_a, SOURCES, owner="a", lease_s=120),
                       FleetWorker(ctx_b, SOURCES, owner="b", lease_s=120)]
            claimers = [workers[i % 2] for i in range(len(SOURCES))]
            # Claims race on separate connections: SKIP LOCKED hands each run to one worker.
            claims = await asyncio.gather(*(
                claim_run(w._engine, w.owner, clock.now(), 120) for w in claimers))
            assert all(c is not None for c in claims)
            assert len({c.run_id for c in claims if c}) == len(SOURCES)
            assert await claim_run(engine, "c", clock.now(), 120) is None
            for worker, claim in zip(claimers, claims, strict=True):
                assert claim is not None
                source = next(s for s in SOURCES if s.name == claim.source)
                await execute_run(worker._ctx, source, claim.run_id, owner=worker.owner)
    finally:
        await second_engine.dispose()

    rows = await runs(engine)
    assert Counter(r.state for r in rows) == {"done": len(SOURCES)}
    assert Counter(r.lease_owner for r in rows) == {"a": 4, "b": 3}
    completed = await outbox_events(engine, [ScrapeRunCompleted])
    assert sorted(e.subject for e in completed) == sorted(s.name for s in SOURCES)
    assert len(await outbox_events(engine, [JobDiscovered])) == 4 + 1 + 1 + 2 + 2 + 45 + 120


async def test_worker_loops_drain_the_schedule(
    engine: AsyncEngine, redis: Redis, portal: Sandbox
) -> None:
    clock = FakeClock()
    stop = asyncio.Event()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=portal.app)) as http:
        ctx = await polite_context(engine, redis, clock, http)
        loops = [asyncio.create_task(FleetWorker(ctx, SOURCES, owner=name, poll_s=30).run(stop))
                 for name in ("a", "b")]
        while any(r.state != "done" for r in await runs(engine)) or not await runs(engine):
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*loops), 10)
    assert len(await runs(engine)) == len(SOURCES)


async def test_a_killed_workers_run_is_claimed_again_and_finished_once(
    engine: AsyncEngine, redis: Redis, portal: Sandbox, database_url: str
) -> None:
    run_id = await request_run(engine, "lever-acme", datetime.now(UTC))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    zombie = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.integration.test_scrape_fleet", "--database-url",
        database_url, "--lease-s", "60", cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE)
    try:
        assert zombie.stdout is not None
        line = await asyncio.wait_for(zombie.stdout.readline(), 60)
        assert line.decode().strip() == f"claimed {run_id}"
    finally:
        zombie.send_signal(signal.SIGKILL)  # dies holding the lease: no cleanup runs
        await asyncio.wait_for(zombie.wait(), 30)
    [row] = await runs(engine)
    assert (row.state, row.lease_owner, row.attempts) == ("running", "zombie", 1)

    clock = FakeClock(datetime.now(UTC))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=portal.app)) as http:
        ctx = await polite_context(engine, redis, clock, http)
        worker = FleetWorker(ctx, SOURCES, owner="heir", lease_s=60)
        assert await worker.work_once() is None  # the dead worker's lease still holds
        clock.advance(61)
        summary = await worker.work_once()
        assert summary is not None and summary.new_or_changed == 2
        # A worker that comes back from the dead cannot finish the run a second time.
        with pytest.raises(LeaseLost):
            await execute_run(ctx, LEVER, run_id, owner="zombie")

    [row] = await runs(engine)
    assert (row.state, row.lease_owner, row.attempts) == ("done", "heir", 2)
    assert len(await outbox_events(engine, [JobDiscovered])) == 2
    assert len(await outbox_events(engine, [ScrapeRunCompleted])) == 1


async def test_a_run_that_keeps_dying_is_abandoned(engine: AsyncEngine) -> None:
    clock = FakeClock()
    await request_run(engine, "lever-acme", clock.now())
    for attempt in range(3):
        claim = await claim_run(engine, f"w{attempt}", clock.now(), 10)
        assert claim is not None and claim.attempts == attempt + 1
        clock.advance(11)
    assert await claim_run(engine, "w4", clock.now(), 10) is None
    [row] = await runs(engine)
    assert row.state == "failed"


async def _claim_and_hang(database_url: str, lease_s: float) -> None:
    engine = create_engine(database_url, pool_size=1)
    claim = await claim_run(engine, "zombie", datetime.now(UTC), lease_s)
    print(f"claimed {claim.run_id if claim else None}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--lease-s", type=float, required=True)
    args = parser.parse_args()
    asyncio.run(_claim_and_hang(args.database_url, args.lease_s))

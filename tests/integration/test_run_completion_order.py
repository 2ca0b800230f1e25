"""Real Kafka and PostgreSQL: each run's completion is published before its postings, which
follow late, shuffled and on other partitions; the job service still links every posting to
its run and expires exactly what the runs stopped listing."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from infra.runtime import Platform, open_platform, run_services
from schemas.events.envelope import Envelope, EventData
from schemas.events.jobs import JobDiscovered, ScrapeRunCompleted
from schemas.events.topics import JOBS_RAW
from services.job_discovery.app import build
from services.job_discovery.settings import JobDiscoverySettings
from services.job_discovery.tables import (
    canonical_jobs,
    job_sightings,
    job_sync_log,
    run_completions,
)

pytestmark = [pytest.mark.integration, pytest.mark.kafka]

SOURCE = "greenhouse:acme"


@asynccontextmanager
async def job_service(database_url: str, kafka_bootstrap: str, redis_url: str,
                      tmp_path: Path) -> AsyncIterator[Platform]:
    settings = JobDiscoverySettings(
        bus="kafka", bus_namespace=f"order{uuid.uuid4().hex[:8]}",
        kafka_bootstrap=kafka_bootstrap, kafka_partitions=4, database_url=database_url,
        redis_url=redis_url, blob_dir=tmp_path, mongo_url=None, http_port=0,
        fleet_enabled=False, run_completion_wait_s=120, run_completion_check_s=0.2)
    async with open_platform(settings) as platform:
        stop = asyncio.Event()
        task = asyncio.create_task(run_services(platform, [build(platform, settings)], stop))
        try:
            yield platform
        finally:
            stop.set()
            await asyncio.wait_for(task, 60)


def posting(n: int, run_id: str) -> JobDiscovered:
    return JobDiscovered(
        source_job_key=f"greenhouse:{n}", source="greenhouse", external_id=str(n),
        company="Acme", title=f"Engineer {n}", location="Berlin, Germany",
        description=f"Build system number {n}.", apply_url=f"https://jobs.example.com/{n}",
        raw_document_id=f"greenhouse:{n}", run_id=run_id)


async def publish(platform: Platform, data: EventData) -> None:
    await platform.bus.publish(Envelope.wrap(data, source="jams/test",
                                             time=platform.clock.now()))


async def query(platform: Platform, statement: sa.Select[Any]) -> list[Any]:
    async with platform.engine.connect() as conn:
        return list((await conn.execute(statement)).all())


async def until(check: Callable[[], Any], timeout_s: float = 90) -> None:
    """Poll `check` (async) until it is truthy; a guard against hanging, not a timing."""
    async with asyncio.timeout(timeout_s):
        while not await check():
            await asyncio.sleep(0.1)


Run = tuple[str, list[int], list[int]]  # run id, postings it lists, postings it announces


async def adversarial(platform: Platform, runs: list[Run], rng: random.Random) -> None:
    """Every run's completion first, seen by the service waiting; then all their postings
    together, late and shuffled, a later run's before an earlier one's."""
    for run_id, seen, new in runs:
        await publish(platform, ScrapeRunCompleted(
            source=SOURCE, run_id=run_id,
            seen_source_job_keys=[f"greenhouse:{n}" for n in seen], complete=True,
            announced=len(new)))
    ids = [run_id for run_id, _, _ in runs]

    async def waiting() -> bool:
        rows = await query(platform, sa.select(run_completions.c.run_id).where(
            run_completions.c.applied_at.is_(None)))
        return {run_id for run_id, in rows} == set(ids)

    await until(waiting)
    late = [(n, run_id) for run_id, _, new in runs for n in new]
    for n, run_id in rng.sample(late, len(late)):
        await asyncio.sleep(rng.uniform(0, 0.2))
        await publish(platform, posting(n, run_id))

    async def applied() -> bool:
        rows = await query(platform, sa.select(job_sync_log.c.run_id).where(
            job_sync_log.c.run_id.in_(ids), job_sync_log.c.complete.is_(True)))
        return len(rows) == len(ids)

    await until(applied)


async def test_completions_before_their_postings_still_link_and_expire_correctly(
    database_url: str, kafka_bootstrap: str, redis_url: str, tmp_path: Path
) -> None:
    rng = random.Random(19)
    async with job_service(database_url, kafka_bootstrap, redis_url, tmp_path) as platform:
        # r1 lists 1-8; r2 drops 5 and 6 and adds 9-12; r3 drops 9 (known only through r2).
        await adversarial(platform, [("r1", list(range(1, 9)), list(range(1, 9)))], rng)
        await adversarial(platform, [("r2", [1, 2, 3, 4, 7, 8, 9, 10, 11, 12], [9, 10, 11, 12]),
                                     ("r3", [1, 2, 3, 4, 7, 8, 10, 11, 12, 13], [13])], rng)
        records = await platform.bus.transport.read_all(JOBS_RAW)

        completions = {r.partition for r in records if r.key == SOURCE.encode()}
        postings = {r.partition for r in records if r.key != SOURCE.encode()}
        assert len(postings) > 1 and postings - completions, "postings on other partitions"

        jobs = {title: expired for title, expired in await query(
            platform, sa.select(canonical_jobs.c.title, canonical_jobs.c.expired_at))}
        assert {t for t, expired in jobs.items() if expired is not None} == {
            "Engineer 5", "Engineer 6", "Engineer 9"}
        assert len(jobs) == 13
        links = {key: (feed, run) for key, feed, run in await query(platform, sa.select(
            job_sightings.c.source_job_key, job_sightings.c.feed, job_sightings.c.run_id))}
        last_run = {n: "r1" for n in (5, 6)} | {9: "r2"} | {
            n: "r3" for n in (1, 2, 3, 4, 7, 8, 10, 11, 12, 13)}
        assert links == {f"greenhouse:{n}": (SOURCE, run) for n, run in last_run.items()}
        assert await query(platform, sa.select(run_completions).where(
            run_completions.c.applied_at.is_(None))) == []
        fetched = dict(await query(platform, sa.select(job_sync_log.c.run_id,
                                                       job_sync_log.c.fetched)))
        assert fetched == {"r1": 8, "r2": 4, "r3": 1}

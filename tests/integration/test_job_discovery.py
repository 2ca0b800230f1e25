"""Job discovery end to end on real PostgreSQL: scrape the sandbox, dedupe, publish once."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.bus import codec
from infra.bus.port import InboundRecord
from infra.clock import FakeClock
from infra.db import create_engine
from infra.documents.postgres import PostgresDocumentStore
from infra.outbox import outbox
from infra.uow import UnitOfWork
from sandbox.portal import SEED_JOBS, PortalJob, SubmissionStore, create_app
from schemas.events.envelope import Envelope
from schemas.events.jobs import JobDiscovered, JobPublished
from services.job_discovery.adapters.greenhouse import GreenhouseClient
from services.job_discovery.handlers import on_job_discovered
from services.job_discovery.scraper import RAW_COLLECTION, Scraper
from services.job_discovery.settings import GreenhouseBoard
from services.job_discovery.tables import canonical_jobs, job_postings, job_sightings

pytestmark = pytest.mark.integration

API = "http://portal.test"
GROUP = "jams.job_discovery"
BOARDS = [
    GreenhouseBoard(board_token="acme", company="Acme", api_base=API),
    GreenhouseBoard(board_token="globex", company="Globex", api_base=API),
    GreenhouseBoard(board_token="acme-careers", company="Acme", api_base=API),
]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow(engine: AsyncEngine, fake_clock: FakeClock) -> UnitOfWork:
    return UnitOfWork(engine, fake_clock, source="jams/job_discovery")


@pytest.fixture
def documents(engine: AsyncEngine) -> PostgresDocumentStore:
    return PostgresDocumentStore(engine)


def portal_client(
    jobs: Sequence[PortalJob] = SEED_JOBS,
    mounts: dict[str, httpx.AsyncBaseTransport] | None = None,
) -> httpx.AsyncClient:
    app = create_app(SubmissionStore(), jobs=jobs)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), mounts=mounts)


def scraper_for(http: httpx.AsyncClient, documents: PostgresDocumentStore, uow: UnitOfWork,
                boards: Sequence[GreenhouseBoard] = BOARDS) -> Scraper:
    return Scraper(boards, GreenhouseClient(http), documents, uow, uow.clock)


async def outbox_events(engine: AsyncEngine, event_type: type[Any]) -> list[Envelope]:
    """The staged events of one type, decoded as a consumer would receive them."""
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(outbox).order_by(outbox.c.id))).all()
    envelopes = [
        codec.decode(InboundRecord(
            topic=row.topic, partition=0, offset=row.id, key=row.key, value=row.value,
            headers=tuple((k, v.encode()) for k, v in row.headers),
        ))
        for row in rows
    ]
    return [e for e in envelopes if e.type == event_type.TYPE]


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
    engine: AsyncEngine, uow: UnitOfWork, documents: PostgresDocumentStore
) -> None:
    async with portal_client() as http:
        scraper = scraper_for(http, documents, uow)

        first = await scraper.scrape_round()
        discovered = await outbox_events(engine, JobDiscovered)
        second = await scraper.scrape_round()

    assert (first.postings, first.emitted, first.failed_boards) == (6, 6, [])
    assert len(discovered) == 6
    assert (second.postings, second.emitted) == (6, 0)
    assert len(await outbox_events(engine, JobDiscovered)) == 6
    assert await documents.count(RAW_COLLECTION) == 6
    raw = await documents.get(RAW_COLLECTION, "greenhouse:4098765001")
    assert raw is not None
    assert raw["absolute_url"] == f"{API}/acme-careers/jobs/4098765001"

    for envelope in discovered:
        assert await handle(uow, envelope)

    published = await outbox_events(engine, JobPublished)
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
    assert not await handle(uow, discovered[-1])
    assert not await handle(uow, discovered[0])
    assert len(await outbox_events(engine, JobPublished)) == 5
    assert await count(engine, canonical_jobs) == 5


async def test_a_new_delivery_of_a_known_source_adds_nothing(
    engine: AsyncEngine, uow: UnitOfWork, documents: PostgresDocumentStore
) -> None:
    async with portal_client() as http:
        await scraper_for(http, documents, uow).scrape_round()
    [envelope, *_] = await outbox_events(engine, JobDiscovered)
    assert await handle(uow, envelope)
    # The same fact under a new envelope id: not a duplicate for the inbox, still no news.
    again = Envelope.wrap(JobDiscovered.model_validate(envelope.data), source="jams/test",
                          time=uow.clock.now())

    assert await handle(uow, again)

    assert len(await outbox_events(engine, JobPublished)) == 1
    async with engine.connect() as conn:
        sources = (await conn.scalars(sa.select(job_sightings.c.source_job_key))).all()
    assert sources == [JobDiscovered.model_validate(envelope.data).source_job_key]
    assert await count(engine, canonical_jobs) == 1


async def test_a_changed_posting_is_discovered_again(
    engine: AsyncEngine, uow: UnitOfWork, documents: PostgresDocumentStore,
    fake_clock: FakeClock,
) -> None:
    async with portal_client() as http:
        await scraper_for(http, documents, uow).scrape_round()
    changed = [
        dataclasses.replace(job, updated_at="2026-02-01T09:00:00-05:00")
        if job.id == 5023456001 else job
        for job in SEED_JOBS
    ]
    fake_clock.advance(300)

    async with portal_client(changed) as http:
        report = await scraper_for(http, documents, uow).scrape_round()

    assert report.emitted == 1
    discovered = await outbox_events(engine, JobDiscovered)
    assert len(discovered) == 7
    assert discovered[-1].subject == "greenhouse:5023456001"
    raw = await documents.get(RAW_COLLECTION, "greenhouse:5023456001")
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


async def test_a_failing_board_does_not_stop_the_others(
    engine: AsyncEngine, uow: UnitOfWork, documents: PostgresDocumentStore
) -> None:
    boards = [
        GreenhouseBoard(board_token="initech", company="Initech", api_base=API),
        GreenhouseBoard(board_token="acme", company="Acme", api_base="http://broken.test"),
        *BOARDS,
    ]
    mounts: dict[str, httpx.AsyncBaseTransport] = {
        "http://broken.test": httpx.MockTransport(broken_board)}
    async with portal_client(mounts=mounts) as http:
        report = await scraper_for(http, documents, uow, boards).scrape_round()

    assert report.failed_boards == ["initech", "acme"]
    assert report.emitted == 6
    assert len(await outbox_events(engine, JobDiscovered)) == 6


class FakeSource:
    """A board source that returns fixed jobs and counts its calls."""

    def __init__(self, jobs: list[dict[str, Any]]) -> None:
        self.jobs = jobs
        self.calls = 0
        self.called = asyncio.Event()

    async def board_jobs(self, board: GreenhouseBoard) -> list[dict[str, Any]]:
        self.calls += 1
        self.called.set()
        return self.jobs


async def seed_api_jobs() -> list[dict[str, Any]]:
    async with portal_client() as http:
        return await GreenhouseClient(http).board_jobs(BOARDS[1])


async def test_bad_postings_are_skipped_and_change_nothing(
    engine: AsyncEngine, uow: UnitOfWork, documents: PostgresDocumentStore
) -> None:
    [good] = await seed_api_jobs()
    no_title = good | {"id": 1, "title": ""}
    unstorable = good | {"id": 2, "metadata": [{"$where": "1"}]}
    source = FakeSource([no_title, unstorable, good])
    scraper = Scraper(BOARDS[1:2], source, documents, uow, uow.clock)

    report = await scraper.scrape_round()

    assert (report.postings, report.skipped, report.emitted) == (2, 2, 1)
    assert [e.subject for e in await outbox_events(engine, JobDiscovered)] == [
        "greenhouse:5023456001"]
    assert await documents.count(RAW_COLLECTION) == 1
    assert await count(engine, job_postings) == 1


async def until_sleeping(clock: FakeClock) -> None:
    while clock.sleepers == 0:
        await asyncio.sleep(0.01)


async def test_the_loop_scrapes_on_start_and_then_on_the_clock(
    uow: UnitOfWork, documents: PostgresDocumentStore, fake_clock: FakeClock
) -> None:
    source = FakeSource(await seed_api_jobs())
    scraper = Scraper(BOARDS[1:2], source, documents, uow, fake_clock)
    stop = asyncio.Event()

    loop = asyncio.create_task(scraper.run(stop, interval_s=300, on_start=True))
    await asyncio.wait_for(until_sleeping(fake_clock), timeout=10)
    assert source.calls == 1
    source.called.clear()
    fake_clock.advance(299)
    assert fake_clock.sleepers == 1  # still waiting for its next round
    fake_clock.advance(1)
    await asyncio.wait_for(source.called.wait(), timeout=10)
    assert source.calls == 2

    stop.set()
    await asyncio.wait_for(loop, timeout=10)

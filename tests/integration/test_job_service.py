"""The job service on real PostgreSQL: one canonical job per real job, expiry, the sync log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import structlog
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.bus import codec
from infra.bus.port import InboundRecord
from infra.clock import FakeClock
from infra.db import create_engine
from infra.outbox import outbox
from infra.uow import UnitOfWork
from schemas.events.envelope import Envelope, EventData
from schemas.events.jobs import (
    JobDiscovered,
    JobExpired,
    JobPublished,
    JobReopened,
    JobUpdated,
    ScrapeRunCompleted,
)
from services.job_discovery.handlers import (
    DEFAULT_COMPLETION_WAIT_S,
    on_job_discovered,
    on_scrape_run_completed,
)
from services.job_discovery.jobs.completion import check_waiting
from services.job_discovery.jobs.expiry import PAST_EXPIRY, sweep, sweep_forever
from services.job_discovery.jobs.store import IngestReport, RawJob, ingest, rekey_jobs
from services.job_discovery.tables import (
    canonical_jobs,
    job_sightings,
    job_sync_log,
    run_completions,
)

pytestmark = pytest.mark.integration

GROUP = "jams.job_discovery"
ADVERT = (
    "About us\nAcme builds software that 40,000 customers rely on every day.\n"
    "About the role\nJoin the Payments team. You will design services that stay correct "
    "under retries, own APIs used by millions, tune slow PostgreSQL queries and mentor "
    "engineers.\nRequirements\n- Python\n- Kafka\n- Kubernetes\n- Docker\n"
    "What we offer\n- Equity\n- Thirty days of paid leave"
)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=3)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow(engine: AsyncEngine, fake_clock: FakeClock) -> UnitOfWork:
    return UnitOfWork(engine, fake_clock, source="jams/job_discovery")


def posting(source: str, external_id: str, **overrides: Any) -> dict[str, Any]:
    """A JobDiscovered payload as a scraper of `source` would send it."""
    key = f"{source}:{external_id}"
    return {
        "source_job_key": key, "source": source, "external_id": external_id,
        "company": "Acme", "title": "Senior Backend Engineer", "location": "Berlin, Germany",
        "description": ADVERT, "apply_url": f"https://jobs.example.com/{source}/{external_id}",
        "raw_document_id": key, "run_id": f"{source}-run-1",
    } | overrides


# The same job as three sources spell it.
THREE_SOURCES = [
    posting("greenhouse", "4012"),
    posting("linkedin", "li-77", company="ACME, Inc.", title="Sr. Backend Engineer (m/w/d)",
            location="Berlin (Hybrid)", salary_text="\u20ac70,000 - 90,000 a year"),
    posting("indeed", "ind-9", company="Acme GmbH", location="Berlin, DE",
            description=ADVERT.replace("design", "architect") + "\nApply on Indeed."),
]


async def ingest_batch(uow: UnitOfWork, items: Sequence[RawJob]) -> IngestReport:
    async with uow.transaction() as tx:
        return await ingest(tx, items)


async def staged(engine: AsyncEngine, event_type: type[EventData]) -> list[Any]:
    """The events of one type in the outbox, as their models."""
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(outbox).order_by(outbox.c.id))).all()
    envelopes = [codec.decode(InboundRecord(
        topic=row.topic, partition=0, offset=row.id, key=row.key, value=row.value,
        headers=tuple((k, v.encode()) for k, v in row.headers))) for row in rows]
    return [event_type.model_validate(e.data) for e in envelopes if e.type == event_type.TYPE]


async def rows(engine: AsyncEngine, table: sa.Table) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(sa.select(table))).all())


async def sync_log(engine: AsyncEngine, run_id: str) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(
            sa.select(job_sync_log).where(job_sync_log.c.run_id == run_id))).one()


async def test_one_job_on_three_sources_is_one_canonical_job_published_once(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    for item in THREE_SOURCES:  # one event at a time, as the bus delivers them
        await ingest_batch(uow, [item])

    [job] = await rows(engine, canonical_jobs)
    [published] = await staged(engine, JobPublished)
    sightings = await rows(engine, job_sightings)
    assert sorted(s.source_job_key for s in sightings) == [
        "greenhouse:4012", "indeed:ind-9", "linkedin:li-77"]
    assert {s.job_id for s in sightings} == {job.job_id} == {published.job_id}
    assert (published.company, published.title, published.location) == (
        "Acme", "Senior Backend Engineer", "Berlin, Germany")
    assert (published.city, published.country, published.workplace) == ("Berlin", "DE", "onsite")
    assert published.sources == ["greenhouse:4012"]
    assert (await sync_log(engine, "greenhouse-run-1")).new == 1
    for run in ("linkedin-run-1", "indeed-run-1"):
        log = await sync_log(engine, run)
        assert (log.fetched, log.new, log.duplicates, log.errors) == (1, 0, 1, 0)
    linkedin = next(s for s in sightings if s.source == "linkedin")
    assert linkedin.notes == []  # its salary parsed cleanly


async def test_one_batch_with_all_three_sources_gives_the_same_result(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    report = await ingest_batch(uow, THREE_SOURCES)

    assert (report.fetched, report.new, report.duplicates) == (3, 1, 2)
    assert len(await rows(engine, canonical_jobs)) == 1
    assert len(await staged(engine, JobPublished)) == 1


async def test_the_same_refresh_twice_publishes_nothing_new_and_changes_nothing(
    engine: AsyncEngine, uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    other = posting("greenhouse", "4013", title="Data Engineer", description="")
    await ingest_batch(uow, [*THREE_SOURCES, other])
    before = (await rows(engine, canonical_jobs), await rows(engine, job_sightings))
    fake_clock.advance(3600)

    again = await ingest_batch(uow, [*THREE_SOURCES, other])

    assert (again.new, again.duplicates, again.updated, again.unchanged) == (0, 0, 0, 4)
    assert len(await staged(engine, JobPublished)) == 2
    assert (await rows(engine, canonical_jobs), await rows(engine, job_sightings)) == before
    log = await sync_log(engine, "greenhouse-run-1")
    assert (log.fetched, log.new, log.unchanged) == (4, 2, 2)


async def test_a_changed_posting_updates_its_job_without_publishing_it_again(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    await ingest_batch(uow, THREE_SOURCES)
    changed = THREE_SOURCES[0] | {"salary_text": "$150k - $120k a year", "run_id": "gh-2"}

    report = await ingest_batch(uow, [changed])

    assert (report.updated, report.new) == (1, 0)
    [job] = await rows(engine, canonical_jobs)
    assert (job.salary_min, job.salary_max, job.salary_currency, job.salary_period) == (
        120_000, 150_000, "USD", "year")
    [sighting] = [s for s in await rows(engine, job_sightings) if s.source == "greenhouse"]
    assert sighting.notes == ["salary min 150000 > max 120000: swapped"]
    assert len(await staged(engine, JobPublished)) == 1


async def test_another_teams_job_with_the_same_title_is_a_new_canonical_job(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    search = ("About the role\nJoin the Search team. You will build ranking for our catalogue, "
              "run relevance experiments, index documents with Elasticsearch and report "
              "results weekly.\nRequirements\n- Java\n- Elasticsearch\n- Statistics")

    await ingest_batch(uow, [THREE_SOURCES[0], posting("lever", "x1", description=search)])

    assert len(await rows(engine, canonical_jobs)) == 2
    assert len(await staged(engine, JobPublished)) == 2


async def test_concurrent_batches_with_one_job_still_create_it_once(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    reports = await asyncio.gather(*(ingest_batch(uow, [item]) for item in THREE_SOURCES))

    assert sum(r.new for r in reports) == 1
    assert len(await rows(engine, canonical_jobs)) == 1
    assert len(await staged(engine, JobPublished)) == 1


BAD = [
    {"source_job_key": "lever:bad1", "source": "lever", "run_id": "lever-run-1"},
    posting("lever", "bad2", apply_url="javascript:alert(1)", run_id="lever-run-1"),
    posting("lever", "bad3", company="--", run_id="lever-run-1"),
    posting("lever", "bad4", posted_at="yesterday", run_id="lever-run-1"),
    "not even an object",
]


async def test_malformed_payloads_are_logged_with_reasons_and_skipped(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    good = posting("lever", "ok1", run_id="lever-run-1")

    report = await ingest_batch(uow, [*BAD, good])  # type: ignore[list-item]

    assert (report.fetched, report.new, len(report.errors)) == (6, 1, 5)
    log = await sync_log(engine, "lever-run-1")
    assert (log.fetched, log.new, log.errors) == (5, 1, 4)
    reasons = {e["key"]: e["reason"] for e in log.error_reasons}
    assert "apply_url" in reasons["lever:bad1"] and "title" in reasons["lever:bad1"]
    assert "apply_url" in reasons["lever:bad2"]
    assert "only punctuation" in reasons["lever:bad3"]
    assert "posted_at" in reasons["lever:bad4"]
    assert (await sync_log(engine, f"unknown:{uow.clock.now().date()}")).errors == 1
    assert [s.source_job_key for s in await rows(engine, job_sightings)] == ["lever:ok1"]


async def handle(uow: UnitOfWork, data: EventData) -> Envelope:
    """Deliver one event to the service's handler as the runtime does."""
    envelope = Envelope.wrap(data, source="jams/test", time=uow.clock.now())
    async with uow.handling(GROUP, envelope) as tx:
        assert tx is not None
        if isinstance(data, JobDiscovered):
            await on_job_discovered(data, tx)
        else:
            assert isinstance(data, ScrapeRunCompleted)
            await on_scrape_run_completed(data, tx)
    return envelope


def run(source: str, run_id: str, keys: list[str], *, complete: bool = True) -> ScrapeRunCompleted:
    return ScrapeRunCompleted(source=source, run_id=run_id, seen_source_job_keys=keys,
                              complete=complete)


async def test_a_job_missing_from_later_runs_expires_once(
    engine: AsyncEngine, uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    first, second = posting("greenhouse", "1"), posting("greenhouse", "2", title="Data Engineer")
    for item in (first, second):
        await handle(uow, JobDiscovered.model_validate(item))
    await handle(uow, run("greenhouse:acme", "r1", ["greenhouse:1", "greenhouse:2"]))
    fake_clock.advance(3600)

    # A run that stopped early proves nothing about what it did not see.
    await handle(uow, run("greenhouse:acme", "r2", ["greenhouse:1"], complete=False))
    assert await staged(engine, JobExpired) == []
    await handle(uow, run("greenhouse:acme", "r3", ["greenhouse:1"]))
    await handle(uow, run("greenhouse:acme", "r4", ["greenhouse:1"]))
    # Another source's complete run says nothing about this source's postings.
    await handle(uow, run("lever:acme", "r5", []))

    [expired] = await staged(engine, JobExpired)
    by_title = {j.title: j for j in await rows(engine, canonical_jobs)}
    assert expired.job_id == by_title["Data Engineer"].job_id
    assert by_title["Data Engineer"].expired_at == fake_clock.now()
    assert by_title["Senior Backend Engineer"].expired_at is None
    assert expired.reason == "no longer listed by any source"
    log = await sync_log(engine, "r3")
    assert (log.expired, log.complete, log.completed_at) == (1, True, fake_clock.now())
    assert (await sync_log(engine, "r2")).complete is False


async def test_a_job_listed_by_two_sources_expires_when_both_drop_it(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    for item in THREE_SOURCES[:2]:
        await handle(uow, JobDiscovered.model_validate(item))
    await handle(uow, run("greenhouse:acme", "g1", ["greenhouse:4012"]))
    await handle(uow, run("linkedin:acme", "l1", ["linkedin:li-77"]))

    await handle(uow, run("greenhouse:acme", "g2", []))
    assert await staged(engine, JobExpired) == []
    await handle(uow, run("linkedin:acme", "l2", [], complete=True))

    assert len(await staged(engine, JobExpired)) == 1


async def test_a_job_past_its_expiry_time_expires_and_is_purged_90_days_later(
    engine: AsyncEngine, uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    closes = fake_clock.now() + timedelta(days=2)
    await ingest_batch(uow, [posting("greenhouse", "9", expires_at=closes.isoformat()),
                             posting("greenhouse", "10", title="Data Engineer")])
    purge_after = timedelta(days=90)
    assert await sweep(uow, purge_after) == (0, 0)

    fake_clock.advance(timedelta(days=2).total_seconds())
    assert await sweep(uow, purge_after) == (1, 0)
    assert await sweep(uow, purge_after) == (0, 0)
    [expired] = await staged(engine, JobExpired)
    assert expired.reason == PAST_EXPIRY

    fake_clock.advance(timedelta(days=90).total_seconds() + 1)
    assert await sweep(uow, purge_after) == (0, 1)
    assert [j.title for j in await rows(engine, canonical_jobs)] == ["Data Engineer"]
    assert [s.source_job_key for s in await rows(engine, job_sightings)] == ["greenhouse:10"]


async def test_the_sweep_runs_on_the_clock_until_stopped(
    engine: AsyncEngine, uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    closes = fake_clock.now() + timedelta(seconds=30)
    await ingest_batch(uow, [posting("greenhouse", "9", expires_at=closes.isoformat())])
    stop = asyncio.Event()
    task = asyncio.create_task(sweep_forever(stop, uow, interval_s=60,
                                             purge_after=timedelta(days=90)))
    while fake_clock.sleepers == 0:
        await asyncio.sleep(0.01)
    assert await staged(engine, JobExpired) == []

    fake_clock.advance(60)
    for _ in range(500):
        if await staged(engine, JobExpired):
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, timeout=10)

    assert len(await staged(engine, JobExpired)) == 1


async def test_the_handler_publishes_normalised_fields_and_skips_redelivery(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    event = JobDiscovered.model_validate(THREE_SOURCES[1])
    envelope = await handle(uow, event)
    async with uow.handling(GROUP, envelope) as tx:
        assert tx is None  # the inbox knows it

    [published] = await staged(engine, JobPublished)
    assert (published.company, published.title) == ("ACME, Inc.", "Sr. Backend Engineer")
    assert (published.workplace, published.salary_min, published.salary_max,
            published.salary_currency, published.salary_period) == (
        "hybrid", 70_000, 90_000, "EUR", "year")


async def test_a_large_batch_takes_the_copy_path_and_dedupes_the_same(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    jobs = [posting("greenhouse", str(i), title=f"Engineer {i}", description="") for i in
            range(120)]
    reposts = [posting("indeed", f"r{i}", company="ACME Inc.", title=f"Engineer {i}",
                       location="Berlin", description="", salary_text="$90 - $80 an hour")
               for i in range(0, 120, 3)]

    report = await ingest_batch(uow, [*jobs, *reposts])
    again = await ingest_batch(uow, [*reposts, *jobs])

    assert (report.new, report.duplicates) == (120, 40)
    assert (again.new, again.duplicates, again.unchanged) == (0, 0, 160)
    assert len(await rows(engine, canonical_jobs)) == 120
    assert len(await staged(engine, JobPublished)) == 120
    sightings = await rows(engine, job_sightings)
    assert len(sightings) == 160
    assert {tuple(s.notes) for s in sightings if s.source == "indeed"} == {
        ("salary min 90 > max 80: swapped",)}


async def test_a_runs_own_errors_are_kept_in_its_sync_log(
    engine: AsyncEngine, uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    await handle(uow, JobDiscovered.model_validate(posting("lever", "1", run_id="lv-1")))
    failed = ScrapeRunCompleted(source="lever:acme", run_id="lv-1",
                                seen_source_job_keys=["lever:1"], complete=False,
                                errors=["page 3: HTTP 429 after 5 attempts"])

    await handle(uow, failed)

    log = await sync_log(engine, "lv-1")
    assert (log.fetched, log.new, log.errors, log.complete) == (1, 1, 1, False)
    assert log.error_reasons == [{"key": "lever:acme",
                                  "reason": "page 3: HTTP 429 after 5 attempts"}]
    assert log.completed_at == fake_clock.now()


async def waiting_runs(engine: AsyncEngine) -> list[str]:
    return sorted(r.run_id for r in await rows(engine, run_completions) if r.applied_at is None)


async def test_a_completion_before_its_postings_waits_for_them_then_expires_the_rest(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    for n in ("1", "2"):
        await handle(uow, JobDiscovered.model_validate(
            posting("greenhouse", n, title=f"Engineer {n}", run_id="g1")))
    await handle(uow, run("greenhouse:acme", "g1", ["greenhouse:1", "greenhouse:2"]))

    # Run g2 lists 1 and the new 3 and 4; its completion comes before 3 and 4.
    await handle(uow, run("greenhouse:acme", "g2", ["greenhouse:1", "greenhouse:3",
                                                     "greenhouse:4"]).model_copy(
        update={"announced": 2}))
    assert await waiting_runs(engine) == ["g2"]
    assert await staged(engine, JobExpired) == []
    await handle(uow, JobDiscovered.model_validate(
        posting("greenhouse", "4", title="Engineer 4", run_id="g2")))
    assert await waiting_runs(engine) == ["g2"]
    await handle(uow, JobDiscovered.model_validate(
        posting("greenhouse", "3", title="Engineer 3", run_id="g2")))

    assert await waiting_runs(engine) == []
    [expired] = await staged(engine, JobExpired)
    by_title = {j.title: j for j in await rows(engine, canonical_jobs)}
    assert expired.job_id == by_title["Engineer 2"].job_id
    links = {s.source_job_key: (s.feed, s.run_id) for s in await rows(engine, job_sightings)}
    assert links == {"greenhouse:1": ("greenhouse:acme", "g2"),
                     "greenhouse:2": ("greenhouse:acme", "g1"),
                     "greenhouse:3": ("greenhouse:acme", "g2"),
                     "greenhouse:4": ("greenhouse:acme", "g2")}
    assert (await sync_log(engine, "g2")).complete is True


async def test_a_later_run_waits_behind_an_earlier_one_of_its_source(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    await handle(uow, run("greenhouse:acme", "g1", ["greenhouse:1"]).model_copy(
        update={"announced": 1}))
    # g2 announced nothing, but applying it before g1 would expire what g1 listed.
    await handle(uow, run("greenhouse:acme", "g2", ["greenhouse:1"]).model_copy(
        update={"announced": 0}))
    assert await waiting_runs(engine) == ["g1", "g2"]

    await handle(uow, JobDiscovered.model_validate(posting("greenhouse", "1", run_id="g1")))

    assert await waiting_runs(engine) == []
    assert await staged(engine, JobExpired) == []
    [sighting] = await rows(engine, job_sightings)
    assert (sighting.feed, sighting.run_id) == ("greenhouse:acme", "g2")


async def g2_missing_its_posting_3(uow: UnitOfWork) -> None:
    """Run g1 listed 1; run g2 lists 2 and 3, and its completion came with only 2 handled."""
    await handle(uow, JobDiscovered.model_validate(posting("greenhouse", "1", run_id="g1")))
    await handle(uow, run("greenhouse:acme", "g1", ["greenhouse:1"]))
    await handle(uow, run("greenhouse:acme", "g2", ["greenhouse:2", "greenhouse:3"]).model_copy(
        update={"announced": 2}))
    await handle(uow, JobDiscovered.model_validate(
        posting("greenhouse", "2", title="Engineer 2", run_id="g2")))


async def test_a_posting_late_past_the_wait_lets_the_run_apply_and_is_linked_when_it_comes(
    engine: AsyncEngine, uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    timeouts = "jams_job_discovery_run_completion_timeouts_total"
    before = REGISTRY.get_sample_value(timeouts) or 0.0
    await g2_missing_its_posting_3(uow)

    fake_clock.advance(DEFAULT_COMPLETION_WAIT_S - 1)
    assert await check_waiting(uow) == 0
    assert await staged(engine, JobExpired) == []
    fake_clock.advance(1)
    with structlog.testing.capture_logs() as logs:
        assert await check_waiting(uow) == 1

    assert await waiting_runs(engine) == []
    [expired] = await staged(engine, JobExpired)
    by_title = {j.title: j.job_id for j in await rows(engine, canonical_jobs)}
    assert expired.job_id == by_title["Senior Backend Engineer"]  # 1: g2 no longer lists it
    assert REGISTRY.get_sample_value(timeouts) == before + 1
    [warning] = [e for e in logs if e["event"] == "run completion applied without all its postings"]
    assert (warning["run_id"], warning["missing"]) == ("g2", 1)
    await handle(uow, JobDiscovered.model_validate(
        posting("greenhouse", "3", title="Engineer 3", run_id="g2")))
    links = {s.source_job_key: (s.feed, s.run_id) for s in await rows(engine, job_sightings)}
    assert links == {"greenhouse:1": ("greenhouse:acme", "g1"),
                     "greenhouse:2": ("greenhouse:acme", "g2"),
                     "greenhouse:3": ("greenhouse:acme", "g2")}
    # The next complete run of the source can now expire 3 like any posting it listed before.
    await handle(uow, run("greenhouse:acme", "g3", ["greenhouse:2"]))
    assert len(await staged(engine, JobExpired)) == 2


async def blocked_on_locks(engine: AsyncEngine, count: int) -> None:
    """Return once `count` sessions of this test's database wait for a lock."""
    waiting = sa.text("SELECT count(*) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND wait_event_type = 'Lock'")
    for _ in range(500):
        async with engine.connect() as conn:
            if await conn.scalar(waiting) == count:
                return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never saw {count} sessions waiting for a lock")


async def test_a_posting_whose_completion_is_applied_while_it_waits_is_still_linked(
    engine: AsyncEngine, uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    await g2_missing_its_posting_3(uow)
    fake_clock.advance(DEFAULT_COMPLETION_WAIT_S)

    # The check loop takes the source's lock and stops, on a row held here, just before it
    # marks g2 applied; posting 3 of g2 finds g2 waiting and queues for the source's lock.
    async with engine.connect() as holder:
        await holder.execute(sa.select(run_completions.c.seq).with_for_update()
                             .where(run_completions.c.run_id == "g2"))
        checking = asyncio.create_task(check_waiting(uow))
        await blocked_on_locks(engine, 1)
        late = asyncio.create_task(handle(uow, JobDiscovered.model_validate(
            posting("greenhouse", "3", title="Engineer 3", run_id="g2"))))
        await blocked_on_locks(engine, 2)
        await holder.rollback()
    assert await checking == 1
    await late

    links = {s.source_job_key: (s.feed, s.run_id) for s in await rows(engine, job_sightings)}
    assert links["greenhouse:3"] == ("greenhouse:acme", "g2")
    # So the next complete run of the source expires 3 when it no longer lists it.
    await handle(uow, run("greenhouse:acme", "g3", ["greenhouse:2"]))
    assert len(await staged(engine, JobExpired)) == 2


async def test_a_material_edit_publishes_job_updated_once_and_a_cosmetic_one_nothing(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    await ingest_batch(uow, THREE_SOURCES)
    original = THREE_SOURCES[0]
    cosmetic = original | {
        "description": ADVERT.replace("\n", "\n\n ").replace("the Payments", "the  Payments"),
        "apply_url": original["apply_url"] + "?utm_source=newsletter&gclid=x1",
        "run_id": "gh-2"}
    edited = original | {
        "title": "Staff Backend Engineer", "salary_text": "\u20ac90,000 - 110,000 a year",
        "description": ADVERT.replace("- Kafka", "- Kafka\n- Rust"), "run_id": "gh-3"}

    await ingest_batch(uow, [cosmetic])
    assert await staged(engine, JobUpdated) == []
    await ingest_batch(uow, [edited])
    await ingest_batch(uow, [edited])  # seen again unchanged
    # A duplicate's edit is not the job's: its fields come from the first sighting.
    await ingest_batch(uow, [THREE_SOURCES[1] | {"title": "Lead Backend Engineer"}])

    [updated] = await staged(engine, JobUpdated)
    [job] = await rows(engine, canonical_jobs)
    assert (updated.job_id, updated.revision, job.revision) == (job.job_id, 1, 1)
    assert updated.changed == ["title", "description", "salary"]
    assert updated.previous == {"title": "Senior Backend Engineer", "salary": ""}
    assert updated.description_diff == ["+ - Rust"]
    assert (updated.title, updated.salary_min, updated.salary_max) == (
        "Staff Backend Engineer", 90_000, 110_000)
    assert (job.title, job.description) == ("Staff Backend Engineer", edited["description"])
    assert len(await staged(engine, JobPublished)) == 1
    assert ((await sync_log(engine, "gh-2")).updated,
            (await sync_log(engine, "gh-3")).unchanged) == (1, 1)


async def expire_greenhouse(uow: UnitOfWork, keys: list[str], run_id: str) -> None:
    """A complete run of the greenhouse board that lists only `keys`."""
    await handle(uow, run("greenhouse:acme", run_id, keys))


async def test_a_posting_seen_again_after_its_job_expired_reopens_it_once(
    engine: AsyncEngine, uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    item = posting("greenhouse", "1", run_id="g1")
    await handle(uow, JobDiscovered.model_validate(item))
    await expire_greenhouse(uow, ["greenhouse:1"], "g1")
    fake_clock.advance(3600)
    await expire_greenhouse(uow, [], "g2")
    [expired] = await staged(engine, JobExpired)
    fake_clock.advance(3600)

    for run_id in ("g3", "g4"):
        await handle(uow, JobDiscovered.model_validate(item | {"run_id": run_id}))
        await expire_greenhouse(uow, ["greenhouse:1"], run_id)

    [reopened] = await staged(engine, JobReopened)
    [job] = await rows(engine, canonical_jobs)
    assert (reopened.job_id, reopened.source_job_key) == (expired.job_id, "greenhouse:1")
    assert reopened.reopened_at == fake_clock.now()
    assert (job.job_id, job.expired_at, job.expiry_reason) == (expired.job_id, None, None)
    assert [(await sync_log(engine, r)).reopened for r in ("g3", "g4")] == [1, 0]
    assert len(await staged(engine, JobPublished)) == 1
    # Gone again from a later complete run, it expires again.
    await expire_greenhouse(uow, [], "g5")
    assert len(await staged(engine, JobExpired)) == 2


async def test_a_repost_under_a_new_id_reopens_the_expired_job_and_becomes_its_source(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    await handle(uow, JobDiscovered.model_validate(posting("greenhouse", "1")))
    await expire_greenhouse(uow, ["greenhouse:1"], "g1")
    await expire_greenhouse(uow, [], "g2")
    [expired] = await staged(engine, JobExpired)

    repost = posting("greenhouse", "2", run_id="g3",
                     apply_url="https://jobs.example.com/greenhouse/2?utm_source=board")
    await handle(uow, JobDiscovered.model_validate(repost))

    [job] = await rows(engine, canonical_jobs)
    [reopened] = await staged(engine, JobReopened)
    [updated] = await staged(engine, JobUpdated)
    assert reopened.job_id == updated.job_id == job.job_id == expired.job_id
    assert (job.primary_source_job_key, job.expired_at) == ("greenhouse:2", None)
    assert updated.changed == ["apply_url"]
    assert {s.job_id for s in await rows(engine, job_sightings)} == {job.job_id}
    assert len(await staged(engine, JobPublished)) == 1
    log = await sync_log(engine, "g3")
    assert (log.duplicates, log.reopened) == (1, 1)


async def test_two_batches_revising_one_job_at_once_tell_two_revisions(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    await handle(uow, JobDiscovered.model_validate(posting("greenhouse", "1")))
    await expire_greenhouse(uow, ["greenhouse:1"], "g1")
    await expire_greenhouse(uow, [], "g2")
    renamed = posting("greenhouse", "1", title="Staff Backend Engineer", run_id="g3")
    repost = posting("greenhouse", "2", run_id="g4",
                     apply_url="https://jobs.example.com/greenhouse/2?utm_source=board")

    # The rename takes another fingerprint's lock than the repost, which still matches the job.
    async with uow.transaction() as tx:
        await ingest(tx, [renamed])
        reposting = asyncio.create_task(ingest_batch(uow, [repost]))
        await blocked_on_locks(engine, 1)
    await reposting

    [job] = await rows(engine, canonical_jobs)
    updates = await staged(engine, JobUpdated)
    assert sorted(u.revision for u in updates) == [1, 2]
    assert {u.job_id for u in updates} == {job.job_id}
    assert (job.revision, job.primary_source_job_key) == (2, "greenhouse:2")


async def test_a_posting_past_its_own_expiry_does_not_reopen_its_job(
    engine: AsyncEngine, uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    closes = (fake_clock.now() + timedelta(days=1)).isoformat()
    item = posting("greenhouse", "1", expires_at=closes)
    await ingest_batch(uow, [item])
    fake_clock.advance(timedelta(days=2).total_seconds())
    assert await sweep(uow, timedelta(days=90)) == (1, 0)

    await ingest_batch(uow, [item | {"run_id": "late"}])

    assert await staged(engine, JobReopened) == []
    [job] = await rows(engine, canonical_jobs)
    assert job.expired_at is not None


async def test_a_job_stored_under_an_earlier_key_is_keyed_anew_and_met_by_its_next_sighting(
    engine: AsyncEngine, uow: UnitOfWork
) -> None:
    await ingest_batch(uow, [THREE_SOURCES[0]])
    async with engine.begin() as conn:  # as an earlier dedup rule keyed it
        await conn.execute(sa.update(canonical_jobs).values(canonical_key="an earlier key"))

    async with uow.transaction() as tx:
        assert await rekey_jobs(tx.conn) == 1
    async with uow.transaction() as tx:
        assert await rekey_jobs(tx.conn) == 0  # nothing left to key
    report = await ingest_batch(uow, THREE_SOURCES[1:])

    assert report.published == []  # the other boards' sightings joined the stored job
    assert len(await rows(engine, canonical_jobs)) == 1

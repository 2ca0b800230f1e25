"""A job's trace starts at its scrape: one span per board or source fetch, parent of the
JobDiscovered events that fetch announces."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from infra import tracing
from infra.clock import FakeClock
from infra.db import create_engine
from infra.documents.postgres import PostgresDocumentStore
from infra.politeness import PortalPolicy
from infra.uow import UnitOfWork
from schemas.events.jobs import JobDiscovered
from services.job_discovery.fleet import request_run
from services.job_discovery.fleet_run import execute_run
from services.job_discovery.settings import GreenhouseBoard
from services.job_discovery.sources import sandbox_sources
from tests.integration.test_job_discovery import (
    BOARDS,
    broken_board,
    outbox_events,
    portal_client,
    scraper_for,
)
from tests.integration.test_scrape_fleet_support import API, polite_context, sandbox
from tests.integration.test_tracing import read_spans

pytestmark = pytest.mark.integration

DISCOVERED = "publish jams.jobs.JobDiscovered"
FAST = PortalPolicy(rate_per_s=1000, burst=1000, max_concurrency=50)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


def children(spans: list[dict[str, Any]], parent: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in spans if s["parent_id"] == parent["context"]["span_id"]
            and s["context"]["trace_id"] == parent["context"]["trace_id"]]


async def test_each_board_scrape_is_a_root_span_and_its_jobs_are_its_children(
    trace_file: Path, engine: AsyncEngine,
) -> None:
    uow = UnitOfWork(engine, FakeClock(), source="jams/job_discovery")
    boards = [GreenhouseBoard(board_token="down", company="Down", api_base="http://broken.test"),
              *BOARDS]
    mounts: dict[str, httpx.AsyncBaseTransport] = {
        "http://broken.test": httpx.MockTransport(broken_board)}
    async with portal_client(mounts=mounts) as http:
        report = await scraper_for(http, PostgresDocumentStore(engine), uow,
                                   boards).scrape_round()
    assert report.failed_boards == ["down"] and report.emitted > 0

    spans = read_spans(trace_file)
    scrapes = {s["name"]: s for s in spans if s["name"].startswith("scrape ")}
    assert set(scrapes) == {f"scrape {b.board_token}" for b in boards}
    for board in BOARDS:
        scrape = scrapes[f"scrape {board.board_token}"]
        assert scrape["parent_id"] is None  # each scrape starts its own trace
        assert scrape["status"]["status_code"] == "UNSET"
        assert scrape["attributes"] == {
            tracing.SERVICE_ATTRIBUTE: "job_discovery", "jams.scrape.source": board.board_token,
            "jams.scrape.portal": "greenhouse", "jams.scrape.company": board.company,
            "jams.scrape.postings": scrape["attributes"]["jams.scrape.postings"],
            "jams.scrape.new_or_changed": len(children(spans, scrape)),
        }
        assert all(c["name"] == DISCOVERED for c in children(spans, scrape))
    assert sum(scrapes[f"scrape {b.board_token}"]["attributes"]["jams.scrape.postings"]
               for b in BOARDS) == report.postings

    # Every JobDiscovered staged is the child of its board's scrape; none starts a trace.
    published = [s for s in spans if s["name"] == DISCOVERED]
    assert len(published) == report.emitted == len(await outbox_events(engine, JobDiscovered))
    scrape_ids = {s["context"]["span_id"] for s in scrapes.values()}
    assert all(s["parent_id"] in scrape_ids for s in published)

    # The board that failed is on record as a failed scrape, with nothing announced.
    down = scrapes["scrape down"]
    assert down["status"]["status_code"] == "ERROR"
    assert [e["name"] for e in down["events"]] == ["exception"]
    assert children(spans, down) == []


async def test_a_fleet_run_is_one_span_over_the_events_it_announces(
    trace_file: Path, engine: AsyncEngine, redis_url: str,
) -> None:
    source = sandbox_sources(API)[0].model_copy(update={"policy": FAST})
    run_id = await request_run(engine, source.name, datetime.now(UTC))
    redis: Redis = Redis.from_url(redis_url)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox().app)) as http:
            ctx = await polite_context(engine, redis, FakeClock(datetime.now(UTC)), http)
            summary = await execute_run(ctx, source, run_id)
    finally:
        await redis.aclose()
    assert summary.new_or_changed > 0

    spans = read_spans(trace_file)
    [scrape] = [s for s in spans if s["name"] == f"scrape {source.name}"]
    assert scrape["parent_id"] is None
    assert scrape["attributes"] == {
        tracing.SERVICE_ATTRIBUTE: "job_discovery", "jams.scrape.source": source.name,
        "jams.scrape.portal": source.kind, "jams.scrape.run_id": run_id,
        "jams.scrape.postings": summary.fetched,
        "jams.scrape.new_or_changed": summary.new_or_changed, "jams.scrape.outcome": "ok",
    }
    names = sorted(c["name"] for c in children(spans, scrape))
    assert names == sorted([DISCOVERED] * summary.new_or_changed
                           + ["publish jams.jobs.ScrapeRunCompleted"])

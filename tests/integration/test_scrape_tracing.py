"""A job's trace starts at its scrape: one span per source run, parent of the JobDiscovered
events that run announces."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from infra import tracing
from infra.clock import FakeClock
from infra.db import create_engine
from schemas.events.jobs import JobDiscovered
from services.job_discovery.sources import GreenhouseSource, SourceConfig
from tests.integration.test_job_discovery import (
    BOARDS,
    FAST,
    broken_board,
    portal_client,
    scrape_round,
)
from tests.integration.test_scrape_fleet_support import outbox_events, polite_context
from tests.integration.test_tracing import read_spans

pytestmark = pytest.mark.integration

DISCOVERED = "publish jams.jobs.JobDiscovered"
COMPLETED = "publish jams.jobs.ScrapeRunCompleted"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


def children(spans: list[dict[str, Any]], parent: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in spans if s["parent_id"] == parent["context"]["span_id"]
            and s["context"]["trace_id"] == parent["context"]["trace_id"]]


async def test_each_run_is_a_root_span_and_the_jobs_it_announces_are_its_children(
    trace_file: Path, engine: AsyncEngine, redis_url: str,
) -> None:
    sources: list[SourceConfig] = [
        GreenhouseSource(name="greenhouse-down", board_token="down", company="Down",
                         api_base="http://broken.test", policy=FAST),
        *BOARDS,
    ]
    mounts: dict[str, httpx.AsyncBaseTransport] = {
        "http://broken.test": httpx.MockTransport(broken_board)}
    redis: Redis = Redis.from_url(redis_url)
    try:
        async with portal_client(mounts=mounts) as http:
            ctx = await polite_context(engine, redis, FakeClock(), http,
                                       allow_private=["portal.test", "broken.test"])
            [down_run, *runs] = await scrape_round(ctx, sources)
    finally:
        await redis.aclose()
    assert down_run.outcome == "failed" and sum(r.new_or_changed for r in runs) > 0

    spans = read_spans(trace_file)
    scrapes = {s["name"]: s for s in spans if s["name"].startswith("scrape ")}
    assert set(scrapes) == {f"scrape {s.name}" for s in sources}
    for source, run in zip(BOARDS, runs, strict=True):
        scrape = scrapes[f"scrape {source.name}"]
        assert scrape["parent_id"] is None  # each scrape starts its own trace
        assert scrape["status"]["status_code"] == "UNSET"
        assert scrape["attributes"] == {
            tracing.SERVICE_ATTRIBUTE: "job_discovery", "jams.scrape.source": source.name,
            "jams.scrape.portal": "greenhouse", "jams.scrape.run_id": run.run_id,
            "jams.scrape.postings": run.fetched,
            "jams.scrape.new_or_changed": run.new_or_changed, "jams.scrape.outcome": "ok",
        }
        assert sorted(c["name"] for c in children(spans, scrape)) == sorted(
            [DISCOVERED] * run.new_or_changed + [COMPLETED])

    # Every JobDiscovered staged is the child of its run's scrape; none starts a trace.
    published = [s for s in spans if s["name"] == DISCOVERED]
    assert len(published) == sum(r.new_or_changed for r in runs)
    assert len(published) == len(await outbox_events(engine, [JobDiscovered]))
    scrape_ids = {s["context"]["span_id"] for s in scrapes.values()}
    assert all(s["parent_id"] in scrape_ids for s in published)

    # The source that failed is on record as a failed scrape, with no job announced.
    down = scrapes["scrape greenhouse-down"]
    assert down["status"]["status_code"] == "ERROR"
    assert [e["name"] for e in down["events"]] == ["exception"]
    assert down["attributes"]["jams.scrape.outcome"] == "failed"
    assert DISCOVERED not in {c["name"] for c in children(spans, down)}

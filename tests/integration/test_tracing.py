"""One trace follows a job from the scrape to the application across the services.

The services run in one process against the sandbox portal (as the walking skeleton does),
on the embedded bus and on Kafka, with spans exported to a file; every hop between services
is a real trip through the outbox and the bus, carried by the envelope's traceparent.

The boards are scraped only once the ATS engine knows every seeded candidate, so each job is
scored on its own path (JobPublished meets the candidates) and its approvals join its trace;
a job that came first would be scored when a resume arrived, in that resume's trace.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn

from infra import tracing
from infra.runtime import Platform, open_platform, run_services
from infra.settings import CommonSettings
from sandbox.portal.__main__ import build_portal_app
from services.ats_engine.seeding import load_seed
from services.ats_engine.tables import candidates
from services.catalog import build_all
from services.job_discovery.adapters.http import make_http_client
from services.job_discovery.fleet import open_context
from services.job_discovery.fleet_run import execute_run
from services.job_discovery.settings import JobDiscoverySettings
from services.sandbox_profile import SANDBOX_CANDIDATES, sandbox_settings

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.slow, pytest.mark.browser]

SUBMITTED = "jams.applications.ApplicationSubmitted"


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def read_spans(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def traces(spans: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_trace: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for span in spans:
        by_trace[span["context"]["trace_id"]].append(span)
    return by_trace


def services_of(spans: list[dict[str, Any]]) -> set[str]:
    return {span["attributes"].get(tracing.SERVICE_ATTRIBUTE) for span in spans}


def notified_application_trace(path: Path) -> list[dict[str, Any]] | None:
    """A trace in which an application was submitted and its notification handled."""
    for spans in traces(read_spans(path)).values():
        notified = any(s["name"] == f"handle {SUBMITTED}"
                       and s["attributes"].get(tracing.SERVICE_ATTRIBUTE) == "notifications"
                       for s in spans)
        if notified and any(s["name"] == "publish jams.jobs.JobDiscovered" for s in spans):
            return spans
    return None


async def wait_until(ready: Callable[[], Awaitable[bool]], system: asyncio.Task[None],
                     timeout_s: float) -> None:
    """Poll `ready` until it holds; fail at once if the system stops on its own."""
    async with asyncio.timeout(timeout_s):
        while not await ready():
            if system.done():
                system.result()
                pytest.fail("the system stopped on its own")
            await asyncio.sleep(0.5)


async def ats_candidates(platform: Platform) -> set[uuid.UUID]:
    async with platform.engine.connect() as conn:
        return set((await conn.scalars(sa.select(candidates.c.candidate_id))).all())


async def scrape_sandbox(platform: Platform, portal: str) -> None:
    """One run of each sandbox seed board, as job discovery's scrape worker runs them."""
    settings = JobDiscoverySettings(**sandbox_settings(portal)["job_discovery"])
    async with make_http_client(settings.http_timeout_s, settings.allow_private_hosts) as http:
        ctx = open_context(platform.unit_of_work("job_discovery"), platform.documents,
                           platform.redis, platform.clock, http, settings)
        runs = [await execute_run(ctx, source, uuid.uuid4().hex) for source in settings.sources]
    assert sum(r.new_or_changed for r in runs) > 0, runs
    assert all(r.outcome == "ok" for r in runs), runs


@pytest.mark.parametrize("bus", ["embedded", "kafka"])
async def test_one_trace_follows_a_job_from_scrape_to_application(
    bus: str, request: pytest.FixtureRequest, trace_file: Path, database_url: str,
    redis_url: str, chromium_path: str, tmp_path: Path,
) -> None:
    namespace = f"tr{uuid.uuid4().hex[:10]}"
    shared: dict[str, Any] = {
        "bus": bus, "bus_namespace": namespace, "database_url": database_url,
        "redis_url": redis_url, "blob_dir": tmp_path / "blobs", "http_port": 0,
        "mongo_url": None,
    }
    if bus == "kafka":  # every hop crosses the broker; traceparent rides in a record header
        shared["kafka_bootstrap"] = request.getfixturevalue("kafka_bootstrap")
        shared["jwt_secret"] = uuid.uuid4().hex  # distributed mode has no generated default
    async with serve(build_portal_app()) as portal, \
            open_platform(CommonSettings(**shared)) as platform:
        sandbox = sandbox_settings(portal)
        specs = build_all(platform, shared, {
            # No sources of its own: the test scrapes once the candidates are in (see above).
            "job_discovery": {"sources": []},
            "ats_engine": sandbox["ats_engine"],
            "workflow": {"presence_namespace": namespace},
            "application_bot": {"chromium_path": chromium_path,
                                **sandbox["application_bot"]},
            "gateway": {"presence_namespace": namespace},
        })
        stop = asyncio.Event()
        gateway_port: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        system = asyncio.create_task(run_services(
            platform, specs, stop, port=0, on_listening=gateway_port.set_result))
        try:
            port = await asyncio.wait_for(gateway_port, 60)
            caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            async with httpx.AsyncClient() as client:
                response = await client.get(f"http://127.0.0.1:{port}/healthz",
                                            headers={"traceparent": caller})
                assert response.status_code == 200
            seeded = {candidate.candidate_id for candidate in load_seed(SANDBOX_CANDIDATES)}

            async def candidates_known() -> bool:
                return seeded <= await ats_candidates(platform)

            await wait_until(candidates_known, system, 120)
            await scrape_sandbox(platform, portal)

            async def application_notified() -> bool:
                return notified_application_trace(trace_file) is not None

            await wait_until(application_notified, system, 240)
            trace = notified_application_trace(trace_file)
            assert trace is not None
        finally:
            stop.set()
            await asyncio.wait_for(system, 60)

    names = [span["name"] for span in trace]
    # The job's path, hop by hop, in one trace.
    for expected in ("publish jams.jobs.JobDiscovered", "handle jams.jobs.JobDiscovered",
                     "publish jams.jobs.JobPublished", "handle jams.jobs.JobPublished",
                     "publish jams.matches.ApplicationApproved",
                     "handle jams.matches.ApplicationApproved", "apply through the browser",
                     "publish jams.applications.ApplicationSubmitted",
                     "handle jams.applications.ApplicationSubmitted"):
        assert expected in names, f"{expected} missing from {sorted(names)}"
    assert {"job_discovery", "ats_engine", "application_bot", "notifications"} <= \
        services_of(trace)

    # Every span but the root has its parent in the same trace: no hop starts a new trace.
    ids = {span["context"]["span_id"] for span in trace}
    roots = [span for span in trace if span["parent_id"] is None]
    assert len(roots) == 1 and roots[0]["name"].startswith("scrape "), roots
    [root] = roots
    assert root["attributes"][tracing.SERVICE_ATTRIBUTE] == "job_discovery"
    assert root["attributes"]["jams.scrape.postings"] > 0
    assert all(span["parent_id"] in ids for span in trace if span["parent_id"] is not None)
    # The scrape announced the job: its JobDiscovered is the root's child.
    discovered = [s for s in trace if s["name"] == "publish jams.jobs.JobDiscovered"]
    assert discovered and all(s["parent_id"] == root["context"]["span_id"] for s in discovered)

    # The HTTP server continued the caller's trace.
    [health] = [s for s in read_spans(trace_file) if s["name"] == "GET /healthz"]
    assert health["context"]["trace_id"] == "0x0af7651916cd43dd8448eb211c80319c"
    assert health["parent_id"] == "0xb7ad6b7169203331"
    assert health["attributes"]["http.response.status_code"] == 200

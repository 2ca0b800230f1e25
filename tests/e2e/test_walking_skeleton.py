"""The whole path, on real Kafka and again on the embedded bus: portal → jobs → scores →
automatic applications and review tasks over WebSocket → applications → notifications."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
import websockets
from pydantic import SecretStr

from infra.auth import Role, mint_access_token
from infra.runtime import open_platform, run_services
from infra.settings import CommonSettings
from sandbox.portal.__main__ import build_portal_app
from services.catalog import build_all
from services.notifications.tables import notifications
from services.sandbox_profile import sandbox_settings

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.slow, pytest.mark.browser]

ADA = "ada.okafor@example.com"
BRUNO = "bruno.lindqvist@example.com"
BACKEND_POSTS = {4012345001, 4098765001}  # one job, posted on two boards
FRONTEND, PLATFORM, DATA = 4012345003, 4012345002, 5023456001


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


async def submissions(portal: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{portal}/_sandbox/submissions")
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()
        return result


async def wait_for_submissions(portal: str, count: int, system: asyncio.Task[None],
                               timeout_s: float = 180) -> None:
    async with asyncio.timeout(timeout_s):
        while len(await submissions(portal)) < count:
            if system.done():
                system.result()  # raises what stopped the system
                pytest.fail("the system stopped on its own")
            await asyncio.sleep(0.2)


async def next_offer(socket: websockets.ClientConnection) -> dict[str, Any]:
    while True:
        message = json.loads(await socket.recv())
        if message["type"] == "task_offered":
            return dict(message)


def count_notifications(database_url: str) -> int:
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        count = conn.scalar(sa.select(sa.func.count()).select_from(notifications))
    engine.dispose()
    return int(count or 0)


async def wait_for_notifications(database_url: str, count: int, system: asyncio.Task[None],
                                 timeout_s: float = 60) -> None:
    """Until `count` notifications are written (the last submission's may still be on its
    way when the portal has recorded it)."""
    async with asyncio.timeout(timeout_s):
        while await asyncio.to_thread(count_notifications, database_url) < count:
            if system.done():
                system.result()
            await asyncio.sleep(0.2)


@pytest.mark.parametrize("bus", ["embedded", "kafka"])
async def test_the_walking_skeleton(
    bus: str, request: pytest.FixtureRequest, database_url: str, redis_url: str,
    chromium_path: str, tmp_path: Path,
) -> None:
    namespace = f"e2e{uuid.uuid4().hex[:10]}"
    secret = SecretStr(f"e2e-jwt-secret-{uuid.uuid4().hex}")
    reviewer = uuid.uuid4()
    token = mint_access_token(secret, reviewer, Role.REVIEWER)
    shared: dict[str, Any] = {
        "bus": bus, "bus_namespace": namespace, "database_url": database_url,
        "redis_url": redis_url, "blob_dir": tmp_path / "blobs", "http_port": 0,
        "mongo_url": None, "jwt_secret": secret,
    }
    if bus == "kafka":
        shared["kafka_bootstrap"] = request.getfixturevalue("kafka_bootstrap")
        shared["mongo_url"] = request.getfixturevalue("mongo_url")  # raw documents in FerretDB
        shared["s3_url"] = request.getfixturevalue("s3_url")  # resumes and evidence in S3
    review: dict[str, Any] = {"presence_namespace": namespace}

    async with serve(build_portal_app()) as portal, \
            open_platform(CommonSettings(**shared)) as platform:
        sandbox = sandbox_settings(portal)
        specs = build_all(platform, shared, {
            **sandbox,
            "workflow": review,
            "application_bot": {"chromium_path": chromium_path, **sandbox["application_bot"]},
            "gateway": review,
        })
        stop = asyncio.Event()
        gateway_port: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        system = asyncio.create_task(run_services(
            platform, specs, stop, port=0, on_listening=gateway_port.set_result))
        try:
            port = await asyncio.wait_for(gateway_port, 60)
            # Scores of 100: Ada for the backend job, Bruno for the frontend job.
            await wait_for_submissions(portal, 2, system)

            url = f"ws://127.0.0.1:{port}/ws/reviewers/{reviewer}?access_token={token}"
            async with websockets.connect(url) as socket:
                offered = []
                for _ in range(2):  # Ada's two review-band scores: platform and data engineering
                    offer = await asyncio.wait_for(next_offer(socket), 120)
                    offered.append(offer)
                    await socket.send(json.dumps({"type": "accept",
                                                  "task_id": offer["task_id"]}))
                    await socket.send(json.dumps({"type": "complete",
                                                  "task_id": offer["task_id"]}))
                await wait_for_submissions(portal, 4, system)
            await asyncio.sleep(1)  # room for a wrong extra application to show up
            sent = await submissions(portal)
            await wait_for_notifications(database_url, 4, system)
        finally:
            stop.set()
            await asyncio.wait_for(system, 60)

    applied = Counter((s["fields"]["email"], s["job_id"]) for s in sent)
    assert sum(applied.values()) == 4, f"expected exactly four applications: {applied}"
    assert all(count == 1 for count in applied.values()), f"applied twice: {applied}"
    backend = [job for (email, job) in applied if email == ADA and job in BACKEND_POSTS]
    assert len(backend) == 1, "the backend job, posted twice, must be applied to once"
    assert {(BRUNO, FRONTEND), (ADA, PLATFORM), (ADA, DATA)} <= set(applied)
    assert {o["job_title"] for o in offered} == {"Platform Engineer", "Data Engineer"}
    assert all(50 <= o["score"] < 90 for o in offered)

    assert count_notifications(database_url) == 4, "one notification per submitted application"

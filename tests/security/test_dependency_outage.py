"""The gateway and analytics, served as in production (API port, operations port), while their
PostgreSQL and Valkey are stopped for real: every route answers without a 500, the routes that
need the server gone answer 503 ERR_DEPENDENCY with Retry-After, a reviewer socket is closed
with 1013, readiness is red and names the server; all recover when it is back.

The servers are private to this module (started by the dev-server code in a folder of their
own), so stopping them disturbs no other test; the bus is the shared Kafka, namespaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from bench.e2e_system import free_port
from infra.auth import Role, mint_access_token
from infra.devservices.private import PrivateServers
from infra.http_conventions import CLOSE_TRY_AGAIN_LATER
from infra.logging import configure_logging
from infra.migrate import upgrade
from infra.runtime import open_platform, run_services
from services.analytics.app import build as build_analytics
from services.analytics.settings import AnalyticsSettings
from services.gateway.app import build as build_gateway
from services.gateway.settings import GatewaySettings

pytestmark = [pytest.mark.integration, pytest.mark.kafka, pytest.mark.slow]

SECRET = SecretStr("dependency-outage-test-secret-0123456789")
ADMIN_ID = uuid.uuid4()
WAIT_S = 60.0
# Bodies that pass validation, so a write reaches the database instead of answering 422.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/auth/login"): {"email": "someone@example.com", "password": "pw-12345678"},
    ("POST", "/api/v1/auth/register"): {"email": "new@example.com", "password": "pw-12345678"},
    ("PUT", "/api/v1/candidates/{candidate_id}/preferences"): {"daily_cap": 3},
    ("PUT", "/api/v1/scoring-config"): {"version": "v-outage", "weights": {"title": 1.0}},
    ("PUT", "/api/v1/candidates/{candidate_id}/answer-bank"): {"answers": []},
    ("POST", "/api/v1/users"): {"email": "staff@example.com", "password": "pw-12345678",
                                "role": "operator"},
    ("PATCH", "/api/v1/users/{user_id}"): {"disabled": True},
    ("POST", "/api/v1/reviewers/{reviewer_id}/unlock"): {"reason": "reviewed with them"},
    ("POST", "/api/supervisor/unlock"): {"reviewer_id": str(uuid.uuid4()),
                                         "reason": "reviewed with them"},
    ("PUT", "/api/v1/candidates/{candidate_id}/portal-sessions/{portal}"): {"cookies": []},
}
# Routes that cannot answer without the database (the rest may: pages, token-only routes).
NEED_DATABASE = {
    ("GET", "/api/v1/jobs"), ("GET", "/api/v1/jobs/{job_id}"), ("GET", "/api/v1/candidates"),
    ("GET", "/api/v1/review-tasks"), ("GET", "/api/v1/applications"),
    ("GET", "/api/v1/scoring-config"), ("PUT", "/api/v1/scoring-config"),
    ("PUT", "/api/v1/candidates/{candidate_id}/preferences"),
    ("PUT", "/api/v1/candidates/{candidate_id}/answer-bank"), ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"), ("PATCH", "/api/v1/users/{user_id}"),
    ("POST", "/api/v1/reviewers/{reviewer_id}/unlock"),
    ("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/register"),
    ("GET", "/api/v1/analytics/summary"), ("GET", "/api/v1/dead-letters"),
    ("PUT", "/api/v1/candidates/{candidate_id}/portal-sessions/{portal}"),
}
NEED_REDIS = {("POST", "/api/v1/auth/login"), ("GET", "/api/supervisor/overview")}


@pytest.fixture(scope="module")
def servers() -> Iterator[PrivateServers]:
    folder = Path(tempfile.mkdtemp(prefix="jams-outage-"))
    private = PrivateServers(folder, {"JAMS_DEV_REDIS_PORT": free_port()})
    try:
        private.up("postgres", "valkey")
        upgrade(private.env()["JAMS_DATABASE_URL"])
        yield private
    finally:
        with contextlib.suppress(Exception):
            private.down("postgres", "valkey")
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class System:
    api: httpx.AsyncClient
    ops: httpx.AsyncClient
    app: FastAPI
    port: int

    async def ready(self) -> httpx.Response:
        return await self.ops.get("/readyz")

    async def wait_ready(self) -> None:
        async with asyncio.timeout(WAIT_S):
            while (await self.ready()).status_code != 200:
                await asyncio.sleep(0.2)


@pytest.fixture
async def system(servers: PrivateServers, kafka_bootstrap: str,
                 tmp_path: Path) -> AsyncIterator[System]:
    # JSON lines as in production: the console renderer's tracebacks of every retried outage
    # error would hold the event loop for seconds.
    configure_logging("INFO")
    env = servers.env()
    shared: dict[str, Any] = {
        "bus": "kafka", "kafka_bootstrap": kafka_bootstrap,
        "bus_namespace": f"outage{uuid.uuid4().hex[:8]}", "kafka_partitions": 1,
        "database_url": env["JAMS_DATABASE_URL"], "redis_url": env["JAMS_REDIS_URL"],
        "mongo_url": None, "blob_dir": tmp_path / "blobs", "data_dir": tmp_path,
        "jwt_secret": SECRET, "ops_port": free_port(), "shutdown_grace_s": 5,
        # Configured as in production, so the sessions route meets the outage, not a gap.
        "portal_session_keys": {"k1": SecretStr("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")},
        "portal_session_key_id": "k1",
    }
    async with open_platform(GatewaySettings(**shared)) as platform:
        gateway = build_gateway(platform, GatewaySettings(**shared))
        specs = [gateway, build_analytics(platform, AnalyticsSettings(**shared))]
        assert gateway.http_app is not None
        stop = asyncio.Event()
        bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        runner = asyncio.create_task(run_services(platform, specs, stop, port=0,
                                                  on_listening=bound.set_result))
        port = await asyncio.wait_for(bound, WAIT_S)
        # Counting the dead letters reads every topic of the bus first: seconds.
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as api, \
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{shared['ops_port']}") as ops:
            running = System(api, ops, gateway.http_app, port)
            try:
                await running.wait_ready()
                yield running
            finally:
                stop.set()
                await runner


def http_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every API route of the served app (gateway and analytics merged)."""
    return sorted((method.upper(), path) for path, operations in app.openapi()["paths"].items()
                  for method in operations)


def filled(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(uuid.uuid4()) if m[1].endswith("_id") else "x",
                  path)


def admin() -> dict[str, str]:
    """A fresh login of the admin: the sweep's own logout revokes the one it used."""
    return {"Authorization": f"Bearer {mint_access_token(SECRET, ADMIN_ID, Role.ADMIN)}"}


async def sweep(system: System) -> dict[tuple[str, str], httpx.Response]:
    """Every HTTP route once, as an admin, with a valid body where one is known."""
    answers = {}
    for method, path in http_routes(system.app):
        body = BODIES.get((method, path), {}) if method in ("POST", "PUT", "PATCH") else None
        answers[method, path] = await system.api.request(method, filled(path), json=body,
                                                         headers=admin())
    return answers


def problems(answers: dict[tuple[str, str], httpx.Response],
             needed: set[tuple[str, str]]) -> list[str]:
    """Routes that answered a 500, a 5xx not in the dependency shape, or did not say 503
    where the server that is away is needed."""
    found = []
    for (method, path), response in answers.items():
        label = f"{method} {path}: {response.status_code} {response.text[:160]}"
        if response.status_code >= 500:
            error = response.json().get("error", {})
            if (response.status_code, error.get("code")) != (503, "ERR_DEPENDENCY") \
                    or int(response.headers.get("Retry-After", "0")) <= 0:
                found.append(label)
        elif (method, path) in needed:
            found.append(label)
    return found


async def test_the_database_away_is_503_everywhere_and_readiness_red(
    system: System, servers: PrivateServers
) -> None:
    assert (await system.ready()).json()["checks"]["database"] == "ok"
    assert not NEED_DATABASE - set(http_routes(system.app)), "a listed route is gone"
    servers.down("postgres")
    try:
        answers = await sweep(system)
        assert not problems(answers, NEED_DATABASE), "\n".join(problems(answers, NEED_DATABASE))
        ready = await system.ready()
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"].startswith("failing")
    finally:
        servers.up("postgres")
    await system.wait_ready()
    assert (await system.api.get("/api/v1/jobs", headers=admin())).status_code == 200


async def test_redis_away_is_503_where_it_is_needed_and_closes_sockets_with_1013(
    system: System, servers: PrivateServers
) -> None:
    servers.down("valkey")
    try:
        answers = await sweep(system)
        assert not problems(answers, NEED_REDIS), "\n".join(problems(answers, NEED_REDIS))
        # The database still answers: the API that needs only it goes on working.
        assert answers["GET", "/api/v1/jobs"].status_code == 200
        ready = await system.ready()
        assert ready.status_code == 503
        assert ready.json()["checks"]["redis"].startswith("failing")
        reviewer = uuid.uuid4()
        token = mint_access_token(SECRET, reviewer, Role.REVIEWER)
        async with connect(f"ws://127.0.0.1:{system.port}/ws/reviewers/{reviewer}"
                           f"?access_token={token}") as socket:
            with pytest.raises(ConnectionClosed):
                async with asyncio.timeout(WAIT_S):
                    await socket.recv()
        assert socket.close_code == CLOSE_TRY_AGAIN_LATER
    finally:
        servers.up("valkey")
    await system.wait_ready()
    login = await system.api.post("/api/v1/auth/login", json=BODIES["POST", "/api/v1/auth/login"])
    assert login.status_code == 401  # an answer about the account again, not about Redis


async def test_probes_metrics_and_docs_answer_only_on_the_operations_port(
    system: System,
) -> None:
    for path in ("/healthz", "/readyz", "/metrics", "/docs", "/docs/assets/swagger-ui.css",
                 "/openapi.json"):
        assert (await system.api.get(path)).status_code == 404, path
        assert (await system.ops.get(path)).status_code == 200, path
    assert "jams_http_requests_total" in (await system.ops.get("/metrics")).text
    assert "/api/v1/jobs" in (await system.ops.get("/openapi.json")).json()["paths"]

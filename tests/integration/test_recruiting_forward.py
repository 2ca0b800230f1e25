"""The gateway's forwarding of employers' job writes to a recruiting service running apart,
under uvicorn on a free port: answers, errors, the caller's token and request id pass
through; 503 while the service is away, and nothing is written then."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from fastapi import APIRouter, FastAPI

from infra.api_docs import api_app
from infra.auth import Role
from infra.http_conventions import install_api_conventions
from services.gateway.recruiting_forward import install_recruiting_forward
from services.recruiting.tables import audit_log, jobs
from tests.integration.recruiting_support import Recruiting, recruiting

__all__ = ["recruiting"]

pytestmark = pytest.mark.integration


@dataclass
class Forwarding:
    recruiting: Recruiting
    server: uvicorn.Server
    serving: asyncio.Task[None]
    gateway: httpx.AsyncClient

    async def stop_recruiting(self) -> None:
        self.server.should_exit = True
        await self.serving


def gateway_app(recruiting_url: str) -> FastAPI:
    """The gateway's part in it: its API conventions, the forwarded routes, and its own job
    reads on the same paths, included afterwards as the gateway's API router is."""
    app = api_app("JAMS gateway")
    install_api_conventions(app)
    install_recruiting_forward(app, recruiting_url, timeout_s=5.0)
    reads = APIRouter(prefix="/api/v1")

    @reads.get("/jobs")
    async def listed() -> dict[str, str]:
        return {"answered_by": "gateway"}

    @reads.get("/jobs/{job_id}")
    async def one(job_id: str) -> dict[str, str]:
        return {"answered_by": "gateway"}

    app.include_router(reads)
    return app


@pytest.fixture
async def forwarding(recruiting: Recruiting) -> AsyncIterator[Forwarding]:
    server = uvicorn.Server(uvicorn.Config(recruiting.app, host="127.0.0.1", port=0,
                                           log_config=None, lifespan="off"))
    serving = asyncio.create_task(server.serve())
    for _ in range(400):
        if server.started:
            break
        await asyncio.sleep(0.025)
    port = server.servers[0].sockets[0].getsockname()[1]
    app = gateway_app(f"http://127.0.0.1:{port}")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://jams.example.com") as gateway:
        forwarding = Forwarding(recruiting, server, serving, gateway)
        yield forwarding
        if not serving.done():
            await forwarding.stop_recruiting()


async def job_count(api: Recruiting) -> int:
    async with api.uow.engine.connect() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(jobs))).scalar_one())


async def test_a_job_is_posted_and_edited_through_the_gateway(forwarding: Forwarding) -> None:
    api = forwarding.recruiting
    company = api.companies[0]
    recruiter = api.auth(Role.RECRUITER, company)
    posted = await forwarding.gateway.post(
        "/api/v1/jobs", json={"title": "Data engineer", "status": "draft"},
        headers={**recruiter, "X-Request-ID": "forwarded-post-1"})
    assert posted.status_code == 201, posted.text
    assert posted.headers["x-request-id"] == "forwarded-post-1"
    job_id = posted.json()["job_id"]
    assert posted.json()["company_id"] == str(company.company_id)
    # Written by the recruiting service, as asked and by whom.
    direct = await api.client.get(f"/api/v1/companies/{company.company_id}/jobs",
                                  headers=recruiter)
    assert job_id in [job["job_id"] for job in direct.json()["items"]]
    async with api.uow.engine.connect() as conn:
        request_ids = (await conn.execute(sa.select(audit_log.c.request_id).where(
            audit_log.c.object_id == job_id))).scalars().all()
    assert request_ids == ["forwarded-post-1"]

    edited = await forwarding.gateway.patch(f"/api/v1/jobs/{job_id}",
                                            json={"location": "Berlin"}, headers=recruiter)
    assert edited.status_code == 200, edited.text
    assert edited.json()["location"] == "Berlin"
    # A body that arrives in pieces, with no length given, is passed on as it comes.
    async def pieces() -> AsyncIterator[bytes]:
        for piece in (b'{"title": "Streamed', b' engineer", ', b'"status": "draft"}'):
            yield piece

    streamed = await forwarding.gateway.post(
        "/api/v1/jobs", content=pieces(),
        headers={**recruiter, "Content-Type": "application/json"})
    assert streamed.status_code == 201, streamed.text
    assert streamed.json()["title"] == "Streamed engineer"
    # The reads on the same paths stay the gateway's.
    for path in ("/api/v1/jobs", f"/api/v1/jobs/{job_id}"):
        read = await forwarding.gateway.get(path, headers=recruiter)
        assert read.json() == {"answered_by": "gateway"}, path


async def test_the_recruiting_service_s_refusals_come_back_unchanged(
        forwarding: Forwarding) -> None:
    api = forwarding.recruiting
    other = api.companies[1]
    before = await job_count(api)
    unauthenticated = await forwarding.gateway.post("/api/v1/jobs", json={"title": "X"})
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["error"]["code"] == "ERR_AUTH_REQUIRED"
    # Another company's job, as a missing one.
    foreign = await forwarding.gateway.patch(
        f"/api/v1/jobs/{other.draft_job}", json={"location": "Paris"},
        headers=api.auth(Role.RECRUITER, api.companies[0]))
    missing = await forwarding.gateway.patch(
        f"/api/v1/jobs/{uuid.uuid4()}", json={"location": "Paris"},
        headers=api.auth(Role.RECRUITER, api.companies[0]))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["error"]["code"] == missing.json()["error"]["code"]
    invalid = await forwarding.gateway.post("/api/v1/jobs", json={"title": ""},
                                            headers=api.auth(Role.RECRUITER, other))
    assert invalid.status_code == 422, invalid.text
    assert invalid.json()["error"]["code"] == "ERR_VALIDATION"
    # One request id on both sides: the gateway's, which the recruiting service took.
    assert invalid.json()["error"]["request_id"] == invalid.headers["x-request-id"]
    assert await job_count(api) == before


async def test_503_while_the_recruiting_service_is_away(forwarding: Forwarding) -> None:
    api = forwarding.recruiting
    before = await job_count(api)
    await forwarding.stop_recruiting()
    for method, path in (("POST", "/api/v1/jobs"),
                         ("PATCH", f"/api/v1/jobs/{api.companies[0].draft_job}")):
        answer = await forwarding.gateway.request(
            method, path, json={"title": "Engineer", "location": "Rome"},
            headers={**api.auth(Role.RECRUITER), "X-Request-ID": "while-away"})
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"]
        error = answer.json()["error"]
        assert error["code"] == "ERR_DEPENDENCY"
        assert "recruiting" in error["message"]
        assert error["request_id"] == "while-away"
    assert await job_count(api) == before

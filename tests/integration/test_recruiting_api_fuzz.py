"""The recruiting API under bad input and outages. Fuzzed from its own OpenAPI document: no 5xx,
every response as documented (15 derandomised examples per operation, as a company admin of a
seeded company and as a platform admin); and with its database away, 503 everywhere."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from infra.auth import Role, TokenVerifier, mint_access_token
from infra.clock import SystemClock
from infra.uow import UnitOfWork
from services.recruiting.app import recruiting_app
from services.recruiting.settings import RecruitingSettings
from services.recruiting.shared_links import expiry, sign
from tests.integration.recruiting_support import SCREENING, SECRET
from tests.integration.test_api_fuzz import fuzz_failures

pytestmark = pytest.mark.integration
ADMIN, COMPANY_ADMIN = uuid.uuid4(), uuid.uuid4()


def bearer(user_id: uuid.UUID, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_access_token(SECRET, user_id, role, ttl_s=3600)}"}


async def _seed(app: Any) -> None:
    """A company with its admin, a draft and a published job."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app),
                                 base_url="http://recruiting") as client:
        made = await client.post("/api/v1/companies", json={"name": "Acme"},
                                 headers=bearer(ADMIN, Role.ADMIN))
        company = made.json()["company_id"]
        await client.put(f"/api/v1/companies/{company}/members/{COMPANY_ADMIN}",
                         headers=bearer(ADMIN, Role.ADMIN))
        for status in ("draft", "published"):
            posted = await client.post("/api/v1/jobs", json={"title": "Engineer",
                                                             "status": status},
                                       headers=bearer(COMPANY_ADMIN, Role.COMPANY_ADMIN))
            assert posted.status_code == 201, posted.text


@pytest.fixture
def api_schema(database_url: str, tmp_path: Path) -> Iterator[Any]:
    # The test client runs the app on an event loop of its own: no pooled connections that
    # would belong to another loop.
    engine = create_async_engine(make_url(database_url).set(drivername="postgresql+psycopg"),
                                 poolclass=NullPool)
    clock = SystemClock()
    app = recruiting_app(UnitOfWork(engine, clock, "jams/recruiting"),
                         TokenVerifier(SECRET, clock=clock),
                         RecruitingSettings(database_url=database_url, jwt_secret=SECRET,
                                            data_dir=tmp_path))
    asyncio.run(_seed(app))
    yield schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.parametrize("caller", [(COMPANY_ADMIN, Role.COMPANY_ADMIN), (ADMIN, Role.ADMIN)])
def test_no_server_errors_and_every_response_matches_the_schema(
        api_schema: Any, caller: tuple[uuid.UUID, Role]) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 28
    failures = fuzz_failures(operations, bearer(*caller))
    assert not failures, "\n\n".join(failures)


async def test_every_route_answers_503_while_its_database_is_away(tmp_path: Path) -> None:
    """No internal error for callers: the membership lookup and every query meet the outage
    and answer ERR_DEPENDENCY with Retry-After."""
    engine = create_async_engine("postgresql+psycopg://jams@127.0.0.1:9/jams",
                                 poolclass=NullPool, connect_args={"connect_timeout": 2})
    clock = SystemClock()
    settings = RecruitingSettings(jwt_secret=SECRET, data_dir=tmp_path)
    app = recruiting_app(UnitOfWork(engine, clock, "jams/recruiting"),
                         TokenVerifier(SECRET, clock=clock), settings)
    # A well-signed token, so that the shared view reaches its lookup.
    token = sign(settings.shared_link_key(), uuid.uuid4(), expiry(clock.now(), 3600))
    ids = {"company_id": uuid.uuid4(), "job_id": uuid.uuid4(), "candidate_id": uuid.uuid4(),
           "user_id": uuid.uuid4(), "note_id": uuid.uuid4(), "link_id": uuid.uuid4(),
           "token": token, "interview_id": uuid.uuid4(), "task_id": uuid.uuid4(),
           "questionnaire_id": uuid.uuid4()}
    bodies = {"/api/v1/companies": {"name": "Acme"}, "/api/v1/jobs": {"title": "Engineer"},
              "/api/v1/jobs/{job_id}": {"location": "Berlin"},
              "/api/v1/jobs/{job_id}/candidates/{candidate_id}": {"status": "maybe"},
              "/api/v1/jobs/{job_id}/candidates/{candidate_id}/notes": {"body": "Call back"},
              "/api/v1/notes/{note_id}": {"body": "Called back"},
              "/api/v1/jobs/{job_id}/candidates/{candidate_id}/links": {},
              "/api/v1/jobs/{job_id}/candidates/{candidate_id}/interviews": {
                  "kind": "phone", "starts_at": "2026-03-01T10:00:00+01:00",
                  "time_zone": "Europe/Paris", "duration_min": 30,
                  "interviewer_ids": [str(uuid.uuid4())]},
              "/api/v1/interviews/{interview_id}": {"duration_min": 45},
              "/api/v1/match/run": {"job_id": str(ids["job_id"])},
              "/api/v1/jobs/{job_id}/questionnaire": SCREENING,
              "/api/v1/questionnaires/{questionnaire_id}/answers": {
                  "candidate_id": str(uuid.uuid4()), "version": 1, "answers": {}}}
    callers = {"POST /api/v1/companies": (ADMIN, Role.ADMIN),
               "PUT /api/v1/companies/{company_id}/members/{user_id}": (ADMIN, Role.ADMIN),
               "POST /api/v1/questionnaires/{questionnaire_id}/answers": (ADMIN, Role.ADMIN)}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app),
                                 base_url="http://recruiting") as client:
        for path, operations in app.openapi()["paths"].items():
            for method in operations:
                caller = callers.get(f"{method.upper()} {path}",
                                     (COMPANY_ADMIN, Role.COMPANY_ADMIN))
                response = await client.request(method, path.format(**ids),
                                                json=bodies.get(path), headers=bearer(*caller))
                assert response.status_code == 503, (method, path, response.text)
                assert response.json()["error"]["code"] == "ERR_DEPENDENCY"
                assert "Retry-After" in response.headers
    await engine.dispose()

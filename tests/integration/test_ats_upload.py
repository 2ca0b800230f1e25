"""The gateway's resume upload route: the uploader's checks answer at once, a good file is
stored and announced, the ATS engine makes one version per content; who may upload."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from pydantic import SecretStr

from infra.auth import Role, TokenVerifier, mint_access_token, principal_dependency
from infra.blobs import LocalBlobStore
from infra.clock import FakeClock
from infra.db import create_engine
from infra.http_conventions import install_api_conventions
from infra.outbox import outbox
from infra.resume_files import ResumeFileSettings
from infra.uow import UnitOfWork
from schemas.events.resumes import ResumeFileUploaded, ResumeVersionCreated
from services.ats_engine.intake import on_file_uploaded
from services.ats_engine.tables import resume_versions
from services.gateway.resumes import resume_routes
from tests.fixtures.resumes import RESUME, docx_file, encrypted_pdf, pdf, zip_bomb

pytestmark = pytest.mark.integration
SECRET = SecretStr("test-secret-for-uploads-0123456789abcdef")
CANDIDATE = uuid.uuid4()
REVIEWER = uuid.uuid4()
TASK = uuid.uuid4()


class Env:
    def __init__(self, http: httpx.AsyncClient, uow: UnitOfWork, blobs: Path,
                 clock: FakeClock) -> None:
        self.http, self.uow, self.blobs, self.clock = http, uow, blobs, clock

    def token(self, user: uuid.UUID, role: Role) -> dict[str, str]:
        return {"authorization": "Bearer " + mint_access_token(SECRET, user, role,
                                                               clock=self.clock)}

    async def post(self, name: str, content: bytes, headers: dict[str, str] | None = None,
                   task: uuid.UUID | None = None,
                   candidate: uuid.UUID = CANDIDATE) -> httpx.Response:
        return await self.http.post(
            f"/api/v1/candidates/{candidate}/resumes",
            params={"task_id": str(task)} if task else None,
            headers=self.token(CANDIDATE, Role.CANDIDATE) if headers is None else headers,
            files={"file": (name, content)})

    async def events(self) -> list[tuple[str, dict[str, Any]]]:
        async with self.uow.engine.connect() as conn:
            rows = await conn.execute(sa.select(outbox.c.headers, outbox.c.value)
                                      .order_by(outbox.c.id))
            return [(dict(row.headers)["ce_type"], json.loads(row.value)) for row in rows]

    def stored_files(self) -> int:
        return sum(1 for path in self.blobs.rglob("*") if path.is_file())


@pytest.fixture
async def env(database_url: str, fake_clock: FakeClock, tmp_path: Path) -> AsyncIterator[Env]:
    engine = create_engine(database_url, pool_size=2)
    uow = UnitOfWork(engine, fake_clock, source="jams/gateway")

    async def holds_task(reviewer: uuid.UUID, task: uuid.UUID, candidate: uuid.UUID) -> bool:
        return (reviewer, task, candidate) == (REVIEWER, TASK, CANDIDATE)

    app = FastAPI()
    install_api_conventions(app, max_body_bytes=10_000_000)
    resume_routes(app, uow, LocalBlobStore(tmp_path), principal_dependency(
        TokenVerifier(SECRET, clock=fake_clock)), holds_task,
        ResumeFileSettings(max_upload_bytes=1_000_000))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://gw") as http:
        yield Env(http, uow, tmp_path, fake_clock)
    await engine.dispose()


async def test_each_format_is_stored_and_becomes_one_version(env: Env) -> None:
    for name, content in [("cv.pdf", pdf()), ("cv.docx", docx_file()),
                          ("cv.txt", RESUME.encode())]:
        response = await env.post(name, content)
        assert response.status_code == 201, response.text
    again = await env.post("cv.txt", RESUME.encode())
    assert again.status_code == 200 and again.json()["new"] is False
    assert env.stored_files() == 3
    uploads = [data for kind, data in await env.events() if kind == ResumeFileUploaded.TYPE]
    assert len(uploads) == 4, "the same file again is announced again (harmless, see below)"
    assert {u["kind"] for u in uploads} == {"pdf", "docx", "text"}
    assert all(u["created_by"] == "candidate" and u["uploaded_by"] == str(CANDIDATE)
               for u in uploads)
    # The ATS engine's side: four announcements, three contents, three versions.
    for data in uploads:
        async with env.uow.transaction() as tx:
            await on_file_uploaded(ResumeFileUploaded.model_validate(data), tx)
    async with env.uow.engine.connect() as conn:
        versions = await conn.scalar(sa.select(sa.func.count()).select_from(resume_versions))
    created = [data for kind, data in await env.events() if kind == ResumeVersionCreated.TYPE]
    assert versions == 3 and len(created) == 3
    assert again.json()["resume_version_id"] in {c["resume_version_id"] for c in created}


@pytest.mark.parametrize(
    "name, content, status, message",
    [("cv.pdf", encrypted_pdf(), 422, "encrypted"), ("cv.docx", zip_bomb(), 422, "zip bomb"),
     ("cv.txt", b"", 422, "empty"), ("cv.pdf", RESUME.encode(), 422, "claims to be pdf"),
     ("cv.txt", "café".encode("latin-1"), 422, "not UTF-8"),
     ("cv.txt", b"x" * 2_000_000, 413, "limit")],
)
async def test_bad_files_get_a_clear_error_and_store_nothing(
        env: Env, name: str, content: bytes, status: int, message: str) -> None:
    response = await env.post(name, content)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == "ERR_VALIDATION" and message in error["message"]
    assert env.stored_files() == 0 and await env.events() == []


async def test_who_may_upload(env: Env) -> None:
    body = RESUME.encode()
    someone = uuid.uuid4()
    refused = [
        (await env.post("cv.txt", body, headers={}), 401),
        (await env.post("cv.txt", body, headers={"authorization": "Bearer forged"}), 401),
        (await env.post("cv.txt", body, env.token(someone, Role.CANDIDATE)), 403),
        (await env.post("cv.txt", body, task=TASK), 403),  # a candidate names no task
        (await env.post("cv.txt", body, env.token(REVIEWER, Role.REVIEWER)), 403),
        (await env.post("cv.txt", body, env.token(REVIEWER, Role.REVIEWER),
                        task=uuid.uuid4()), 403),
        (await env.post("cv.txt", body, env.token(someone, Role.REVIEWER), task=TASK), 403),
        (await env.post("cv.txt", body, env.token(REVIEWER, Role.REVIEWER), task=TASK,
                        candidate=someone), 403),
        (await env.post("cv.txt", body, env.token(someone, Role.OPERATOR)), 403),
    ]
    assert [r.status_code for r, _ in refused] == [status for _, status in refused]
    assert env.stored_files() == 0 and await env.events() == []
    by_reviewer = await env.post("cv.txt", body, env.token(REVIEWER, Role.REVIEWER), task=TASK)
    by_admin = await env.post("cv.md", body + b"\n", env.token(someone, Role.ADMIN))
    assert by_reviewer.status_code == 201 and by_admin.status_code == 201
    uploads = [data for kind, data in await env.events() if kind == ResumeFileUploaded.TYPE]
    assert [(u["created_by"], u["task_id"]) for u in uploads] == [
        ("reviewer", str(TASK)), ("candidate", None)]

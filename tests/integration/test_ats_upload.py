"""The gateway's resume upload route: a new version per file, clear errors, nothing half-stored."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from pydantic import SecretStr

from infra.blobs import LocalBlobStore
from infra.clock import FakeClock
from infra.db import create_engine
from infra.outbox import outbox
from infra.uow import UnitOfWork
from services.ats_engine.settings import AtsSettings
from services.ats_engine.tables import resume_versions
from services.gateway.resumes import resume_routes
from tests.fixtures.resumes import RESUME, docx_file, encrypted_pdf, pdf, zip_bomb

pytestmark = pytest.mark.integration
REVIEWER = uuid.uuid4()
HEADERS = {"x-reviewer-id": str(REVIEWER), "x-reviewer-token": "s3cret"}
CANDIDATE = uuid.uuid4()


@pytest.fixture
async def client(database_url: str, fake_clock: FakeClock,
                 tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, UnitOfWork]]:
    engine = create_engine(database_url, pool_size=2)
    uow = UnitOfWork(engine, fake_clock, source="jams/gateway")
    app = resume_routes(FastAPI(), uow, LocalBlobStore(tmp_path), {REVIEWER: SecretStr("s3cret")},
                        AtsSettings(max_upload_bytes=1_000_000, candidates_seed=None))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://gw") as http:
        yield http, uow
    await engine.dispose()


async def counts(uow: UnitOfWork) -> tuple[int, int]:
    async with uow.engine.connect() as conn:
        versions = await conn.scalar(sa.select(sa.func.count()).select_from(resume_versions))
        events = await conn.scalar(sa.select(sa.func.count()).select_from(outbox))
    return int(versions or 0), int(events or 0)


async def post(http: httpx.AsyncClient, name: str, content: bytes,
               headers: dict[str, str] = HEADERS) -> httpx.Response:
    return await http.post(f"/candidates/{CANDIDATE}/resumes", headers=headers,
                           files={"file": (name, content)})


async def test_each_format_becomes_one_version_and_one_event(
        client: tuple[httpx.AsyncClient, UnitOfWork]) -> None:
    http, uow = client
    for name, content in [("cv.pdf", pdf()), ("cv.docx", docx_file()),
                          ("cv.txt", RESUME.encode())]:
        response = await post(http, name, content)
        assert response.status_code == 201, response.text
    again = await post(http, "cv.txt", RESUME.encode())
    assert again.status_code == 200 and again.json()["new"] is False
    assert await counts(uow) == (3, 3)


@pytest.mark.parametrize(
    "name, content, status, message",
    [("cv.pdf", encrypted_pdf(), 422, "encrypted"), ("cv.docx", zip_bomb(), 422, "zip bomb"),
     ("cv.txt", b"", 422, "empty"), ("cv.pdf", RESUME.encode(), 422, "claims to be pdf"),
     ("cv.txt", "café".encode("latin-1"), 422, "not UTF-8"),
     ("cv.txt", b"x" * 2_000_000, 413, "limit")],
)
async def test_bad_files_get_a_clear_error_and_store_nothing(
        client: tuple[httpx.AsyncClient, UnitOfWork], name: str, content: bytes, status: int,
        message: str) -> None:
    http, uow = client
    response = await post(http, name, content)
    assert response.status_code == status
    assert message in response.json()["detail"]
    assert await counts(uow) == (0, 0)


async def test_uploads_need_a_known_token(client: tuple[httpx.AsyncClient, UnitOfWork]) -> None:
    http, uow = client
    response = await post(http, "cv.txt", RESUME.encode(), {**HEADERS, "x-reviewer-token": "no"})
    assert response.status_code == 401
    assert await counts(uow) == (0, 0)

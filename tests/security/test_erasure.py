"""Erasure that erases: the services run (embedded bus, real PostgreSQL and Valkey, the folder
or a versioned S3 bucket), a candidate registers, uploads a resume, sets preferences and
answers, hands over a portal session, is scored, offered to a reviewer, applied for and written
about in an employer's notes; then erases themself. Nothing of theirs can be read back
afterwards from any table, file (every version), Redis key, log line or cache; only ids and
statuses stay."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import websockets
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.auth import Role, mint_access_token
from infra.runtime import Platform, open_platform, run_services
from infra.service import ServiceSpec
from infra.settings import CommonSettings
from schemas.events.applications import ApplicationSubmitted
from schemas.events.candidates import CandidateErased
from schemas.events.jobs import JobPublished
from schemas.events.resumes import ResumeVersionCreated
from services.application_bot.tables import applications
from services.ats_engine.embeddings import content_key
from services.ats_engine.engine import Engine
from services.ats_engine.handlers import AtsHandlers
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.tables import embeddings
from services.catalog import CATALOG
from services.recruiting.tables import note_revisions
from services.recruiting.tables import notes as recruiting_notes
from tests.contract.test_blob_store_contract import s3_client
from tests.fixtures.resumes import pdf
from tests.security.test_explanation_quotes import HIDDEN, JOB, RESUME

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EMAIL = "jane.quillfeather@example.com"
PASSWORD = "a long enough password"
FILENAME = "quillfeather-cv.pdf"
# What only this candidate's data holds: their name and e-mail, the resume's words, the file's
# name, their preferences and answers, what an application page showed.
MARKERS = ("quillfeather", "zanzibar", "zx-4411", "springfield", "ignore previous",
           "moonraker lane", "hollowmere")
# The event streams keep what the events carried until their retention passes.
EVENT_LOGS = {"outbox", "bus_records"}


@contextlib.asynccontextmanager
async def running(platform: Platform, specs: list[ServiceSpec]) -> AsyncIterator[int]:
    """The services on one port until the block ends."""
    stop = asyncio.Event()
    port: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    system = asyncio.create_task(run_services(platform, specs, stop, port=0,
                                              on_listening=port.set_result))
    try:
        yield await asyncio.wait_for(port, 60)
    finally:
        stop.set()
        await asyncio.wait_for(system, 60)


async def until(check: Any, what: str, timeout_s: float = 120) -> Any:
    async with asyncio.timeout(timeout_s):
        while not (found := await check()):
            await asyncio.sleep(0.2)
    assert found, what
    return found


async def next_offer(socket: websockets.ClientConnection, candidate: str) -> dict[str, Any]:
    while True:
        message = json.loads(await socket.recv())
        if message["type"] == "task_offered" and message["candidate_id"] == candidate:
            return dict(message)


def leaks(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker in text.lower()]


async def table_leaks(engine: AsyncEngine) -> dict[str, list[str]]:
    """Every table of the database, row by row as text."""
    found: dict[str, list[str]] = {}
    async with engine.connect() as conn:
        tables = (await conn.execute(sa.text(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' "
            "and table_schema not in ('pg_catalog', 'information_schema')"))).all()
        for schema, table in tables:
            if table in EVENT_LOGS:
                continue
            rows = await conn.scalars(sa.text(f'select t::text from "{schema}"."{table}" t'))
            if hits := sorted({hit for row in rows for hit in leaks(row)}):
                found[table] = hits
    return found


async def redis_leaks(redis: Redis, pattern: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    readers: dict[str, Any] = {
        "string": redis.get, "hash": redis.hgetall, "set": redis.smembers,
        "list": lambda k: redis.lrange(k, 0, -1), "zset": lambda k: redis.zrange(k, 0, -1),
        "stream": redis.xrange,
    }
    async for key in redis.scan_iter(match=pattern, count=500):
        kind = await redis.type(key)
        value = await readers[kind.decode() if isinstance(kind, bytes) else kind](key)
        if hits := leaks(repr(value)):
            found[repr(key)] = hits
    return found


def blob_leaks(blobs: str, root: Path, bucket: str, ids: list[str]) -> list[str]:
    """Files (every version) named for the candidate or their applications, or holding their
    words."""
    if blobs == "folder":
        files = {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
                 if p.is_file()}
    else:
        client = s3_client()
        listed = client.list_object_versions(Bucket=bucket)
        files = {f"{v['Key']}@{v['VersionId']}": client.get_object(
            Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])["Body"].read()
            for v in listed.get("Versions", [])}
        files.update({f"{m['Key']}@{m['VersionId']} (delete marker)": b""
                      for m in listed.get("DeleteMarkers", [])})
    return sorted(name for name, content in files.items()
                  if any(i in name for i in ids) or leaks(content.decode("latin-1")))


@pytest.mark.parametrize("blobs", ["folder", "s3-versioned"])
async def test_nothing_of_an_erased_candidate_can_be_read_back(
    blobs: str, database_url: str, redis_url: str, chromium_path: str, tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    namespace = f"erase{uuid.uuid4().hex[:10]}"
    secret = SecretStr(f"erasure-jwt-secret-{uuid.uuid4().hex}")
    bucket = f"erase-{uuid.uuid4().hex[:12]}"
    shared: dict[str, Any] = {
        "bus": "embedded", "bus_namespace": namespace, "database_url": database_url,
        "redis_url": redis_url, "blob_dir": tmp_path / "blobs", "http_port": 0,
        "mongo_url": None, "jwt_secret": secret, "s3_url": None,
    }
    if blobs == "s3-versioned":
        client = s3_client()
        client.create_bucket(Bucket=bucket)
        client.put_bucket_versioning(Bucket=bucket,
                                     VersioningConfiguration={"Status": "Enabled"})
        shared |= {"s3_url": client.meta.endpoint_url, "s3_bucket": bucket}
    own: dict[str, dict[str, Any]] = {
        "ats_engine": {"candidates_seed": None},  # only this candidate is scored
        "workflow": {"presence_namespace": namespace},
        "gateway": {"presence_namespace": namespace},
        "application_bot": {"chromium_path": chromium_path}}
    reviewer = uuid.uuid4()
    resume = pdf(RESUME, white=HIDDEN)

    async with open_platform(CommonSettings(**shared)) as platform:
        # Jobs are published below; no portal is scraped.
        specs = [entry.build(platform, entry.settings_type(**shared, **own.get(entry.name, {})))
                 for entry in CATALOG if entry.name != "job_discovery"]
        async with running(platform, specs) as port, httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            registered = await http.post("/api/v1/auth/register",
                                         json={"email": EMAIL, "password": PASSWORD})
            assert registered.status_code == 201, registered.text
            candidate = registered.json()["user_id"]
            login = await http.post("/api/v1/auth/login",
                                    json={"email": EMAIL, "password": PASSWORD})
            me = {"authorization": f"Bearer {login.json()['access_token']}"}
            uploaded = await http.post(f"/api/v1/candidates/{candidate}/resumes", headers=me,
                                       files={"file": (FILENAME, resume, "application/pdf")})
            assert uploaded.status_code == 201, uploaded.text
            version = uploaded.json()["resume_version_id"]
            for path, body in (("preferences", {"company_blacklist": ["Moonraker Staffing"]}),
                               ("answer-bank", {"answers": [{
                                   "keywords": ["address"], "answer": "12 Moonraker Lane",
                                   "source": "Jane Quillfeather, by e-mail"}]})):
                changed = await http.put(f"/api/v1/candidates/{candidate}/{path}", headers=me,
                                         json=body)
                assert changed.status_code == 202, changed.text
            # Their LinkedIn session, sealed into a file named for them.
            session = await http.put(
                f"/api/v1/candidates/{candidate}/portal-sessions/linkedin", headers=me,
                json={"cookies": [{"name": "li_at", "value": "quillfeather-session",
                                   "domain": ".linkedin.com"}]})
            assert session.status_code == 202, session.text

            # Scored against a job in the review band, and offered to a reviewer with the
            # resume's text beside it.
            job = uuid.uuid4()
            async with platform.unit_of_work("tests").transaction() as tx:
                tx.emit(JobPublished(job_id=job, company="Acme Care", title=JOB[0],
                                     description=JOB[1], location=JOB[2],
                                     apply_url="https://example.com/apply", sources=["t:1"]))
            admin = {"authorization": "Bearer " + mint_access_token(secret, uuid.uuid4(),
                                                                    Role.ADMIN)}

            async def queued() -> bool:
                tasks = await http.get("/api/v1/review-tasks", headers=admin,
                                       params={"candidate_id": candidate})
                return bool(tasks.json()["items"])
            # The reviewer comes once the task waits: a socket that sends no heartbeat is
            # offline after the presence TTL, and the first scoring loads the model.
            await until(queued, "the match is sent to review", 180)
            token = mint_access_token(secret, reviewer, Role.REVIEWER)
            async with websockets.connect(f"ws://127.0.0.1:{port}/ws/reviewers/{reviewer}"
                                          f"?access_token={token}") as socket:
                offer = await asyncio.wait_for(next_offer(socket, candidate), 60)
            assert leaks(offer["resume_text"]) and leaks(" ".join(offer["explanation"]))

            # What the bot leaves of an application: its evidence, and a failed visit's page.
            submitted, failed = uuid.uuid4(), uuid.uuid4()
            await platform.blobs.put(f"evidence/{submitted}/confirmation.html",
                                     b"<p>Thank you, Jane Quillfeather</p>")
            await platform.blobs.put(f"evidence/{submitted}/manifest.json", json.dumps({
                "confirmation": "C-1", "sent": {"email": EMAIL},
                "files": {"html": f"evidence/{submitted}/confirmation.html"}}).encode())
            await platform.blobs.put(f"evidence/{failed}/attempt-1.html",
                                     b"<input value='Hollowmere Road'>")
            async with platform.unit_of_work("application_bot").transaction() as tx:
                now = tx.clock.now()
                for application_id, state in ((submitted, "submitted"), (failed, "failed")):
                    await tx.conn.execute(insert(applications).values(
                        application_id=application_id, candidate_id=candidate, job_id=job
                        if state == "submitted" else uuid.uuid4(), resume_version_id=version,
                        apply_url="https://example.com/apply", state=state,
                        evidence_key=f"evidence/{application_id}/manifest.json",
                        created_at=now, updated_at=now))
                tx.emit(ApplicationSubmitted(
                    application_id=submitted, candidate_id=candidate, job_id=job,
                    resume_version_id=version, confirmation="C-1",
                    evidence_key=f"evidence/{submitted}/manifest.json"))

            async def projected() -> bool:
                got = await http.get(f"/api/v1/applications/{submitted}", headers=me)
                return got.status_code == 200
            await until(projected, "the application reaches the read model")
            # An employer's note on them, edited once: both revisions quote them.
            note, candidate_id = uuid.uuid4(), uuid.UUID(candidate)
            async with platform.unit_of_work("recruiting").transaction() as tx:
                now = tx.clock.now()
                await tx.conn.execute(recruiting_notes.insert().values(
                    note_id=note, company_id=uuid.uuid4(), job_id=job, candidate_id=candidate_id,
                    author_id=reviewer, body="Jane Quillfeather moved to Hollowmere",
                    created_at=now, edited_at=now, revision=2))
                await tx.conn.execute(note_revisions.insert(), [
                    {"note_id": note, "revision": revision, "candidate_id": candidate_id,
                     "body": body, "written_by": reviewer, "written_at": now}
                    for revision, body in ((1, "Lives on Moonraker Lane"),
                                           (2, "Jane Quillfeather moved to Hollowmere"))])
            before = await table_leaks(platform.engine)
            assert before, "the data is there before the erasure"
            assert {"recruiting_notes", "recruiting_note_revisions"} <= set(before)

            erased = await http.delete(f"/api/v1/candidates/{candidate}", headers=me)
            assert erased.status_code == 202, erased.text
            event_id = erased.json()["event_id"]
            groups = {spec.group for spec in specs if CandidateErased in spec.handled_types}

            async def everyone_erased() -> bool:
                async with platform.engine.connect() as conn:
                    done = set(await conn.scalars(sa.text(
                        "select consumer_group from inbox where event_id = :id"),
                        {"id": event_id}))
                return groups <= done
            await until(everyone_erased, f"every service erases ({sorted(groups)})")
            relogin = await http.post("/api/v1/auth/login",
                                      json={"email": EMAIL, "password": PASSWORD})
            assert relogin.status_code == 401, "the login is gone"

            ats = next(s for s in specs if s.name == "ats_engine")
            handler = ats.handlers[ResumeVersionCreated]
            assert isinstance(handler.__self__, AtsHandlers)  # type: ignore[attr-defined]
            parsed = handler.__self__._parsed  # type: ignore[attr-defined]
            assert not parsed.holds(uuid.UUID(version)), "the parsed resume is forgotten"

        ids = [candidate, str(submitted), str(failed)]
        chunks = [content_key(text) for text, _, _ in Engine(default_taxonomy()).parse_file(
            resume, "pdf", platform.clock.now().date()).profile.chunks]
        async with platform.engine.connect() as conn:
            vectors = await conn.scalar(sa.select(sa.func.count()).select_from(embeddings)
                                        .where(embeddings.c.content_sha256.in_(chunks)))
        assert vectors == 0, "no vector of the resume's text is kept"
        assert await table_leaks(platform.engine) == {}
        assert await redis_leaks(platform.redis, f"*{namespace}*") == {}
        assert blob_leaks(blobs, tmp_path / "blobs", bucket, ids) == []
    out, err = capfd.readouterr()
    assert leaks(out + err) == [], "no log line holds the candidate's data"

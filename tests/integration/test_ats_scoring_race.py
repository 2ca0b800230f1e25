"""A new job and a new resume handled at the same moment still meet: the pair is scored once.

Without the scoring lock the interleaving below loses the pair (each transaction reads before
the other commits); the test pauses both handlers at the worst points to force it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from infra.blobs import LocalBlobStore
from infra.clock import FakeClock
from infra.db import create_engine
from infra.uow import UnitOfWork
from schemas.events.envelope import Envelope
from schemas.events.jobs import JobPublished
from services.ats_engine import handlers as handlers_module
from services.ats_engine.engine import Engine
from services.ats_engine.handlers import AtsHandlers
from services.ats_engine.intake import upload_resume
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.tables import candidates, jobs, matches
from services.ats_engine.tables import preferences as preferences_table
from services.ats_engine.weights import DEFAULT_FILE, WeightsSource
from tests.fixtures.resumes import RESUME

pytestmark = pytest.mark.integration
ENGINE = Engine(default_taxonomy())


class PausingConnection:
    """The handler's connection, stopping before the first SELECT that reads `table`."""

    def __init__(self, conn: Any, table: sa.Table) -> None:
        self._conn = conn
        self._table = table
        self.reached = asyncio.Event()
        self.go = asyncio.Event()

    async def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(statement, sa.Select) and not self.reached.is_set() \
                and self._table in statement.get_final_froms():
            self.reached.set()
            await self.go.wait()
        return await self._conn.execute(statement, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@pytest.fixture
async def uow(database_url: str, fake_clock: FakeClock) -> AsyncIterator[UnitOfWork]:
    engine = create_engine(database_url, pool_size=3)
    yield UnitOfWork(engine, fake_clock, source="jams/ats_engine")
    await engine.dispose()


@pytest.mark.parametrize("locked", [True, False], ids=["with the lock", "without it"])
async def test_a_job_and_a_resume_arriving_together_are_scored_once(
        uow: UnitOfWork, tmp_path: Path, locked: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not locked:
        async def no_lock(tx: object, **_: object) -> None:
            return None

        monkeypatch.setattr(handlers_module, "_serialise_scoring", no_lock)
    blobs = LocalBlobStore(tmp_path)
    handlers = AtsHandlers(blobs, ENGINE, WeightsSource(DEFAULT_FILE))
    uploaded = await upload_resume(uow, blobs, ENGINE, uuid.uuid4(), "cv.txt", RESUME.encode())
    job = JobPublished(job_id=uuid.uuid4(), company="Acme", title="Backend Engineer",
                       location="Remote", description="Requirements:\n- Python\n- PostgreSQL\n",
                       apply_url="https://jobs.example/1", sources=["sandbox:1"])
    job_done, job_commit = asyncio.Event(), asyncio.Event()

    async def handle_job(conn_box: list[PausingConnection | None]) -> None:
        envelope = Envelope.wrap(job, source="test", time=uow.clock.now())
        async with uow.handling("ats_engine", envelope) as tx:
            assert tx is not None
            conn_box[0] = PausingConnection(tx.conn, candidates)
            tx.conn = conn_box[0]  # type: ignore[assignment]
            await handlers.on_job_published(job, tx)
            job_done.set()
            await job_commit.wait()  # held open: the resume handler reads before this commits

    async def handle_resume(conn_box: list[PausingConnection | None]) -> None:
        envelope = Envelope.wrap(uploaded.event, source="test", time=uow.clock.now())
        async with uow.handling("ats_engine", envelope) as tx:
            assert tx is not None
            conn_box[0] = PausingConnection(tx.conn, jobs)
            tx.conn = conn_box[0]  # type: ignore[assignment]
            await handlers.on_resume_version_created(uploaded.event, tx)

    job_conn: list[PausingConnection | None] = [None]
    resume_conn: list[PausingConnection | None] = [None]
    job_task = asyncio.create_task(handle_job(job_conn))
    while job_conn[0] is None or not job_conn[0].reached.is_set():
        await asyncio.sleep(0.01)  # the job row is written; candidates not read yet
    resume_task = asyncio.create_task(handle_resume(resume_conn))
    for _ in range(100):
        if resume_conn[0] is not None and resume_conn[0].reached.is_set():
            break
        await asyncio.sleep(0.01)
    if resume_conn[0] is not None and resume_conn[0].reached.is_set():
        # The resume handler got in beside the job's: let both read before either commits.
        job_conn[0].go.set()
        await job_done.wait()
        resume_conn[0].go.set()
        await asyncio.wait_for(resume_task, 10)
        job_commit.set()
        await asyncio.wait_for(job_task, 10)
    else:
        # It waits for the job's transaction, as it must; then reads the committed job.
        job_conn[0].go.set()
        job_commit.set()
        await asyncio.wait_for(job_task, 10)
        while resume_conn[0] is None or not resume_conn[0].reached.is_set():
            await asyncio.sleep(0.01)
        resume_conn[0].go.set()
        await asyncio.wait_for(resume_task, 10)
    async with uow.engine.connect() as conn:
        scored = await conn.scalar(sa.select(sa.func.count()).select_from(matches).where(
            matches.c.job_id == job.job_id,
            matches.c.candidate_id == uploaded.event.candidate_id))
    if locked:
        assert scored == 1, "the pair was never scored: each handler missed the other's row"
    else:
        assert scored == 0, "the interleaving that loses a pair did not happen"


BACKEND = "Requirements:\n- Python: five or more years\n- PostgreSQL\n- Kafka\n- Kubernetes\n"


def backend_job(company: str) -> JobPublished:
    return JobPublished(job_id=uuid.uuid4(), company=company,
                        title="Senior Backend Engineer (Python)", location="Remote",
                        description=BACKEND, apply_url="https://jobs.example/1",
                        sources=["sandbox:1"])


class HeldOpen:
    """Handles one event in its own transaction and keeps it open until `release` is set."""

    def __init__(self, uow: UnitOfWork, handle: Any, data: Any) -> None:
        self.handled, self.release = asyncio.Event(), asyncio.Event()
        self.task = asyncio.create_task(self._run(uow, handle, data))

    async def _run(self, uow: UnitOfWork, handle: Any, data: Any) -> None:
        envelope = Envelope.wrap(data, source="test", time=uow.clock.now())
        async with uow.handling("ats_engine", envelope) as tx:
            assert tx is not None
            await handle(data, tx)
            self.handled.set()
            await self.release.wait()

    async def reach(self) -> None:
        """Until the handler has done its work (its transaction still open)."""
        await asyncio.wait_for(self.handled.wait(), 10)

    async def commit(self) -> None:
        """Let the transaction commit, and wait for it."""
        self.release.set()
        await asyncio.wait_for(self.task, 10)


async def seeded(uow: UnitOfWork, handlers: AtsHandlers, blobs: LocalBlobStore,
                 preferences: dict[str, Any] | None = None) -> uuid.UUID:
    candidate_id = uuid.uuid4()
    uploaded = await upload_resume(uow, blobs, ENGINE, candidate_id, "cv.txt", RESUME.encode())
    if preferences:
        async with uow.transaction() as tx:
            await tx.conn.execute(preferences_table.insert().values(
                candidate_id=candidate_id, preferences=preferences))
    await HeldOpen(uow, handlers.on_resume_version_created, uploaded.event).commit()
    return candidate_id


async def decisions(uow: UnitOfWork, candidate_id: uuid.UUID) -> list[str]:
    async with uow.engine.connect() as conn:
        return sorted((await conn.execute(sa.select(matches.c.decision).where(
            matches.c.candidate_id == candidate_id))).scalars())


async def test_jobs_are_scored_side_by_side_and_a_resume_waits_for_them(
        uow: UnitOfWork, tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path)
    handlers = AtsHandlers(blobs, ENGINE, WeightsSource(DEFAULT_FILE))
    candidate_id = await seeded(uow, handlers, blobs)
    first = HeldOpen(uow, handlers.on_job_published, backend_job("Acme"))
    await first.reach()
    # A second job goes through while the first is still open: jobs share the lock.
    second = HeldOpen(uow, handlers.on_job_published, backend_job("Globex"))
    await second.reach()
    await second.commit()
    # A new resume waits for the job still in flight, then sees it.
    later = await upload_resume(uow, blobs, ENGINE, uuid.uuid4(), "cv.txt", RESUME.encode())
    resume = HeldOpen(uow, handlers.on_resume_version_created, later.event)
    await asyncio.sleep(0.5)
    assert not resume.handled.is_set(), "a resume must not read jobs while one is in flight"
    await first.commit()
    await resume.reach()
    await resume.commit()
    assert await decisions(uow, candidate_id) == ["apply", "apply"]
    assert await decisions(uow, later.event.candidate_id) == ["apply", "apply"]


async def test_two_jobs_scored_at_once_keep_a_daily_cap(uow: UnitOfWork, tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path)
    handlers = AtsHandlers(blobs, ENGINE, WeightsSource(DEFAULT_FILE))
    capped = await seeded(uow, handlers, blobs, {"daily_cap": 1})
    first = HeldOpen(uow, handlers.on_job_published, backend_job("Acme"))
    await first.reach()
    second = HeldOpen(uow, handlers.on_job_published, backend_job("Globex"))
    await asyncio.sleep(0.5)
    assert not second.handled.is_set(), "the capped candidate is held by the first job"
    await first.commit()
    await second.reach()
    await second.commit()
    assert await decisions(uow, capped) == ["apply", "review"]

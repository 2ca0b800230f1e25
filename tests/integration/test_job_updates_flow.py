"""Jobs that change and come back, through the services on real Kafka: an edited posting is
scored again once and its open review task shows what changed; a cosmetic edit does nothing;
a posting seen again after its job expired reopens it, and the ATS engine scores it again."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

from infra.runtime import Platform, open_platform, run_services
from infra.settings import CommonSettings
from schemas.events.envelope import Envelope, EventData
from schemas.events.jobs import JobDiscovered, ScrapeRunCompleted
from services.ats_engine.app import build as build_ats
from services.ats_engine.engine import Engine
from services.ats_engine.intake import upload_resume
from services.ats_engine.settings import AtsSettings
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.tables import jobs as ats_jobs
from services.ats_engine.tables import matches
from services.job_discovery.app import build as build_jobs
from services.job_discovery.settings import JobDiscoverySettings
from services.job_discovery.tables import canonical_jobs, job_sync_log
from services.workflow.app import build as build_workflow
from services.workflow.settings import WorkflowSettings
from services.workflow.tables import review_tasks
from tests.fixtures.resumes import RESUME

pytestmark = [pytest.mark.integration, pytest.mark.kafka]

T = TypeVar("T")
WAIT_S = 90
CANDIDATE = uuid.UUID("0d6a2f4e-77c1-4b0a-9e51-3c2d8f1a6b90")
PLATFORM = "Requirements:\n- Python\n- Kubernetes\n- Terraform\n- Go: command-line tools\n"


@dataclass
class System:
    platform: Platform

    async def publish(self, data: EventData) -> None:
        await self.platform.bus.publish(Envelope.wrap(data, source="jams/test",
                                                      time=self.platform.clock.now()))

    async def rows(self, query: sa.Select[Any]) -> list[Any]:
        async with self.platform.engine.connect() as conn:
            return list((await conn.execute(query)).all())

    async def until(self, read: Callable[[], Awaitable[T]], done: Callable[[T], bool]) -> T:
        async with asyncio.timeout(WAIT_S):
            while not done(value := await read()):
                await asyncio.sleep(0.2)
        return value


@asynccontextmanager
async def running(database_url: str, redis_url: str, kafka_bootstrap: str,
                  tmp_path: Path) -> AsyncIterator[System]:
    namespace = f"upd{uuid.uuid4().hex[:10]}"
    shared: dict[str, Any] = {
        "bus": "kafka", "bus_namespace": namespace, "kafka_bootstrap": kafka_bootstrap,
        "database_url": database_url, "redis_url": redis_url, "mongo_url": None,
        "blob_dir": tmp_path / "blobs", "http_port": 0}
    async with open_platform(CommonSettings(**shared)) as platform:
        specs = [build_jobs(platform, JobDiscoverySettings(**shared, fleet_enabled=False)),
                 build_ats(platform, AtsSettings(**shared, embeddings=False)),
                 build_workflow(platform, WorkflowSettings(**shared,
                                                           presence_namespace=namespace))]
        stop = asyncio.Event()
        listening: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        system = asyncio.create_task(run_services(platform, specs, stop, port=0,
                                                  on_listening=listening.set_result))
        try:
            await asyncio.wait_for(listening, WAIT_S)
            yield System(platform)
        finally:
            stop.set()
            await asyncio.wait_for(system, WAIT_S)


def posting(run_id: str, **overrides: Any) -> JobDiscovered:
    fields: dict[str, Any] = {
        "source_job_key": "greenhouse:77", "source": "greenhouse", "external_id": "77",
        "company": "Initech", "title": "Platform Engineer", "location": "Remote",
        "description": PLATFORM, "apply_url": "https://jobs.example.com/initech/77",
        "raw_document_id": "greenhouse:77", "run_id": run_id}
    return JobDiscovered(**(fields | overrides))


async def test_an_edited_posting_is_rescored_once_and_a_reposted_job_reopens(
    database_url: str, redis_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    async with running(database_url, redis_url, kafka_bootstrap, tmp_path) as system:
        platform = system.platform
        await upload_resume(platform.unit_of_work("ats_engine"), platform.blobs,
                            Engine(default_taxonomy()), CANDIDATE, "cv.txt", RESUME.encode())

        def tasks() -> Awaitable[list[Any]]:
            return system.rows(sa.select(review_tasks))

        def scored() -> Awaitable[list[Any]]:
            return system.rows(sa.select(matches).order_by(matches.c.job_revision))

        await system.publish(posting("r1"))
        [task] = await system.until(tasks, lambda rows: len(rows) == 1)
        assert (task.job_title, task.details.get("job_changes", [])) == ("Platform Engineer", [])

        # Cosmetic: tracking parameters and whitespace. Then a real edit, sent twice.
        await system.publish(posting("r2", apply_url="https://jobs.example.com/initech/77"
                                                     "?utm_source=board&gclid=1",
                                     description=PLATFORM.replace("\n", "\n\n")))
        edited = posting("r3", title="Senior Platform Engineer",
                         description=PLATFORM + "- Docker\n")
        await system.publish(edited)
        await system.publish(edited.model_copy(update={"run_id": "r4"}))
        [task] = await system.until(tasks, lambda rows: rows[0].details.get("job_changes"))
        runs = await system.until(
            lambda: system.rows(sa.select(job_sync_log).order_by(job_sync_log.c.run_id)),
            lambda rows: len(rows) == 4)
        assert [(r.run_id, r.updated, r.unchanged) for r in runs] == [
            ("r1", 0, 0), ("r2", 1, 0), ("r3", 1, 0), ("r4", 0, 1)]
        rows = await system.until(scored, lambda rows: len(rows) == 2)
        await asyncio.sleep(2)  # room for a wrong third scoring to show up
        rows = await scored()
        assert [(r.candidate_id, r.job_revision) for r in rows] == [(CANDIDATE, 0),
                                                                   (CANDIDATE, 1)]
        assert task.job_title == "Senior Platform Engineer"
        assert task.details["job_changes"][:2] == [
            "title: Platform Engineer \u2192 Senior Platform Engineer", "description changed:"]
        assert "  + - Docker" in task.details["job_changes"]
        assert len(await tasks()) == 1, "the same decision again makes no second task"

        # Gone from a complete run: expired. Listed again: reopened and open for scoring.
        await system.publish(ScrapeRunCompleted(source="greenhouse:initech", run_id="r4",
                                                seen_source_job_keys=["greenhouse:77"],
                                                complete=True))
        await system.publish(ScrapeRunCompleted(source="greenhouse:initech", run_id="r5",
                                                seen_source_job_keys=[], complete=True))
        await system.until(lambda: system.rows(sa.select(ats_jobs.c.open)),
                           lambda rows: rows == [(False,)])
        await system.publish(edited.model_copy(update={"run_id": "r6"}))
        await system.until(lambda: system.rows(sa.select(ats_jobs.c.open)),
                           lambda rows: rows == [(True,)])
        [job] = await system.rows(sa.select(canonical_jobs))
        assert (job.expired_at, job.revision) == (None, 1)
        [log] = await system.rows(sa.select(job_sync_log).where(job_sync_log.c.run_id == "r6"))
        assert (log.reopened, log.unchanged) == (1, 1)
        assert len(await scored()) == 2, "reopened, the pairs already scored keep their decision"

"""Several ATS engine replicas in one process: members of one consumer group, one model.

Jobs and resumes arrive interleaved while three members split the topics' partitions; every
pair is still scored exactly once (the shared/exclusive scoring lock holds across members),
and the model is loaded once for all of them."""

from __future__ import annotations

import asyncio
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from infra.runtime import open_platform, run_services
from infra.settings import CommonSettings
from schemas.events.jobs import JobPublished
from services.ats_engine import app as ats_app
from services.ats_engine.engine import Engine
from services.ats_engine.intake import upload_resume
from services.ats_engine.settings import AtsSettings
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.tables import matches
from tests.fixtures.resumes import RESUME
from tests.unit.test_ats_embeddings import BagOfWords

pytestmark = [pytest.mark.integration, pytest.mark.slow]
REPLICAS = 3
JOBS = 6
RESUMES = 4


class CountingLoads:
    """Stands for `load_encoder`: counts the loads, each one a model of its own."""

    def __init__(self) -> None:
        self.models: list[BagOfWords] = []
        self._lock = threading.Lock()  # the engine loads in a worker thread

    def __call__(self, **_: Any) -> tuple[BagOfWords, str]:
        with self._lock:
            self.models.append(BagOfWords())
            return self.models[-1], "cpu"


def job(index: int) -> JobPublished:
    return JobPublished(job_id=uuid.uuid4(), company=f"Company {index}",
                        title="Senior Backend Engineer (Python)", location="Remote",
                        description="Requirements:\n- Python\n- PostgreSQL\n- Kafka\n",
                        apply_url=f"https://jobs.example/{index}", sources=[f"sandbox:{index}"])


async def test_replicas_in_one_process_share_one_model_and_score_each_pair_once(
        database_url: str, redis_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    loads = CountingLoads()
    monkeypatch.setattr(ats_app, "load_encoder", loads)
    shared: dict[str, Any] = {"bus": "embedded", "database_url": database_url,
                              "redis_url": redis_url, "mongo_url": None, "http_port": 0,
                              "blob_dir": tmp_path / "blobs", "data_dir": tmp_path}
    async with open_platform(CommonSettings(**shared)) as platform:
        members: list[Any] = []
        subscribe = platform.bus.transport.subscribe

        async def recording(*args: Any, **kwargs: Any) -> Any:
            subscription = await subscribe(*args, **kwargs)
            members.append(subscription)
            return subscription

        monkeypatch.setattr(platform.bus.transport, "subscribe", recording)
        spec = ats_app.build(platform, AtsSettings(**shared, embeddings=True,
                                                   ats_replicas=REPLICAS))
        stop = asyncio.Event()
        system = asyncio.create_task(run_services(platform, [spec], stop, port=0))
        try:
            uow = platform.unit_of_work("ats_engine")
            engine = Engine(default_taxonomy())
            candidates = []
            for index in range(max(JOBS, RESUMES)):  # interleaved: each may meet the other
                if index < JOBS:
                    async with uow.transaction() as tx:
                        tx.emit(job(index))
                if index < RESUMES:
                    uploaded = await upload_resume(uow, platform.blobs, engine, uuid.uuid4(),
                                                   "cv.txt", RESUME.encode())
                    candidates.append(uploaded.event.candidate_id)
            async with asyncio.timeout(240):
                while await scored(platform.engine) < JOBS * RESUMES:
                    assert not system.done(), system
                    await asyncio.sleep(0.5)
                while not all(member.assignment for member in members):
                    await asyncio.sleep(0.5)  # each member holds partitions of its own
        finally:
            stop.set()
            await asyncio.wait_for(system, 60)
        assert await scored(platform.engine) == JOBS * RESUMES
        assert await scored(platform.engine, distinct=True) == JOBS * RESUMES, \
            "a pair was scored twice"
    assert len(members) == REPLICAS
    assert len(loads.models) == 1, "each replica loaded a model of its own"
    embedded = sum(len(batch) for batch in loads.models[0].batches)
    assert embedded > 0, "the one model served the replicas"


async def scored(engine: Any, *, distinct: bool = False) -> int:
    counted = sa.select(matches.c.candidate_id, matches.c.job_id)
    if distinct:
        counted = counted.distinct()
    async with engine.connect() as conn:
        return int(await conn.scalar(sa.select(sa.func.count()).select_from(
            counted.subquery())) or 0)

"""The ATS engine's re-score queue on a real database: tasks claimed highest priority first,
then oldest, one replica each; a task run to done, one the engine cannot score tried again
and then failed, each step told as RescoreProgressed; a new weights version announced once."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from infra.clock import FakeClock
from infra.db import create_engine
from infra.outbox import outbox
from infra.uow import Transaction, UnitOfWork
from schemas.events.rescoring import RescoreProgressed, RescoreRequested, ScoringWeightsChanged
from services.ats_engine.rescore import (
    NotScorable,
    RescoreWorker,
    WeightsWatch,
    claim_next,
    on_rescore_requested,
)
from services.ats_engine.tables import rescore_queue
from services.ats_engine.weights import DEFAULT_FILE, WeightsSource

pytestmark = pytest.mark.integration


@pytest.fixture
async def uow(database_url: str) -> AsyncIterator[UnitOfWork]:
    engine = create_engine(database_url, pool_size=2)
    try:
        yield UnitOfWork(engine, FakeClock(), "jams/ats_engine")
    finally:
        await engine.dispose()


async def ask(uow: UnitOfWork, priority: str = "normal") -> uuid.UUID:
    task_id = uuid.uuid4()
    async with uow.transaction() as tx:
        await on_rescore_requested(RescoreRequested(
            task_id=task_id, job_id=uuid.uuid4(), priority=priority,
            requested_at=tx.clock.now()), tx)
    return task_id


async def emitted(uow: UnitOfWork, event: type[Any]) -> list[dict[str, Any]]:
    async with uow.engine.connect() as conn:
        rows = (await conn.execute(sa.select(outbox.c.value, outbox.c.headers)
                                   .order_by(outbox.c.id))).all()
    return [json.loads(value) for value, headers in rows
            if dict(headers)["ce_type"] == event.TYPE]


async def status_of(uow: UnitOfWork, task_id: uuid.UUID) -> tuple[str, int]:
    async with uow.engine.connect() as conn:
        row = (await conn.execute(sa.select(rescore_queue.c.status, rescore_queue.c.attempts)
                                  .where(rescore_queue.c.task_id == task_id))).one()
    return row.status, row.attempts


@dataclass
class Rescorer:
    """Stands in for the engine's scoring: each call's outcome in turn."""

    outcomes: list[int | NotScorable]
    calls: list[uuid.UUID] = field(default_factory=list)

    async def rescore_job(self, tx: Transaction, job_id: uuid.UUID) -> int:
        self.calls.append(job_id)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, NotScorable):
            raise outcome
        return outcome


class Killed:
    """Scoring that dies with its replica."""

    async def rescore_job(self, tx: Transaction, job_id: uuid.UUID) -> int:
        raise asyncio.CancelledError


async def test_the_engine_runs_high_priority_tasks_before_normal_ones(uow: UnitOfWork) -> None:
    """Requests queue rows as they arrive; each claim takes the highest priority, then the
    oldest, and skips what another replica holds."""
    clock = uow.clock
    assert isinstance(clock, FakeClock)
    names: dict[uuid.UUID, str] = {}
    for name, priority in (("normal-1", "normal"), ("normal-2", "normal"), ("high", "high")):
        names[await ask(uow, priority)] = name
        clock.advance(1)
    order = []
    async with uow.transaction() as held:
        first = await claim_next(held, lease_s=60)
        assert first is not None
        order.append(names[first["task_id"]])
        # Another replica, while the first claim is not yet committed, takes the next.
        async with uow.transaction() as other:
            second = await claim_next(other, lease_s=60)
            assert second is not None
            order.append(names[second["task_id"]])
    async with uow.transaction() as tx:
        third = await claim_next(tx, lease_s=60)
        assert third is not None
        order.append(names[third["task_id"]])
        assert await claim_next(tx, lease_s=60) is None, "all three are leased"
    assert order == ["high", "normal-1", "normal-2"]
    clock.advance(61)
    async with uow.transaction() as tx:
        expired = await claim_next(tx, lease_s=60)
    assert expired is not None and names[expired["task_id"]] == "high", \
        "a lease that ran out is claimed again"


async def test_a_task_runs_to_done_telling_each_step(uow: UnitOfWork) -> None:
    task_id = await ask(uow)
    rescorer = Rescorer([7])
    worker = RescoreWorker(uow, rescorer, WeightsSource(DEFAULT_FILE))
    assert await worker.run_once()
    assert not await worker.run_once(), "nothing else is due"
    assert await status_of(uow, task_id) == ("done", 1)
    told = await emitted(uow, RescoreProgressed)
    assert [(t["task_id"], t["status"], t["pairs"]) for t in told] == [
        (str(task_id), "running", 0), (str(task_id), "done", 7)]
    assert told[1]["weights_version"] == WeightsSource(DEFAULT_FILE).current().version


async def test_a_job_the_engine_does_not_know_yet_is_tried_again_then_failed(
        uow: UnitOfWork) -> None:
    task_id = await ask(uow)
    unknown = NotScorable("the job is not known to the engine yet", retry=True)
    worker = RescoreWorker(uow, Rescorer([unknown, unknown]), WeightsSource(DEFAULT_FILE),
                           retry_after_s=3, max_attempts=2)
    assert await worker.run_once()
    assert await status_of(uow, task_id) == ("running", 1)
    assert not await worker.run_once(), "not before its retry time"
    assert isinstance(uow.clock, FakeClock)
    uow.clock.advance(3)
    assert await worker.run_once()
    assert await status_of(uow, task_id) == ("failed", 2)
    told = await emitted(uow, RescoreProgressed)
    assert [(t["status"], t["error"]) for t in told] == [
        ("running", None), ("failed", "the job is not known to the engine yet")]


async def test_a_closed_job_fails_at_once(uow: UnitOfWork) -> None:
    task_id = await ask(uow, "high")
    worker = RescoreWorker(uow, Rescorer([NotScorable("the job is closed", retry=False)]),
                           WeightsSource(DEFAULT_FILE))
    assert await worker.run_once()
    assert await status_of(uow, task_id) == ("failed", 1)
    assert [t["status"] for t in await emitted(uow, RescoreProgressed)] == ["running", "failed"]


async def test_a_new_weights_version_is_announced_once(uow: UnitOfWork) -> None:
    weights = WeightsSource(DEFAULT_FILE)
    one, other = WeightsWatch(uow, weights), WeightsWatch(uow, weights)
    assert not await one.record("v1"), "the first version seen is no change"
    assert not await other.record("v1")
    assert await one.record("v2")
    assert not await other.record("v2"), "another replica noticing it too says nothing"
    assert await other.record("v1"), "back to an earlier version is a change again"
    told = await emitted(uow, ScoringWeightsChanged)
    assert [(t["previous"], t["version"]) for t in told] == [("v1", "v2"), ("v2", "v1")]


async def test_a_replica_dying_mid_task_leaves_it_to_another_done_once(
        uow: UnitOfWork) -> None:
    """The scoring transaction dies with its replica (cancelled here): nothing of it commits,
    the lease runs out, another replica runs the task and tells it done, once."""
    task_id = await ask(uow)
    dying = RescoreWorker(uow, Killed(), WeightsSource(DEFAULT_FILE), lease_s=60)
    with pytest.raises(asyncio.CancelledError):
        await dying.run_once()
    assert await status_of(uow, task_id) == ("running", 1)
    survivor = RescoreWorker(uow, Rescorer([5]), WeightsSource(DEFAULT_FILE), lease_s=60)
    assert not await survivor.run_once(), "leased to the dead replica a while yet"
    assert isinstance(uow.clock, FakeClock)
    uow.clock.advance(60)
    assert await survivor.run_once()
    assert await status_of(uow, task_id) == ("done", 2)
    told = await emitted(uow, RescoreProgressed)
    assert [(t["status"], t["pairs"]) for t in told] == [("running", 0), ("done", 5)]


async def test_a_task_whose_runs_never_end_fails_after_its_attempts(uow: UnitOfWork) -> None:
    """Each run takes its replica down (cancelled here): after `max_attempts` claims the task
    fails instead of taking the next replica down too."""
    task_id = await ask(uow)
    assert isinstance(uow.clock, FakeClock)
    for attempt in (1, 2):
        dying = RescoreWorker(uow, Killed(), WeightsSource(DEFAULT_FILE), lease_s=60,
                              max_attempts=2)
        with pytest.raises(asyncio.CancelledError):
            await dying.run_once()
        assert await status_of(uow, task_id) == ("running", attempt)
        uow.clock.advance(60)
    last = RescoreWorker(uow, Killed(), WeightsSource(DEFAULT_FILE), lease_s=60,
                         max_attempts=2)
    assert await last.run_once()
    assert await status_of(uow, task_id) == ("failed", 3)
    told = await emitted(uow, RescoreProgressed)
    assert [t["status"] for t in told] == ["running", "failed"]

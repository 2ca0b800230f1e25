"""The workflow on real PostgreSQL and Valkey: tasks, atomic offers, acceptance, completion."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
import sqlalchemy as sa
from redis.asyncio import Redis

from infra.bus import codec
from infra.bus.bus import Handler
from infra.bus.port import InboundRecord
from infra.clock import FakeClock
from infra.db import create_engine
from infra.outbox import outbox
from infra.presence import Presence, ValkeyPresence
from infra.runtime import Platform, open_platform
from infra.service import ServiceSpec
from infra.uow import UnitOfWork
from schemas.events.envelope import Envelope, EventData
from schemas.events.jobs import JobUpdated
from schemas.events.matching import ManualReviewRequired
from schemas.events.registry import parse_data
from schemas.events.review import (
    AcceptReviewTask,
    CompleteReviewTask,
    HandBackReviewTask,
    RejectReviewTask,
    ReviewerPresenceChanged,
    ReviewTaskAssigned,
    ReviewTaskCreated,
    ReviewTaskJobChanged,
    ReviewTaskOffered,
    TaskCompleted,
    TaskRejected,
)
from services.workflow.app import NAME, build
from services.workflow.domain import task_id_for
from services.workflow.settings import WorkflowSettings
from services.workflow.tables import review_tasks

pytestmark = pytest.mark.integration

E = TypeVar("E", bound=EventData)
SLA = timedelta(minutes=20)


@dataclass
class Workflow:
    """The workflow service built on a real platform, plus what tests poke it with."""

    platform: Platform
    spec: ServiceSpec
    presence: Presence  # what the gateway writes, in the store the service reads
    clock: FakeClock
    database_url: str

    @property
    def dispatch(self) -> Handler:
        return self.spec.dispatcher(self.platform.unit_of_work(NAME))

    def envelope(self, data: EventData) -> Envelope:
        return Envelope.wrap(data, source="jams/test", time=self.clock.now())

    async def handle(self, data: EventData) -> Envelope:
        envelope = self.envelope(data)
        await self.dispatch(envelope)
        return envelope

    async def accept(self, task_id: uuid.UUID, reviewer_id: uuid.UUID) -> None:
        await self.handle(AcceptReviewTask(task_id=task_id, reviewer_id=reviewer_id))

    async def handle_complete(self, task_id: uuid.UUID, reviewer_id: uuid.UUID) -> None:
        await self.handle(CompleteReviewTask(task_id=task_id, reviewer_id=reviewer_id))

    async def online(self, reviewer_id: uuid.UUID) -> None:
        """The reviewer connected, as the gateway records it (no event)."""
        await self.presence.connect(reviewer_id, uuid.uuid4().hex, self.clock.now())

    async def offline(self, reviewer_id: uuid.UUID) -> None:
        """The reviewer disconnected, as the gateway records it (no event)."""
        connection = uuid.uuid4().hex
        await self.presence.connect(reviewer_id, connection, self.clock.now())
        await self.presence.release(reviewer_id, connection, self.clock.now())

    async def tasks(self) -> list[dict[str, Any]]:
        async with self.platform.engine.connect() as conn:
            rows = await conn.execute(sa.select(review_tasks).order_by(review_tasks.c.created_at))
            return [dict(row._mapping) for row in rows]

    async def task(self, task_id: uuid.UUID) -> dict[str, Any]:
        return next(t for t in await self.tasks() if t["task_id"] == task_id)

    async def emitted(self, kind: type[E]) -> list[E]:
        """Events of one type staged in the outbox, in order."""
        async with self.platform.engine.connect() as conn:
            rows = (await conn.execute(sa.select(outbox).order_by(outbox.c.id))).all()
        found: list[E] = []
        for row in rows:
            record = InboundRecord(row.topic, 0, row.id, row.key, row.value,
                                   tuple((k, v.encode()) for k, v in row.headers))
            data = parse_data(codec.decode(record))
            if isinstance(data, kind):
                found.append(data)
        return found


@pytest.fixture
async def workflow(
    database_url: str, redis_url: str, fake_clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Workflow]:
    namespace = f"test-{uuid.uuid4().hex[:12]}"
    settings = WorkflowSettings(
        bus="embedded", database_url=database_url, redis_url=redis_url, mongo_url=None,
        blob_dir=tmp_path, presence_namespace=namespace,
    )
    async with open_platform(settings, clock=fake_clock) as platform:
        yield Workflow(platform, build(platform, settings),
                       ValkeyPresence(platform.redis, namespace), fake_clock, database_url)
        keys = [key async for key in platform.redis.scan_iter(match=f"{namespace}:*")]
        if keys:
            await platform.redis.delete(*keys)


@pytest.fixture
async def second_dispatch(workflow: Workflow) -> AsyncIterator[Handler]:
    """The same service on a second engine, as a second replica would run it."""
    engine = create_engine(workflow.database_url)
    yield workflow.spec.dispatcher(UnitOfWork(engine, workflow.clock, f"jams/{NAME}"))
    await engine.dispose()


def decision(**overrides: Any) -> ManualReviewRequired:
    fields: dict[str, Any] = {
        "match_id": uuid.uuid4(), "candidate_id": uuid.uuid4(), "job_id": uuid.uuid4(),
        "score": 81.0, "resume_version_id": uuid.uuid4(), "apply_url": "https://jobs.example/9",
        "job_title": "Platform engineer", "company": "Initech",
        "explanation": ["kubernetes: strong"],
    }
    return ManualReviewRequired(**(fields | overrides))


async def test_task_created_offered_once_and_accepted(workflow: Workflow) -> None:
    reviewer = uuid.uuid4()
    await workflow.online(reviewer)
    event = decision()
    first = await workflow.handle(event)
    await workflow.dispatch(first)  # redelivery of the same envelope
    await workflow.handle(event)  # the same decision again, under a new event id

    (task,) = await workflow.tasks()
    assert task["task_id"] == task_id_for(event.match_id)
    assert (task["state"], task["reviewer_id"], task["due_at"]) == ("offered", reviewer, None)
    assert task["offer_expires_at"] == workflow.clock.now() + timedelta(seconds=60)
    (created,) = await workflow.emitted(ReviewTaskCreated)
    assert created.task_id == task["task_id"]
    (offered,) = await workflow.emitted(ReviewTaskOffered)
    assert (offered.task_id, offered.reviewer_id) == (task["task_id"], reviewer)
    assert (offered.job_title, offered.company, offered.explanation) == (
        "Platform engineer", "Initech", ["kubernetes: strong"]
    )
    assert await workflow.emitted(ReviewTaskAssigned) == []

    workflow.clock.advance(20)
    await workflow.accept(task["task_id"], uuid.uuid4())  # not theirs: ignored
    await workflow.accept(task["task_id"], reviewer)
    task = await workflow.task(task["task_id"])
    assert (task["state"], task["due_at"]) == ("assigned", workflow.clock.now() + SLA)
    (assigned,) = await workflow.emitted(ReviewTaskAssigned)
    assert (assigned.reviewer_id, assigned.due_at) == (reviewer, workflow.clock.now() + SLA)


async def test_without_available_reviewers_the_task_waits(workflow: Workflow) -> None:
    stale, gone = uuid.uuid4(), uuid.uuid4()
    await workflow.online(stale)
    await workflow.offline(gone)
    workflow.clock.advance(46)  # `stale` stopped sending heartbeats

    await workflow.handle(decision())
    (task,) = await workflow.tasks()
    assert (task["state"], task["reviewer_id"]) == ("queued", None)
    assert await workflow.emitted(ReviewTaskOffered) == []


async def test_reviewer_who_becomes_available_gets_the_oldest_queued_task(
    workflow: Workflow,
) -> None:
    older, newer = decision(), decision()
    await workflow.handle(older)
    workflow.clock.advance(60)
    await workflow.handle(newer)
    reviewer = uuid.uuid4()
    await workflow.online(reviewer)
    await workflow.handle(ReviewerPresenceChanged(reviewer_id=reviewer, status="available"))

    assert (await workflow.task(task_id_for(older.match_id)))["reviewer_id"] == reviewer
    assert (await workflow.task(task_id_for(newer.match_id)))["state"] == "queued"
    (assigned,) = await workflow.emitted(ReviewTaskOffered)
    assert assigned.task_id == task_id_for(older.match_id)


async def test_presence_event_of_a_reviewer_already_gone_assigns_nothing(
    workflow: Workflow,
) -> None:
    await workflow.handle(decision())
    # The event says available, but Redis (the source of truth) has no fresh entry.
    await workflow.handle(ReviewerPresenceChanged(reviewer_id=uuid.uuid4(), status="available"))
    assert [t["state"] for t in await workflow.tasks()] == ["queued"]


async def test_concurrent_decisions_never_give_one_reviewer_two_tasks(
    workflow: Workflow, second_dispatch: Handler
) -> None:
    for _ in range(5):
        reviewer = uuid.uuid4()
        await workflow.online(reviewer)
        a, b = decision(), decision()
        await asyncio.gather(workflow.dispatch(workflow.envelope(a)),
                             second_dispatch(workflow.envelope(b)))
        states = sorted([(await workflow.task(task_id_for(m.match_id)))["state"] for m in (a, b)])
        assert states == ["offered", "queued"]
        await workflow.offline(reviewer)  # next round, fresh reviewers
    await _assert_consistent(workflow)


async def test_concurrent_reviewers_never_share_one_task(
    workflow: Workflow, second_dispatch: Handler
) -> None:
    for _ in range(5):
        event = decision()
        await workflow.handle(event)
        alice, bob = uuid.uuid4(), uuid.uuid4()
        await workflow.online(alice)
        await workflow.online(bob)
        await asyncio.gather(
            workflow.dispatch(workflow.envelope(
                ReviewerPresenceChanged(reviewer_id=alice, status="available"))),
            second_dispatch(workflow.envelope(
                ReviewerPresenceChanged(reviewer_id=bob, status="available"))),
        )
        task = await workflow.task(task_id_for(event.match_id))
        assert task["state"] == "offered"
        assert task["reviewer_id"] in {alice, bob}
        assigned = [e for e in await workflow.emitted(ReviewTaskOffered)
                    if e.task_id == task["task_id"]]
        assert len(assigned) == 1
        await workflow.offline(alice)
        await workflow.offline(bob)
    await _assert_consistent(workflow)


async def test_one_reviewer_announced_twice_still_takes_one_task(
    workflow: Workflow, second_dispatch: Handler
) -> None:
    await workflow.handle(decision())
    await workflow.handle(decision())
    reviewer = uuid.uuid4()
    await workflow.online(reviewer)
    announce = ReviewerPresenceChanged(reviewer_id=reviewer, status="available")
    await asyncio.gather(workflow.dispatch(workflow.envelope(announce)),
                         second_dispatch(workflow.envelope(announce)))
    assert sorted(t["state"] for t in await workflow.tasks()) == ["offered", "queued"]
    assert len(await workflow.emitted(ReviewTaskOffered)) == 1


async def test_completion_by_another_reviewer_changes_nothing(workflow: Workflow) -> None:
    owner, intruder = uuid.uuid4(), uuid.uuid4()
    await workflow.online(owner)
    event = decision()
    await workflow.handle(event)
    task_id = task_id_for(event.match_id)
    await workflow.accept(task_id, owner)
    before = await workflow.task(task_id)

    await workflow.accept(task_id, intruder)
    await workflow.handle(CompleteReviewTask(task_id=task_id, reviewer_id=intruder))
    await workflow.handle(RejectReviewTask(task_id=task_id, reviewer_id=intruder, reason="x"))
    await workflow.handle(CompleteReviewTask(task_id=uuid.uuid4(), reviewer_id=owner))

    assert await workflow.task(task_id) == before
    assert await workflow.emitted(TaskCompleted) == []
    assert await workflow.emitted(TaskRejected) == []


async def test_assigned_reviewer_completes_and_gets_the_next_task(workflow: Workflow) -> None:
    reviewer = uuid.uuid4()
    await workflow.online(reviewer)
    first, second = decision(), decision()
    await workflow.handle(first)
    await workflow.handle(second)  # queued: the reviewer is busy
    await workflow.accept(task_id_for(first.match_id), reviewer)
    tailored = uuid.uuid4()
    workflow.clock.advance(600)
    await workflow.presence.touch(reviewer, "page", workflow.clock.now())  # heartbeats went on

    await workflow.handle(CompleteReviewTask(task_id=task_id_for(first.match_id),
                                             reviewer_id=reviewer, resume_version_id=tailored))

    done = await workflow.task(task_id_for(first.match_id))
    assert (done["state"], done["closed_at"]) == ("completed", workflow.clock.now())
    (completed,) = await workflow.emitted(TaskCompleted)
    assert (completed.resume_version_id, completed.apply_url) == (tailored, first.apply_url)
    assert (completed.match_id, completed.reviewer_id) == (first.match_id, reviewer)
    nxt = await workflow.task(task_id_for(second.match_id))
    assert (nxt["state"], nxt["reviewer_id"]) == ("offered", reviewer)


async def test_completion_without_a_version_applies_with_the_original(
    workflow: Workflow,
) -> None:
    reviewer = uuid.uuid4()
    await workflow.online(reviewer)
    event = decision()
    await workflow.handle(event)
    await workflow.accept(task_id_for(event.match_id), reviewer)
    await workflow.handle(CompleteReviewTask(task_id=task_id_for(event.match_id),
                                             reviewer_id=reviewer))
    (completed,) = await workflow.emitted(TaskCompleted)
    assert completed.resume_version_id == event.resume_version_id


async def test_rejection_closes_the_task(workflow: Workflow) -> None:
    reviewer = uuid.uuid4()
    await workflow.online(reviewer)
    event = decision()
    await workflow.handle(event)
    task_id = task_id_for(event.match_id)
    await workflow.accept(task_id, reviewer)
    await workflow.handle(RejectReviewTask(task_id=task_id, reviewer_id=reviewer,
                                           reason="requires relocation"))
    await workflow.handle(CompleteReviewTask(task_id=task_id, reviewer_id=reviewer))

    task = await workflow.task(task_id)
    assert (task["state"], task["reject_reason"]) == ("rejected", "requires relocation")
    (rejected,) = await workflow.emitted(TaskRejected)
    assert (rejected.task_id, rejected.reason) == (task_id, "requires relocation")
    assert await workflow.emitted(TaskCompleted) == []


async def test_decisions_and_completions_do_not_wait_for_redis(workflow: Workflow) -> None:
    reviewer = uuid.uuid4()
    await workflow.online(reviewer)
    first, second = decision(), decision()
    await workflow.handle(first)
    await workflow.accept(task_id_for(first.match_id), reviewer)
    # Presence is unreadable from here on (nothing listens on port 1).
    unreachable = Redis.from_url("redis://127.0.0.1:1/0")
    cut_off = dataclasses.replace(workflow.platform, redis=unreachable)
    settings = cast(WorkflowSettings, workflow.platform.settings)
    dispatch = build(cut_off, settings).dispatcher(workflow.platform.unit_of_work(NAME))
    try:
        await dispatch(workflow.envelope(second))
        await dispatch(workflow.envelope(CompleteReviewTask(
            task_id=task_id_for(first.match_id), reviewer_id=reviewer)))
    finally:
        await unreachable.aclose()
    assert (await workflow.task(task_id_for(first.match_id)))["state"] == "completed"
    assert (await workflow.task(task_id_for(second.match_id)))["state"] == "queued"
    assert len(await workflow.emitted(TaskCompleted)) == 1


async def test_sweep_assigns_when_the_presence_event_never_came(workflow: Workflow) -> None:
    event = decision()
    await workflow.handle(event)
    reviewer = uuid.uuid4()
    stop = asyncio.Event()
    sweeper = asyncio.create_task(workflow.spec.background[0](stop))
    try:
        await _until(lambda: workflow.clock.sleepers == 1)  # first sweep done, nothing to do
        await workflow.online(reviewer)  # presence written, but its event was lost
        workflow.clock.advance(5)
        await _until(lambda: workflow.clock.sleepers == 1)
        await _until_async(lambda: _state_of(workflow, task_id_for(event.match_id)),
                           "offered")
    finally:
        stop.set()
        await sweeper
    assert (await workflow.task(task_id_for(event.match_id)))["reviewer_id"] == reviewer


async def _state_of(workflow: Workflow, task_id: uuid.UUID) -> str:
    return str((await workflow.task(task_id))["state"])


async def _until(condition: Any, timeout_s: float = 10.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.01)


async def _until_async(probe: Any, expected: object, timeout_s: float = 10.0) -> None:
    async with asyncio.timeout(timeout_s):
        while await probe() != expected:
            await asyncio.sleep(0.01)


async def _assert_consistent(workflow: Workflow) -> None:
    """Each task was offered once at most, and each reviewer received one task at most."""
    assigned = await workflow.emitted(ReviewTaskOffered)
    assert len({e.task_id for e in assigned}) == len(assigned)
    assert len({e.reviewer_id for e in assigned}) == len(assigned)


def job_edit(job_id: uuid.UUID, revision: int) -> JobUpdated:
    return JobUpdated(
        job_id=job_id, revision=revision, company="Initech", title="Staff platform engineer",
        apply_url="https://jobs.example/9?v=2", description="Go\nRust",
        salary_min=90_000, salary_max=110_000, salary_currency="EUR", salary_period="year",
        changed=["title", "description", "salary", "apply_url"],
        previous={"title": "Platform engineer", "salary": "",
                  "apply_url": "https://jobs.example/9"},
        description_diff=["- Python", "+ Rust"])


async def test_an_edited_job_updates_its_open_tasks_once_and_says_what_changed(
    workflow: Workflow,
) -> None:
    reviewer, job_id = uuid.uuid4(), uuid.uuid4()
    await workflow.online(reviewer)
    closed, held, other = decision(job_id=job_id), decision(job_id=job_id), decision()
    await workflow.handle(closed)
    await workflow.accept(task_id_for(closed.match_id), reviewer)
    await workflow.handle_complete(task_id_for(closed.match_id), reviewer)
    await workflow.handle(held)
    await workflow.handle(other)

    edit = job_edit(job_id, 1)
    await workflow.handle(edit)
    await workflow.handle(edit)  # the same revision again, under a new event id

    task = await workflow.task(task_id_for(held.match_id))
    lines = ["title: Platform engineer \u2192 Staff platform engineer", "description changed:",
             "  - Python", "  + Rust", "salary: (none) \u2192 90000-110000 EUR per year",
             "apply URL: https://jobs.example/9 \u2192 https://jobs.example/9?v=2"]
    assert (task["job_title"], task["apply_url"]) == ("Staff platform engineer",
                                                      "https://jobs.example/9?v=2")
    assert task["details"]["job_changes"] == lines
    (changed,) = await workflow.emitted(ReviewTaskJobChanged)
    assert (changed.task_id, changed.reviewer_id, changed.job_changes) == (
        task["task_id"], task["reviewer_id"], lines)
    for untouched in (closed, other):
        assert (await workflow.task(task_id_for(untouched.match_id)))["job_title"] == \
            "Platform engineer"
    # Handed back and offered to another reviewer, the task carries the note.
    second = uuid.uuid4()
    await workflow.online(second)
    await workflow.handle(HandBackReviewTask(task_id=task["task_id"], reviewer_id=reviewer))
    offers = [o for o in await workflow.emitted(ReviewTaskOffered) if o.reviewer_id == second]
    assert [o.job_changes for o in offers if o.task_id == task["task_id"]] == [lines]

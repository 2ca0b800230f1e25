"""Assignment policies on real PostgreSQL and Valkey: priority order, capacity, skill tags,
least-loaded."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from infra.clock import FakeClock
from infra.presence import ValkeyPresence
from infra.runtime import open_platform
from schemas.events.matching import ManualReviewRequired
from schemas.events.review import ReviewerPresenceChanged
from services.workflow.app import build
from services.workflow.domain import task_id_for
from services.workflow.settings import WorkflowSettings
from tests.integration.test_workflow import Workflow

pytestmark = pytest.mark.integration


@pytest.fixture
def make_workflow(database_url: str, redis_url: str, fake_clock: FakeClock,
                  tmp_path: Path) -> Callable[..., Any]:
    @asynccontextmanager
    async def make(**overrides: Any) -> AsyncIterator[Workflow]:
        namespace = f"test-{uuid.uuid4().hex[:12]}"
        settings = WorkflowSettings(bus="embedded", database_url=database_url,
                                    redis_url=redis_url, mongo_url=None, blob_dir=tmp_path,
                                    presence_namespace=namespace, **overrides)
        async with open_platform(settings, clock=fake_clock) as platform:
            yield Workflow(platform, build(platform, settings),
                           ValkeyPresence(platform.redis, namespace), fake_clock,
                           database_url)
            keys = [key async for key in platform.redis.scan_iter(match=f"{namespace}:*")]
            if keys:
                await platform.redis.delete(*keys)
    return make


def decision(**fields: Any) -> ManualReviewRequired:
    return ManualReviewRequired(**{
        "match_id": uuid.uuid4(), "candidate_id": uuid.uuid4(), "job_id": uuid.uuid4(),
        "score": 70.0, "resume_version_id": uuid.uuid4(), "apply_url": "https://jobs.example/p",
        **fields})


async def available(wf: Workflow, reviewer: uuid.UUID) -> None:
    await wf.online(reviewer)
    await wf.handle(ReviewerPresenceChanged(reviewer_id=reviewer, status="available"))


async def test_high_priority_goes_first_but_a_requeued_task_keeps_its_age(
    make_workflow: Callable[..., Any],
) -> None:
    async with make_workflow() as wf:
        low = decision(score=52.0, candidate_plan="free")
        await wf.handle(low)
        wf.clock.advance(60)
        high = decision(score=88.0, candidate_plan="premium",
                        job_posted_at=wf.clock.now() - timedelta(hours=2))
        await wf.handle(high)
        reviewer = uuid.uuid4()
        await available(wf, reviewer)
        assert (await wf.task(task_id_for(high.match_id)))["reviewer_id"] == reviewer
        assert (await wf.task(task_id_for(low.match_id)))["state"] == "queued"
        created = await wf.task(task_id_for(high.match_id))
        assert created["priority"] > (await wf.task(task_id_for(low.match_id)))["priority"]


async def test_capacity_lets_a_reviewer_hold_several_tasks(
    make_workflow: Callable[..., Any],
) -> None:
    async with make_workflow(reviewer_capacity=2) as wf:
        events = [decision() for _ in range(3)]
        for event in events:
            await wf.handle(event)
        reviewer = uuid.uuid4()
        await available(wf, reviewer)
        states = sorted([(await wf.task(task_id_for(e.match_id)))["state"] for e in events])
        assert states == ["offered", "offered", "queued"]
        slots = {t["slot"] for t in await wf.tasks() if t["state"] == "offered"}
        assert slots == {0, 1}


async def test_skill_tags_route_the_task_to_a_reviewer_who_has_them(
    make_workflow: Callable[..., Any],
) -> None:
    python, java = uuid.uuid4(), uuid.uuid4()
    skills = {python: ["python"], java: ["java", "spring"]}
    async with make_workflow(reviewer_skills=skills) as wf:
        await wf.online(python)
        await wf.online(java)
        event = decision(review_tags=["java"])
        await wf.handle(event)
        assert (await wf.task(task_id_for(event.match_id)))["reviewer_id"] == java


async def test_least_loaded_prefers_the_emptiest_reviewer(
    make_workflow: Callable[..., Any],
) -> None:
    busy, idle = uuid.uuid4(), uuid.uuid4()
    async with make_workflow(reviewer_capacity=3, assignment_policy="least_loaded") as wf:
        await wf.online(busy)
        await wf.handle(decision())  # `busy` is the only one online: load 1
        await wf.online(idle)
        event = decision()
        await wf.handle(event)
        assert (await wf.task(task_id_for(event.match_id)))["reviewer_id"] == idle


def test_bad_policy_settings_are_refused() -> None:
    with pytest.raises(ValidationError):
        WorkflowSettings(assignment_policy="random")
    with pytest.raises(ValidationError):
        WorkflowSettings(reviewer_capacity=0)

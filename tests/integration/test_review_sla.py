"""SLA timers and strikes on real PostgreSQL and Valkey, driven by a fake clock (instant)."""
# ruff: noqa: F811  (the `workflow` fixture is imported from the workflow tests and reused)

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import datetime
from typing import cast

import pytest
import sqlalchemy as sa

from infra.db import create_engine
from infra.uow import UnitOfWork
from schemas.events.review import (
    HandBackReviewTask,
    ReviewerLocked,
    ReviewerPresenceChanged,
    ReviewerStrikeWarning,
    ReviewerStruck,
    ReviewerUnlocked,
    ReviewTaskHandedBack,
    ReviewTaskMissed,
    ReviewTaskOffered,
    ReviewTaskOfferExpired,
    ReviewTaskWarning,
    TaskCompleted,
    UnlockReviewer,
)
from services.workflow import timer_store
from services.workflow.app import NAME
from services.workflow.domain import task_id_for
from services.workflow.tables import reviewers
from services.workflow.timer_worker import TimerWorker
from tests.integration.test_workflow import Workflow, decision, workflow  # noqa: F401

pytestmark = pytest.mark.integration


def timer_worker(wf: Workflow) -> TimerWorker:
    """The service's own timer worker (its second background loop)."""
    return cast(TimerWorker, getattr(wf.spec.background[1], "__self__"))  # noqa: B009


async def tick(wf: Workflow, seconds: float, present: tuple[uuid.UUID, ...] = ()) -> int:
    """Move the clock and fire what fell due; `present` kept sending heartbeats meanwhile."""
    wf.clock.advance(seconds)
    for reviewer_id in present:
        await wf.presence.touch(reviewer_id, "page", wf.clock.now())
    return await timer_worker(wf).fire_due()


async def sent_away_at(wf: Workflow, reviewer_id: uuid.UUID) -> datetime | None:
    """When the workflow last sent the reviewer away, if it did."""
    async with wf.platform.engine.connect() as conn:
        return cast(datetime | None, await conn.scalar(
            sa.select(reviewers.c.sent_away_at).where(reviewers.c.reviewer_id == reviewer_id)))


async def offered_and_accepted(wf: Workflow, reviewer_id: uuid.UUID) -> uuid.UUID:
    """A new task that `reviewer_id` (online, idle) is offered and accepts."""
    event = decision()
    await wf.handle(event)
    task_id = task_id_for(event.match_id)
    assert (await wf.task(task_id))["reviewer_id"] == reviewer_id
    await wf.accept(task_id, reviewer_id)
    return task_id


async def test_unanswered_offer_goes_to_the_next_reviewer_without_a_strike(
    workflow: Workflow,
) -> None:
    alice, bob = uuid.uuid4(), uuid.uuid4()
    await workflow.online(alice)
    event = decision()
    await workflow.handle(event)
    task_id = task_id_for(event.match_id)
    await workflow.online(bob)
    assert await tick(workflow, 59) == 0
    assert await tick(workflow, 1, present=(bob,)) == 1

    task = await workflow.task(task_id)
    assert (task["state"], task["reviewer_id"]) == ("offered", bob)
    (expired,) = await workflow.emitted(ReviewTaskOfferExpired)
    assert expired.reviewer_id == alice
    assert await sent_away_at(workflow, alice) == workflow.clock.now()
    away = [e for e in await workflow.emitted(ReviewerPresenceChanged) if e.status == "away"]
    assert [e.reviewer_id for e in away] == [alice]
    assert await workflow.emitted(ReviewerStruck) == []
    assert task["missed_by"] == []


async def test_warning_at_t_minus_5_then_revoke_strike_and_reoffer_at_t0(
    workflow: Workflow,
) -> None:
    alice, bob = uuid.uuid4(), uuid.uuid4()
    await workflow.online(alice)
    task_id = await offered_and_accepted(workflow, alice)
    rank = (await workflow.task(task_id))["queue_rank"]
    due_at = (await workflow.task(task_id))["due_at"]
    await workflow.online(bob)

    assert await tick(workflow, 15 * 60 - 1) == 0
    assert await tick(workflow, 1) == 1  # T-5
    (warning,) = await workflow.emitted(ReviewTaskWarning)
    assert (warning.reviewer_id, warning.due_at) == (alice, due_at)
    assert (await workflow.task(task_id))["state"] == "assigned"
    assert await tick(workflow, 5 * 60 - 1) == 0
    assert await tick(workflow, 1, present=(bob,)) == 1  # T=0

    task = await workflow.task(task_id)
    assert (task["state"], task["reviewer_id"]) == ("offered", bob)
    assert task["missed_by"] == [alice]
    assert task["queue_rank"] == rank  # keeps its age
    (missed,) = await workflow.emitted(ReviewTaskMissed)
    assert missed.reviewer_id == alice
    assert await sent_away_at(workflow, alice) == workflow.clock.now()
    (struck,) = await workflow.emitted(ReviewerStruck)
    assert (struck.reviewer_id, struck.task_id, struck.strikes) == (alice, task_id, 1)
    # Late work is refused, and the task never returns to who missed it.
    await workflow.handle_complete(task_id, alice)
    assert await workflow.emitted(TaskCompleted) == []
    assert len(await workflow.emitted(ReviewTaskWarning)) == 1  # fired once only


async def test_third_strike_warns_fourth_locks_until_an_admin_unlocks(
    workflow: Workflow,
) -> None:
    alice = uuid.uuid4()
    for n in range(1, 5):
        await workflow.online(alice)  # she comes back each time
        await offered_and_accepted(workflow, alice)
        await tick(workflow, 20 * 60)  # warning and deadline both fall due
        assert [s.strikes for s in await workflow.emitted(ReviewerStruck)] == list(
            range(1, n + 1))
    (warned,) = await workflow.emitted(ReviewerStrikeWarning)
    assert (warned.reviewer_id, warned.strikes) == (alice, 3)
    (locked,) = await workflow.emitted(ReviewerLocked)
    assert (locked.reviewer_id, locked.strikes) == (alice, 4)

    await workflow.online(alice)
    event = decision()
    await workflow.handle(event)
    assert (await workflow.task(task_id_for(event.match_id)))["state"] == "queued"

    await workflow.handle(UnlockReviewer(reviewer_id=alice, admin_id="sup-1",
                                         reason="talked it through"))
    (unlocked,) = await workflow.emitted(ReviewerUnlocked)
    assert (unlocked.admin_id, unlocked.reason) == ("sup-1", "talked it through")
    task = await workflow.task(task_id_for(event.match_id))
    assert (task["state"], task["reviewer_id"]) == ("offered", alice)
    async with workflow.platform.engine.connect() as conn:
        row = (await conn.execute(sa.select(reviewers).where(
            reviewers.c.reviewer_id == alice))).one()
    assert (row.locked_at, row.unlocked_by, row.unlock_reason) == (
        None, "sup-1", "talked it through")
    # Unlocking again changes nothing; strikes count afresh after the unlock.
    await workflow.handle(UnlockReviewer(reviewer_id=alice, admin_id="x", reason="again"))
    assert len(await workflow.emitted(ReviewerUnlocked)) == 1


async def test_strikes_outside_the_window_do_not_count(workflow: Workflow) -> None:
    alice = uuid.uuid4()
    for _ in range(3):
        await workflow.online(alice)
        await offered_and_accepted(workflow, alice)
        await tick(workflow, 20 * 60)
    await tick(workflow, 7 * 24 * 3600)  # a week later
    await workflow.online(alice)
    await offered_and_accepted(workflow, alice)
    await tick(workflow, 20 * 60)
    assert [s.strikes for s in await workflow.emitted(ReviewerStruck)] == [1, 2, 3, 1]
    assert await workflow.emitted(ReviewerLocked) == []


async def test_hand_back_is_free_before_the_warning_and_struck_after(workflow: Workflow) -> None:
    alice, bob = uuid.uuid4(), uuid.uuid4()
    await workflow.online(alice)
    first = await offered_and_accepted(workflow, alice)
    await workflow.online(bob)
    await tick(workflow, 10 * 60, present=(bob,))
    await workflow.handle(HandBackReviewTask(task_id=first, reviewer_id=alice))
    assert (await workflow.task(first))["reviewer_id"] == bob
    assert await workflow.emitted(ReviewerStruck) == []

    carol = uuid.uuid4()
    await workflow.online(carol)
    second = await offered_and_accepted(workflow, carol)
    await tick(workflow, 16 * 60)  # past the warning
    await workflow.handle(HandBackReviewTask(task_id=second, reviewer_id=carol))
    backs = await workflow.emitted(ReviewTaskHandedBack)
    assert [(b.reviewer_id, b.struck) for b in backs] == [(alice, False), (carol, True)]
    (struck,) = await workflow.emitted(ReviewerStruck)
    assert struck.reviewer_id == carol
    assert (await workflow.task(second))["missed_by"] == [carol]


async def test_two_timer_workers_fire_each_timer_once(workflow: Workflow) -> None:
    people = [uuid.uuid4() for _ in range(30)]
    tasks = []
    for reviewer in people:
        await workflow.online(reviewer)
        tasks.append(await offered_and_accepted(workflow, reviewer))
    for reviewer in people:  # nobody left to re-offer to: tasks stay queued
        await workflow.offline(reviewer)
    engine = create_engine(workflow.database_url)
    try:
        worker = timer_worker(workflow)
        other = TimerWorker(UnitOfWork(engine, workflow.clock, f"jams/{NAME}"),
                            worker.lifecycle, workflow.clock, worker.poll_s, batch=7)
        workflow.clock.advance(20 * 60)
        await asyncio.gather(worker.fire_due(), other.fire_due(), worker.fire_due())
        await asyncio.gather(worker.fire_due(), other.fire_due())
    finally:
        await engine.dispose()
    assert Counter(e.task_id for e in await workflow.emitted(ReviewTaskWarning)) == Counter(tasks)
    assert Counter(e.task_id for e in await workflow.emitted(ReviewTaskMissed)) == Counter(tasks)
    assert {t["state"] for t in await workflow.tasks()} == {"queued"}
    async with workflow.platform.engine.connect() as conn:
        assert await timer_store.pending(conn) == []
    assert len(await workflow.emitted(ReviewTaskOffered)) == len(tasks)

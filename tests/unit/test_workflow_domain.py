"""Workflow rules as plain functions: task creation, assignment, closing, availability."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from infra.clock import FakeClock
from schemas.events.matching import ManualReviewRequired
from services.workflow import messages
from services.workflow.domain import (
    PresenceEntry,
    Refused,
    ReviewTask,
    TaskState,
    assign,
    available_reviewers,
    choose_reviewer,
    complete,
    is_available,
    new_task,
    reject,
    task_id_for,
)

SLA = timedelta(minutes=20)
TTL = timedelta(seconds=45)
ALICE = uuid.UUID("00000000-0000-4000-8000-0000000000a1")
BOB = uuid.UUID("00000000-0000-4000-8000-0000000000b2")
CAROL = uuid.UUID("00000000-0000-4000-8000-0000000000c3")


def decision(match_id: uuid.UUID | None = None) -> ManualReviewRequired:
    return ManualReviewRequired(
        match_id=match_id or uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(),
        score=78.5, resume_version_id=uuid.uuid4(), apply_url="https://jobs.example/1",
        job_title="Data engineer", company="Acme", explanation=["python: strong", "sql: ok"],
    )


def queued(clock: FakeClock) -> ReviewTask:
    return new_task(decision(), clock.now())


def assigned_to(reviewer_id: uuid.UUID, clock: FakeClock) -> ReviewTask:
    return assign(queued(clock), reviewer_id, clock.now(), SLA)


def test_task_id_is_deterministic_per_match() -> None:
    match_id = uuid.uuid4()
    assert task_id_for(match_id) == task_id_for(match_id)
    assert task_id_for(match_id) != task_id_for(uuid.uuid4())


def test_new_task_is_queued_and_keeps_the_decision(fake_clock: FakeClock) -> None:
    event = decision()
    task = new_task(event, fake_clock.now())
    assert task.state is TaskState.QUEUED
    assert task.task_id == task_id_for(event.match_id)
    assert (task.reviewer_id, task.due_at) == (None, None)
    assert task.created_at == fake_clock.now()
    assert task.explanation == ("python: strong", "sql: ok")
    assert task.resume_version_id == event.resume_version_id


def test_assignment_starts_the_deadline_now(fake_clock: FakeClock) -> None:
    task = queued(fake_clock)
    fake_clock.advance(90)
    done = assign(task, ALICE, fake_clock.now(), SLA)
    assert done.state is TaskState.ASSIGNED
    assert done.reviewer_id == ALICE
    assert done.assigned_at == fake_clock.now()
    assert done.due_at == fake_clock.now() + SLA


@pytest.mark.parametrize("state", [TaskState.ASSIGNED, TaskState.COMPLETED, TaskState.REJECTED])
def test_only_a_queued_task_can_be_assigned(fake_clock: FakeClock, state: TaskState) -> None:
    task = assigned_to(ALICE, fake_clock)
    if state is TaskState.COMPLETED:
        task = complete(task, ALICE, None, fake_clock.now())
    elif state is TaskState.REJECTED:
        task = reject(task, ALICE, "no", fake_clock.now())
    with pytest.raises(Refused):
        assign(task, BOB, fake_clock.now(), SLA)


def test_assigned_reviewer_completes_with_their_resume_version(fake_clock: FakeClock) -> None:
    task = assigned_to(ALICE, fake_clock)
    fake_clock.advance(300)
    tailored = uuid.uuid4()
    done = complete(task, ALICE, tailored, fake_clock.now())
    assert done.state is TaskState.COMPLETED
    assert done.closed_at == fake_clock.now()
    assert done.final_resume_version_id == tailored
    assert messages.completed(done).resume_version_id == tailored


def test_completion_without_a_new_version_keeps_the_original(fake_clock: FakeClock) -> None:
    task = assigned_to(ALICE, fake_clock)
    done = complete(task, ALICE, None, fake_clock.now())
    assert done.final_resume_version_id == task.resume_version_id
    assert messages.completed(done).apply_url == task.apply_url


def test_another_reviewer_may_not_complete_or_reject(fake_clock: FakeClock) -> None:
    task = assigned_to(ALICE, fake_clock)
    with pytest.raises(Refused, match="assigned reviewer"):
        complete(task, BOB, None, fake_clock.now())
    with pytest.raises(Refused, match="assigned reviewer"):
        reject(task, BOB, "not mine", fake_clock.now())


def test_a_queued_task_cannot_be_closed(fake_clock: FakeClock) -> None:
    with pytest.raises(Refused, match="queued"):
        complete(queued(fake_clock), ALICE, None, fake_clock.now())


def test_a_closed_task_stays_closed(fake_clock: FakeClock) -> None:
    done = complete(assigned_to(ALICE, fake_clock), ALICE, None, fake_clock.now())
    with pytest.raises(Refused):
        complete(done, ALICE, None, fake_clock.now())
    with pytest.raises(Refused):
        reject(done, ALICE, "changed my mind", fake_clock.now())


def test_reject_records_the_reason(fake_clock: FakeClock) -> None:
    done = reject(assigned_to(ALICE, fake_clock), ALICE, "visa required", fake_clock.now())
    assert done.state is TaskState.REJECTED
    assert messages.rejected(done).reason == "visa required"


def test_presence_needs_a_recent_heartbeat(fake_clock: FakeClock) -> None:
    entry = PresenceEntry("available", fake_clock.now())
    assert is_available(entry, fake_clock.now(), TTL)
    fake_clock.advance(TTL.total_seconds())
    assert is_available(entry, fake_clock.now(), TTL)
    fake_clock.advance(1)
    assert not is_available(entry, fake_clock.now(), TTL)


def test_only_available_status_counts(fake_clock: FakeClock) -> None:
    now = fake_clock.now()
    presence = {
        ALICE: PresenceEntry("available", now),
        BOB: PresenceEntry("offline", now),
        CAROL: PresenceEntry("available", now - TTL - timedelta(seconds=1)),
    }
    assert available_reviewers(presence, now, TTL) == {ALICE}
    assert not is_available(None, now, TTL)


def test_idle_reviewer_waiting_longest_goes_first(fake_clock: FakeClock) -> None:
    earlier = fake_clock.now()
    later = earlier + timedelta(minutes=5)
    order = choose_reviewer(
        available=[ALICE, BOB, CAROL], busy=[], last_assigned={ALICE: later, BOB: earlier}
    )
    # CAROL never had a task, BOB's last was longer ago than ALICE's.
    assert order == [CAROL, BOB, ALICE]


def test_busy_reviewers_are_not_offered_work() -> None:
    assert choose_reviewer(available=[ALICE, BOB], busy=[ALICE], last_assigned={}) == [BOB]
    assert choose_reviewer(available=[ALICE], busy=[ALICE], last_assigned={}) == []

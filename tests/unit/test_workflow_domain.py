"""Workflow rules as plain functions: the offer → accept → close life cycle, SLA timers,
strikes, priority and assignment policies, all through a fake clock (instant)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from pydantic import ValidationError

from infra.clock import FakeClock
from infra.presence import PresenceEntry
from schemas.events.matching import ManualReviewRequired
from services.workflow import messages
from services.workflow.domain import (
    Refused,
    ReviewTask,
    SlaPolicy,
    TaskState,
    accept,
    assign,
    complete,
    hand_back_strikes,
    new_task,
    offer,
    reject,
    requeue,
    task_id_for,
    warn,
)
from services.workflow.policy import (
    AssignmentPolicy,
    Candidate,
    available_reviewers,
    came_back,
    free_slot,
    is_available,
    order_candidates,
)
from services.workflow.priority import PriorityWeights, priority
from services.workflow.settings import WorkflowSettings
from services.workflow.strikes import StrikeOutcome, StrikeRules, outcome, strikes_in_window
from services.workflow.timers import Timer, TimerKind, is_current, next_timer

POLICY = SlaPolicy()  # 60 s offers, 20 min SLA, warning 5 min before
TTL = timedelta(seconds=45)
ALICE = uuid.UUID("00000000-0000-4000-8000-0000000000a1")
BOB = uuid.UUID("00000000-0000-4000-8000-0000000000b2")
CAROL = uuid.UUID("00000000-0000-4000-8000-0000000000c3")


def decision(score: float = 78.5) -> ManualReviewRequired:
    return ManualReviewRequired(
        match_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(),
        score=score, resume_version_id=uuid.uuid4(), apply_url="https://jobs.example/1",
        job_title="Data engineer", company="Acme", explanation=["python: strong", "sql: ok"],
    )


def queued(clock: FakeClock) -> ReviewTask:
    return new_task(decision(), clock.now())


def offered_to(reviewer_id: uuid.UUID, clock: FakeClock) -> ReviewTask:
    return offer(queued(clock), reviewer_id, 0, clock.now(), POLICY)


def assigned_to(reviewer_id: uuid.UUID, clock: FakeClock) -> ReviewTask:
    return assign(queued(clock), reviewer_id, clock.now(), POLICY)


def due(task: ReviewTask, clock: FakeClock) -> Timer | None:
    """The task's pending timer if it is due on the clock now."""
    timer = next_timer(task)
    return timer if timer is not None and timer.fire_at <= clock.now() else None


# --- creation and the offer ----------------------------------------------------------------

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
    assert task.rank == task.created_at == fake_clock.now()
    assert task.explanation == ("python: strong", "sql: ok")
    assert next_timer(task) is None


def test_an_offer_expires_after_the_window_without_starting_the_sla(
    fake_clock: FakeClock,
) -> None:
    task = offered_to(ALICE, fake_clock)
    assert task.state is TaskState.OFFERED and task.due_at is None
    timer = next_timer(task)
    assert timer is not None and timer.kind is TimerKind.OFFER_EXPIRY
    fake_clock.advance(59)
    assert due(task, fake_clock) is None
    fake_clock.advance(1)
    assert due(task, fake_clock) == timer
    with pytest.raises(Refused, match="expired"):
        accept(task, ALICE, fake_clock.now(), POLICY)
    back = requeue(task, missed=False)  # what the expiry does: no strike, not barred
    assert back.state is TaskState.QUEUED and back.missed_by == frozenset()
    assert not is_current(timer, back)


def test_acceptance_starts_the_sla_and_schedules_the_warning(fake_clock: FakeClock) -> None:
    task = offered_to(ALICE, fake_clock)
    fake_clock.advance(30)
    with pytest.raises(Refused, match="holding"):
        accept(task, BOB, fake_clock.now(), POLICY)
    taken = accept(task, ALICE, fake_clock.now(), POLICY)
    assert taken.state is TaskState.ASSIGNED
    assert taken.assigned_at == fake_clock.now()
    assert taken.due_at == fake_clock.now() + timedelta(minutes=20)
    assert messages.assigned(taken).due_at == taken.due_at
    offer_timer = next_timer(task)
    assert offer_timer is not None and not is_current(offer_timer, taken)


def test_warning_at_t_minus_5_then_revoke_and_requeue_at_t0(fake_clock: FakeClock) -> None:
    task = assigned_to(ALICE, fake_clock)
    fake_clock.advance(15 * 60 - 1)
    assert due(task, fake_clock) is None
    fake_clock.advance(1)  # T-5
    timer = due(task, fake_clock)
    assert timer is not None and timer.kind is TimerKind.WARNING
    warned = warn(task)
    assert messages.warning(warned).due_at == task.due_at
    deadline = next_timer(warned)
    assert deadline is not None and deadline.kind is TimerKind.DEADLINE
    assert is_current(deadline, warned)  # the warning does not invalidate the deadline
    fake_clock.advance(5 * 60 - 1)
    assert due(warned, fake_clock) is None
    fake_clock.advance(1)  # T=0
    assert due(warned, fake_clock) == deadline
    with pytest.raises(Refused, match="deadline"):
        complete(warned, ALICE, None, fake_clock.now())
    back = requeue(warned, missed=True)
    assert back.state is TaskState.QUEUED and back.reviewer_id is None
    assert back.missed_by == {ALICE}
    assert back.rank == task.rank  # keeps its original age in the queue
    assert next_timer(back) is None
    assert messages.missed(warned).reviewer_id == ALICE


def test_a_task_never_goes_back_to_who_missed_it(fake_clock: FakeClock) -> None:
    back = requeue(assigned_to(ALICE, fake_clock), missed=True)
    with pytest.raises(Refused, match="missed"):
        offer(back, ALICE, 0, fake_clock.now(), POLICY)
    assert offer(back, BOB, 0, fake_clock.now(), POLICY).reviewer_id == BOB


def test_hand_back_is_free_before_the_warning_and_struck_after(fake_clock: FakeClock) -> None:
    offered = offered_to(ALICE, fake_clock)
    assert not hand_back_strikes(offered, ALICE, fake_clock.now())
    task = assigned_to(ALICE, fake_clock)
    fake_clock.advance(15 * 60 - 1)
    assert not hand_back_strikes(task, ALICE, fake_clock.now())
    fake_clock.advance(1)
    assert hand_back_strikes(task, ALICE, fake_clock.now())
    with pytest.raises(Refused):
        hand_back_strikes(task, BOB, fake_clock.now())


def test_assigned_reviewer_completes_with_their_resume_version(fake_clock: FakeClock) -> None:
    task = assigned_to(ALICE, fake_clock)
    fake_clock.advance(300)
    tailored = uuid.uuid4()
    done = complete(task, ALICE, tailored, fake_clock.now())
    assert done.state is TaskState.COMPLETED
    assert done.final_resume_version_id == tailored
    assert messages.completed(done).resume_version_id == tailored
    assert next_timer(done) is None
    assert complete(task, ALICE, None, fake_clock.now()).final_resume_version_id == (
        task.resume_version_id)


def test_only_the_holder_closes_and_only_once(fake_clock: FakeClock) -> None:
    task = assigned_to(ALICE, fake_clock)
    with pytest.raises(Refused, match="holding"):
        complete(task, BOB, None, fake_clock.now())
    with pytest.raises(Refused, match="holding"):
        reject(task, BOB, "not mine", fake_clock.now())
    with pytest.raises(Refused):
        complete(offered_to(ALICE, fake_clock), ALICE, None, fake_clock.now())  # not accepted
    done = reject(task, ALICE, "visa required", fake_clock.now())
    assert messages.rejected(done).reason == "visa required"
    with pytest.raises(Refused):
        complete(done, ALICE, None, fake_clock.now())
    with pytest.raises(Refused):
        requeue(done, missed=True)


# --- strikes -------------------------------------------------------------------------------

def test_strikes_count_in_a_rolling_window(fake_clock: FakeClock) -> None:
    rules = StrikeRules(window=timedelta(days=7))
    start = fake_clock.now()
    times = [start, start + timedelta(days=1), start + timedelta(days=6)]
    fake_clock.advance(timedelta(days=6).total_seconds())
    assert strikes_in_window(times, fake_clock.now(), rules) == 3
    fake_clock.advance(timedelta(days=1).total_seconds())  # the first falls out
    assert strikes_in_window(times, fake_clock.now(), rules) == 2
    cleared = start + timedelta(days=2)  # an unlock forgives what came before
    assert strikes_in_window(times, fake_clock.now(), rules, cleared) == 1


def test_third_strike_warns_fourth_locks() -> None:
    rules = StrikeRules()
    assert [outcome(n, rules) for n in (1, 2, 3, 4, 5)] == [
        StrikeOutcome.STRUCK, StrikeOutcome.STRUCK, StrikeOutcome.WARNED,
        StrikeOutcome.LOCKED, StrikeOutcome.LOCKED,
    ]


def test_sla_setting_is_between_15_and_20_minutes() -> None:
    assert WorkflowSettings().review_sla_s == 20 * 60
    assert WorkflowSettings(review_sla_s=15 * 60).review_sla_s == 900
    with pytest.raises(ValidationError, match="between"):
        WorkflowSettings(review_sla_s=60)
    with pytest.raises(ValidationError):
        WorkflowSettings(review_sla_s=21 * 60)
    assert WorkflowSettings(review_sla_s=5, short_sla_for_tests=True).review_sla_s == 5
    with pytest.raises(ValidationError, match="strike_lock_at"):
        WorkflowSettings(strike_warn_at=3, strike_lock_at=3)


# --- priority and assignment ---------------------------------------------------------------

def test_priority_prefers_near_threshold_fresh_jobs_and_paying_plans(
    fake_clock: FakeClock,
) -> None:
    w, now = PriorityWeights(), fake_clock.now()
    assert priority(88, now, w) > priority(55, now, w)
    fresh, stale = now - timedelta(days=1), now - timedelta(days=30)
    assert priority(70, now, w, job_posted_at=fresh) > priority(70, now, w, job_posted_at=stale)
    assert priority(70, now, w, plan="premium") > priority(70, now, w, plan="free")
    assert 0 <= priority(10, now, w, stale, "free") <= priority(100, now, w, now, "premium") <= 1


def test_higher_priority_ranks_earlier_but_age_still_counts(fake_clock: FakeClock) -> None:
    boost = timedelta(hours=1)
    old_low = new_task(decision(), fake_clock.now(), priority=0.0, boost=boost)
    fake_clock.advance(600)
    new_high = new_task(decision(), fake_clock.now(), priority=1.0, boost=boost)
    assert new_high.rank < old_low.rank
    fake_clock.advance(2 * 3600)
    newest_high = new_task(decision(), fake_clock.now(), priority=1.0, boost=boost)
    assert old_low.rank < newest_high.rank  # two hours of waiting beat one hour of priority


def test_presence_needs_a_recent_heartbeat_and_available_status(fake_clock: FakeClock) -> None:
    now = fake_clock.now()
    stale = now - TTL - timedelta(seconds=1)
    presence = {
        ALICE: PresenceEntry("available", now, now, "page"),
        BOB: PresenceEntry("away", now, now, "page"),
        CAROL: PresenceEntry("available", stale, stale, "page"),
    }
    assert available_reviewers(presence, now, TTL) == {ALICE}
    assert not is_available(None, now, TTL)


def test_a_reviewer_sent_away_is_available_only_once_they_say_so_again(
    fake_clock: FakeClock,
) -> None:
    said_so = fake_clock.now()
    fake_clock.advance(60)
    sent_away = fake_clock.now()
    fake_clock.advance(10)
    now = fake_clock.now()
    beating = PresenceEntry("available", said_so, now, "page")
    assert is_available(beating, now, TTL)
    assert not is_available(beating, now, TTL, sent_away_at=sent_away)
    assert not came_back(beating, sent_away)
    again = PresenceEntry("available", now, now, "page")
    assert is_available(again, now, TTL, sent_away_at=sent_away)
    # Connecting at the very moment of the decision counts as coming back.
    assert came_back(PresenceEntry("available", sent_away, now, "page"), sent_away)


def test_round_robin_offers_the_longest_idle_first(fake_clock: FakeClock) -> None:
    earlier = fake_clock.now()
    later = earlier + timedelta(minutes=5)
    order = order_candidates(
        [Candidate(ALICE, 0, later), Candidate(BOB, 0, earlier), Candidate(CAROL, 0)],
        AssignmentPolicy.ROUND_ROBIN,
    )
    assert order == [CAROL, BOB, ALICE]


def test_least_loaded_offers_the_emptiest_first(fake_clock: FakeClock) -> None:
    now = fake_clock.now()
    order = order_candidates(
        [Candidate(ALICE, 2, None), Candidate(BOB, 0, now), Candidate(CAROL, 1, None)],
        AssignmentPolicy.LEAST_LOADED, capacity=3,
    )
    assert order == [BOB, CAROL, ALICE]


def test_capacity_locks_misses_and_skills_filter_reviewers() -> None:
    people = [Candidate(ALICE, 1), Candidate(BOB, 0, skills=frozenset({"java"})),
              Candidate(CAROL, 0)]
    rr = AssignmentPolicy.ROUND_ROBIN
    assert order_candidates(people, rr) == [BOB, CAROL]  # ALICE is full at capacity 1
    assert order_candidates(people, rr, capacity=2) == [ALICE, BOB, CAROL]
    assert order_candidates(people, rr, barred={BOB}) == [CAROL]
    assert order_candidates(people, rr, locked={CAROL}) == [BOB]
    # BOB only knows java; CAROL has no skills set and takes anything.
    assert order_candidates(people, rr, tags={"python"}) == [CAROL]
    assert order_candidates(people, rr, tags={"java"}) == [BOB, CAROL]


def test_free_slot_is_the_lowest_unused() -> None:
    assert free_slot(set(), 1) == 0
    assert free_slot({0}, 1) is None
    assert free_slot({0, 2}, 3) == 1

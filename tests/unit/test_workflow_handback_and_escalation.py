"""Hand-back rules (declining an offer vs giving back an accepted task), escalated
applications as tasks, and the explanation a task carries: plain functions, fake clock."""

from __future__ import annotations

import uuid

import pytest

from infra.clock import FakeClock
from schemas.events.applications import ApplicationNeedsReview
from schemas.events.matching import ManualReviewRequired
from services.workflow import messages
from services.workflow.domain import (
    Refused,
    SlaPolicy,
    TaskDetails,
    TaskState,
    accept,
    escalated_task,
    escalation_task_id,
    hand_back,
    new_task,
    offer,
)

POLICY = SlaPolicy()  # 60 s offers, 20 min SLA, warning 5 min before
ALICE = uuid.UUID("00000000-0000-4000-8000-0000000000a1")
BOB = uuid.UUID("00000000-0000-4000-8000-0000000000b2")


def decision() -> ManualReviewRequired:
    return ManualReviewRequired(
        match_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(), score=74.0,
        resume_version_id=uuid.uuid4(), apply_url="https://jobs.example/7",
        job_title="Data engineer", company="Acme", explanation=["score 74 (review)"],
        breakdown={"skills": 0.8, "experience": 0.5}, matched_skills=["python", "sql"],
        missing_skills=["kafka"], hints=["the job requires kafka; add it only if true"],
        resume_blob_key="resumes/c/v.txt",
    )


def escalation(**overrides: object) -> ApplicationNeedsReview:
    fields: dict[str, object] = {
        "application_id": uuid.uuid4(), "candidate_id": uuid.uuid4(), "job_id": uuid.uuid4(),
        "question": "Do you hold a security clearance?", "apply_url": "https://jobs.example/8",
        "resume_version_id": uuid.uuid4(),
    }
    return ApplicationNeedsReview.model_validate(fields | overrides)


def test_declining_an_offer_is_strike_free_but_sets_the_reviewer_away(
    fake_clock: FakeClock,
) -> None:
    offered = offer(new_task(decision(), fake_clock.now()), ALICE, 0, fake_clock.now(), POLICY)
    fake_clock.advance(10)
    outcome = hand_back(offered, ALICE, fake_clock.now())
    assert (outcome.struck, outcome.declined_offer) == (False, True)
    assert outcome.task.state is TaskState.QUEUED and outcome.task.reviewer_id is None
    assert outcome.task.missed_by == frozenset()  # not a miss...
    assert outcome.task.returned_by == {ALICE}  # ...but it goes to someone else
    with pytest.raises(Refused, match="handed it back"):
        offer(outcome.task, ALICE, 0, fake_clock.now(), POLICY)
    assert offer(outcome.task, BOB, 0, fake_clock.now(), POLICY).reviewer_id == BOB
    assert messages.handed_back(offered, outcome.struck, outcome.declined_offer).declined_offer


def test_giving_back_an_accepted_task_before_the_warning_keeps_the_reviewer_available(
    fake_clock: FakeClock,
) -> None:
    offered = offer(new_task(decision(), fake_clock.now()), ALICE, 0, fake_clock.now(), POLICY)
    taken = accept(offered, ALICE, fake_clock.now(), POLICY)
    fake_clock.advance(15 * 60 - 1)  # one second before T-5
    early = hand_back(taken, ALICE, fake_clock.now())
    assert (early.struck, early.declined_offer) == (False, False)
    assert early.task.missed_by == frozenset()
    assert early.task.barred == {ALICE}  # never offered back to who gave it back
    fake_clock.advance(1)  # T-5: the warning is due
    late = hand_back(taken, ALICE, fake_clock.now())
    assert (late.struck, late.declined_offer) == (True, False)
    assert late.task.missed_by == {ALICE}


def test_only_the_holder_hands_back(fake_clock: FakeClock) -> None:
    offered = offer(new_task(decision(), fake_clock.now()), ALICE, 0, fake_clock.now(), POLICY)
    with pytest.raises(Refused):
        hand_back(offered, BOB, fake_clock.now())
    with pytest.raises(Refused):
        hand_back(new_task(decision(), fake_clock.now()), ALICE, fake_clock.now())


def test_the_explanation_travels_from_the_decision_to_the_offer_and_acceptance(
    fake_clock: FakeClock,
) -> None:
    event = decision()
    task = new_task(event, fake_clock.now())
    assert TaskDetails.of_json(task.details.as_json()) == task.details
    offered = offer(task, ALICE, 0, fake_clock.now(), POLICY)
    for sent in (messages.offered(offered),
                 messages.assigned(accept(offered, ALICE, fake_clock.now(), POLICY))):
        assert sent.breakdown == {"skills": 0.8, "experience": 0.5}
        assert (sent.matched_skills, sent.missing_skills) == (["python", "sql"], ["kafka"])
        assert sent.hints == ["the job requires kafka; add it only if true"]
        assert sent.resume_blob_key == "resumes/c/v.txt"
        assert sent.question is None


def test_details_of_an_older_row_read_as_empty() -> None:
    assert TaskDetails.of_json({}) == TaskDetails()
    assert TaskDetails.of_json(None) == TaskDetails()


def test_an_escalated_application_becomes_a_queued_task_with_its_question(
    fake_clock: FakeClock,
) -> None:
    event = escalation(job_title="Analyst", company="Initech", score=93.0,
                       resume_blob_key="resumes/c/v.pdf")
    event_id = uuid.uuid4()
    task = escalated_task(event, event_id, fake_clock.now())
    assert task.state is TaskState.QUEUED
    assert task.task_id == escalation_task_id(event_id)
    assert task.match_id == event.application_id  # no match id given: the application's
    assert (task.job_title, task.company, task.score) == ("Analyst", "Initech", 93.0)
    assert task.details.question == "Do you hold a security clearance?"
    assert task.details.resume_blob_key == "resumes/c/v.pdf"
    assert "security clearance" in task.explanation[0]
    assert "verified facts" in task.explanation[1]  # what the reviewer can do about it
    offered = messages.offered(offer(task, ALICE, 0, fake_clock.now(), POLICY))
    assert offered.question == "Do you hold a security clearance?"


def test_one_task_per_escalation_event() -> None:
    event_id = uuid.uuid4()
    assert escalation_task_id(event_id) == escalation_task_id(event_id)  # redelivered
    assert escalation_task_id(event_id) != escalation_task_id(uuid.uuid4())  # escalated again
    match_id = uuid.uuid4()
    task = escalated_task(escalation(match_id=match_id), event_id, FakeClock().now())
    assert task.match_id == match_id

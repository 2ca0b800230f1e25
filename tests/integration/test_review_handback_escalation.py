"""Hand-back and escalated applications on real PostgreSQL and Valkey, with a fake clock."""
# ruff: noqa: F811  (the `workflow` fixture is imported from the workflow tests and reused)

from __future__ import annotations

import uuid

import pytest

from schemas.events.applications import ApplicationNeedsReview
from schemas.events.review import (
    HandBackReviewTask,
    ReviewerPresenceChanged,
    ReviewerStruck,
    ReviewTaskCreated,
    ReviewTaskHandedBack,
    ReviewTaskOffered,
    TaskCompleted,
)
from services.workflow.domain import escalation_task_id, task_id_for
from tests.integration.test_review_sla import offered_and_accepted, sent_away_at, tick
from tests.integration.test_workflow import Workflow, decision, workflow  # noqa: F401

pytestmark = pytest.mark.integration


async def away_events(wf: Workflow) -> list[uuid.UUID]:
    return [e.reviewer_id for e in await wf.emitted(ReviewerPresenceChanged)
            if e.status == "away"]


async def test_declining_an_offer_sets_the_reviewer_away_without_a_strike(
    workflow: Workflow,
) -> None:
    alice, bob = uuid.uuid4(), uuid.uuid4()
    await workflow.online(alice)
    event = decision()
    await workflow.handle(event)
    task_id = task_id_for(event.match_id)
    await workflow.online(bob)
    await tick(workflow, 5, present=(alice, bob))

    await workflow.handle(HandBackReviewTask(task_id=task_id, reviewer_id=alice))

    task = await workflow.task(task_id)
    assert (task["state"], task["reviewer_id"]) == ("offered", bob)
    assert task["missed_by"] == []
    assert await sent_away_at(workflow, alice) == workflow.clock.now()
    assert await away_events(workflow) == [alice]
    (back,) = await workflow.emitted(ReviewTaskHandedBack)
    assert (back.reviewer_id, back.struck, back.declined_offer) == (alice, False, True)
    assert await workflow.emitted(ReviewerStruck) == []
    # Away, so the next task does not go to her, though the gateway has yet to record it
    # and her page keeps beating.
    await workflow.offline(bob)
    await tick(workflow, 5, present=(alice,))
    second = decision()
    await workflow.handle(second)
    assert (await workflow.task(task_id_for(second.match_id)))["state"] == "queued"
    # Once she says she is available again, it is hers.
    await workflow.presence.set_status(alice, "page", "available", workflow.clock.now())
    await workflow.handle(ReviewerPresenceChanged(reviewer_id=alice, status="available"))
    assert (await workflow.task(task_id_for(second.match_id)))["reviewer_id"] == alice


async def test_giving_back_an_accepted_task_before_the_warning_keeps_the_reviewer_available(
    workflow: Workflow,
) -> None:
    alice, bob = uuid.uuid4(), uuid.uuid4()
    await workflow.online(alice)
    task_id = await offered_and_accepted(workflow, alice)
    await workflow.online(bob)
    await tick(workflow, 14 * 60, present=(alice, bob))  # before the warning at T-5

    await workflow.handle(HandBackReviewTask(task_id=task_id, reviewer_id=alice))

    assert (await workflow.task(task_id))["reviewer_id"] == bob
    assert await sent_away_at(workflow, alice) is None
    assert await away_events(workflow) == []
    assert await workflow.emitted(ReviewerStruck) == []
    (back,) = await workflow.emitted(ReviewTaskHandedBack)
    assert (back.struck, back.declined_offer) == (False, False)
    # Still available: the next task is offered to her at once, never the one she gave back.
    await workflow.offline(bob)
    await workflow.handle(HandBackReviewTask(task_id=task_id, reviewer_id=bob))
    assert (await workflow.task(task_id))["state"] == "queued"
    assert set((await workflow.task(task_id))["returned_by"]) == {alice, bob}
    second = decision()
    await workflow.handle(second)
    assert (await workflow.task(task_id_for(second.match_id)))["reviewer_id"] == alice


async def test_an_escalated_application_is_queued_and_offered_once_with_its_question(
    workflow: Workflow,
) -> None:
    alice = uuid.uuid4()
    await workflow.online(alice)
    event = ApplicationNeedsReview(
        application_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(),
        question="Are you willing to relocate to Reno?", apply_url="https://jobs.example/3",
        resume_version_id=uuid.uuid4(), job_title="SRE", company="Hooli", score=92.0,
        resume_blob_key="resumes/x/y.txt")
    first = await workflow.handle(event)
    await workflow.dispatch(first)  # redelivery

    (task,) = await workflow.tasks()
    assert task["task_id"] == escalation_task_id(first.id)
    assert (task["state"], task["reviewer_id"]) == ("offered", alice)
    assert task["details"]["question"] == "Are you willing to relocate to Reno?"
    assert len(await workflow.emitted(ReviewTaskCreated)) == 1
    (offered,) = await workflow.emitted(ReviewTaskOffered)
    assert (offered.question, offered.resume_blob_key, offered.job_title, offered.score) == (
        "Are you willing to relocate to Reno?", "resumes/x/y.txt", "SRE", 92.0)
    assert offered.resume_version_id == event.resume_version_id


async def test_an_escalation_that_lacks_optional_fields_still_makes_a_task(
    workflow: Workflow,
) -> None:
    # What an older bot sends: no match id, score, title or company.
    event = ApplicationNeedsReview(
        application_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(),
        question="Salary expectation?", apply_url="https://jobs.example/4",
        resume_version_id=uuid.uuid4())
    await workflow.handle(event)
    (task,) = await workflow.tasks()
    assert (task["state"], task["match_id"], task["score"]) == (
        "queued", event.application_id, 0.0)


async def test_an_application_escalated_again_after_completion_gets_a_new_task(
    workflow: Workflow,
) -> None:
    alice = uuid.uuid4()
    await workflow.online(alice)
    event = ApplicationNeedsReview(
        application_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(),
        question="Notice period?", apply_url="https://jobs.example/6",
        resume_version_id=uuid.uuid4())
    first = await workflow.handle(event)
    await workflow.accept(escalation_task_id(first.id), alice)
    await workflow.handle_complete(escalation_task_id(first.id), alice)
    (completed,) = await workflow.emitted(TaskCompleted)
    assert completed.apply_url == "https://jobs.example/6"

    # The bot tried again and met the same question: not dropped as a duplicate.
    second = await workflow.handle(event)
    assert second.id != first.id
    states = {t["task_id"]: t["state"] for t in await workflow.tasks()}
    assert states == {escalation_task_id(first.id): "completed",
                      escalation_task_id(second.id): "offered"}

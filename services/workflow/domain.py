"""Review task rules: creation, the offer → accept → close life cycle, and re-queueing."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from schemas.events.applications import ApplicationNeedsReview
from schemas.events.matching import ManualReviewRequired

# Fixed forever: task ids derive from it, so a redelivered decision maps to the same task.
TASK_NAMESPACE = uuid.UUID("5b0d3c8e-3f43-5c1f-9a55-7b1e9f0e2a61")


class TaskState(StrEnum):
    QUEUED = "queued"
    OFFERED = "offered"
    ASSIGNED = "assigned"
    COMPLETED = "completed"
    REJECTED = "rejected"


TERMINAL_STATES = frozenset({TaskState.COMPLETED, TaskState.REJECTED})
HELD_STATES = frozenset({TaskState.OFFERED, TaskState.ASSIGNED})


class Refused(Exception):
    """A transition the rules do not allow; the caller logs it and changes nothing."""


@dataclass(frozen=True)
class SlaPolicy:
    """How long an offer stands, how long an accepted task may take, when to warn."""

    offer_window: timedelta = timedelta(seconds=60)
    sla: timedelta = timedelta(minutes=20)
    warning_before: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class TaskDetails:
    """What the reviewer sees beside the job: the score's parts, skills, hints, the resume."""

    breakdown: tuple[tuple[str, float], ...] = ()
    matched_skills: tuple[str, ...] = ()
    missing_skills: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    resume_blob_key: str | None = None
    question: str | None = None
    # What changed in the job since it was scored (newest first), and its last revision told.
    job_changes: tuple[str, ...] = ()
    job_revision: int = 0

    def as_json(self) -> dict[str, object]:
        return {"breakdown": dict(self.breakdown), "matched_skills": list(self.matched_skills),
                "missing_skills": list(self.missing_skills), "hints": list(self.hints),
                "resume_blob_key": self.resume_blob_key, "question": self.question,
                "job_changes": list(self.job_changes), "job_revision": self.job_revision}

    @classmethod
    def of_json(cls, raw: object) -> TaskDetails:
        """Tolerant: a row written before a field existed simply lacks it."""
        data = raw if isinstance(raw, dict) else {}
        return cls(
            breakdown=tuple((str(k), float(v)) for k, v in (data.get("breakdown") or {}).items()),
            matched_skills=tuple(data.get("matched_skills") or ()),
            missing_skills=tuple(data.get("missing_skills") or ()),
            hints=tuple(data.get("hints") or ()),
            resume_blob_key=data.get("resume_blob_key"),
            question=data.get("question"),
            job_changes=tuple(data.get("job_changes") or ()),
            job_revision=int(data.get("job_revision") or 0),
        )


@dataclass(frozen=True)
class ReviewTask:
    """One match waiting for, or under, human review."""

    task_id: uuid.UUID
    match_id: uuid.UUID
    candidate_id: uuid.UUID
    job_id: uuid.UUID
    apply_url: str
    resume_version_id: uuid.UUID
    score: float
    job_title: str
    company: str
    explanation: tuple[str, ...]
    created_at: datetime
    priority: float = 0.0
    # Queue order: creation time moved earlier by priority; re-queueing keeps it (no starving).
    queue_rank: datetime | None = None
    tags: frozenset[str] = frozenset()
    state: TaskState = TaskState.QUEUED
    reviewer_id: uuid.UUID | None = None
    slot: int | None = None
    offered_at: datetime | None = None
    offer_expires_at: datetime | None = None
    assigned_at: datetime | None = None
    due_at: datetime | None = None
    warn_at: datetime | None = None
    warned: bool = False
    missed_by: frozenset[uuid.UUID] = frozenset()
    # Reviewers who handed it back ("give it to someone else"): not offered it again.
    returned_by: frozenset[uuid.UUID] = frozenset()
    # Bumped on every transition; a timer scheduled for an older revision is stale.
    revision: int = 0
    closed_at: datetime | None = None
    final_resume_version_id: uuid.UUID | None = None
    reject_reason: str | None = None
    details: TaskDetails = TaskDetails()

    @property
    def barred(self) -> frozenset[uuid.UUID]:
        """Who is never offered this task: those who missed it or handed it back."""
        return self.missed_by | self.returned_by

    @property
    def rank(self) -> datetime:
        return self.queue_rank or self.created_at


def task_id_for(match_id: uuid.UUID) -> uuid.UUID:
    """The task of a match: deterministic, so one match never yields two tasks."""
    return uuid.uuid5(TASK_NAMESPACE, str(match_id))


def new_task(
    event: ManualReviewRequired,
    now: datetime,
    priority: float = 0.0,
    boost: timedelta = timedelta(0),
    tags: frozenset[str] = frozenset(),
) -> ReviewTask:
    """A queued task for a match in the review band; `boost` per unit of priority."""
    return ReviewTask(
        task_id=task_id_for(event.match_id),
        match_id=event.match_id,
        candidate_id=event.candidate_id,
        job_id=event.job_id,
        apply_url=event.apply_url,
        resume_version_id=event.resume_version_id,
        score=event.score,
        job_title=event.job_title,
        company=event.company,
        explanation=tuple(event.explanation),
        created_at=now,
        priority=priority,
        queue_rank=now - boost * priority,
        tags=tags,
        details=TaskDetails(
            breakdown=tuple(event.breakdown.items()),
            matched_skills=tuple(event.matched_skills),
            missing_skills=tuple(event.missing_skills),
            hints=tuple(event.hints),
            resume_blob_key=event.resume_blob_key,
        ),
    )


def escalation_task_id(event_id: uuid.UUID) -> uuid.UUID:
    """One task per escalation event, whatever the redelivery or replay.

    The bot escalates once per attempt it stops; a later attempt that meets the question
    again (after a reviewer's completion) is a new escalation and gets a new task, so it is
    never dropped as a duplicate of the closed one.
    """
    return uuid.uuid5(TASK_NAMESPACE, f"escalation:{event_id}")


ESCALATION_GUIDE = ("only the candidate can answer it: once they have added the answer to "
                    "their verified facts, complete to apply again; otherwise reject")


def escalated_task(event: ApplicationNeedsReview, event_id: uuid.UUID, now: datetime,
                   priority: float = 0.0, boost: timedelta = timedelta(0)) -> ReviewTask:
    """A queued task for an application the bot stopped: a screening question needs a person."""
    return ReviewTask(
        task_id=escalation_task_id(event_id),
        # Without the match id (older bots), the application stands in for it.
        match_id=event.match_id or event.application_id,
        candidate_id=event.candidate_id,
        job_id=event.job_id,
        apply_url=event.apply_url,
        resume_version_id=event.resume_version_id,
        score=event.score or 0.0,
        job_title=event.job_title,
        company=event.company,
        explanation=(f"the application form asks: {event.question}", ESCALATION_GUIDE),
        created_at=now,
        priority=priority,
        queue_rank=now - boost * priority,
        details=TaskDetails(resume_blob_key=event.resume_blob_key, question=event.question),
    )


def offer(
    task: ReviewTask, reviewer_id: uuid.UUID, slot: int, now: datetime, policy: SlaPolicy
) -> ReviewTask:
    """Offer a queued task to a reviewer who has not missed it or handed it back before."""
    if task.state is not TaskState.QUEUED:
        raise Refused(f"task is {task.state}, only a queued task can be offered")
    if reviewer_id in task.missed_by:
        raise Refused("a task never goes back to a reviewer who missed it")
    if reviewer_id in task.returned_by:
        raise Refused("a task never goes back to a reviewer who handed it back")
    return dataclasses.replace(
        task, state=TaskState.OFFERED, reviewer_id=reviewer_id, slot=slot, offered_at=now,
        offer_expires_at=now + policy.offer_window, revision=task.revision + 1,
    )


def accept(
    task: ReviewTask, reviewer_id: uuid.UUID, now: datetime, policy: SlaPolicy
) -> ReviewTask:
    """The offered reviewer takes the task: the SLA starts now."""
    _check_holder(task, reviewer_id, {TaskState.OFFERED})
    if task.offer_expires_at is not None and now >= task.offer_expires_at:
        raise Refused("the offer has expired")
    due = now + policy.sla
    return dataclasses.replace(
        task, state=TaskState.ASSIGNED, assigned_at=now, due_at=due,
        warn_at=due - policy.warning_before, revision=task.revision + 1,
    )


def assign(
    task: ReviewTask, reviewer_id: uuid.UUID, now: datetime, policy: SlaPolicy
) -> ReviewTask:
    """Offer and accept in one step (what a reviewer's immediate acceptance amounts to)."""
    return accept(offer(task, reviewer_id, 0, now, policy), reviewer_id, now, policy)


def requeue(task: ReviewTask, *, missed: bool) -> ReviewTask:
    """Back to the queue with its original rank; a miss bars that reviewer from it."""
    if task.state not in HELD_STATES or task.reviewer_id is None:
        raise Refused(f"task is {task.state}, only an offered or assigned task can return")
    barred = task.missed_by | {task.reviewer_id} if missed else task.missed_by
    return dataclasses.replace(
        task, state=TaskState.QUEUED, reviewer_id=None, slot=None, offered_at=None,
        offer_expires_at=None, assigned_at=None, due_at=None, warn_at=None, warned=False,
        missed_by=barred, revision=task.revision + 1,
    )


def hand_back_strikes(task: ReviewTask, reviewer_id: uuid.UUID, now: datetime) -> bool:
    """Whether handing the task back now costs a strike: only once the warning is due."""
    _check_holder(task, reviewer_id, HELD_STATES)
    return task.state is TaskState.ASSIGNED and task.warn_at is not None and now >= task.warn_at


@dataclass(frozen=True)
class HandedBack:
    """A hand-back's consequences: the re-queued task, a strike, and whether the reviewer is
    set away (declining an offer is treated like leaving it unanswered)."""

    task: ReviewTask
    struck: bool
    declined_offer: bool


def hand_back(task: ReviewTask, reviewer_id: uuid.UUID, now: datetime) -> HandedBack:
    """Back to the queue: an accepted task is free before the warning and struck after it; a
    declined offer costs no strike but sets the reviewer away."""
    struck = hand_back_strikes(task, reviewer_id, now)
    declined = task.state is TaskState.OFFERED
    back = requeue(task, missed=struck)
    # "Give it to someone else": a later sweep must not offer it straight back to them.
    back = dataclasses.replace(back, returned_by=back.returned_by | {reviewer_id})
    return HandedBack(back, struck, declined)


def warn(task: ReviewTask) -> ReviewTask:
    """Mark the T-minus warning as sent."""
    if task.state is not TaskState.ASSIGNED:
        raise Refused(f"task is {task.state}, only an assigned task is warned")
    return dataclasses.replace(task, warned=True)


def complete(
    task: ReviewTask, reviewer_id: uuid.UUID, resume_version_id: uuid.UUID | None, now: datetime
) -> ReviewTask:
    """Close the task as approved, with the reviewer's resume version or the original."""
    _check_open(task, reviewer_id, now)
    return dataclasses.replace(
        task, state=TaskState.COMPLETED, closed_at=now, revision=task.revision + 1,
        final_resume_version_id=resume_version_id or task.resume_version_id,
    )


def reject(task: ReviewTask, reviewer_id: uuid.UUID, reason: str, now: datetime) -> ReviewTask:
    """Close the task without applying."""
    _check_open(task, reviewer_id, now)
    return dataclasses.replace(
        task, state=TaskState.REJECTED, closed_at=now, reject_reason=reason,
        revision=task.revision + 1,
    )


def _check_open(task: ReviewTask, reviewer_id: uuid.UUID, now: datetime) -> None:
    _check_holder(task, reviewer_id, {TaskState.ASSIGNED})
    # The timer may lag a little; a deadline that has passed is passed.
    if task.due_at is not None and now >= task.due_at:
        raise Refused("the deadline has passed")


def _check_holder(
    task: ReviewTask, reviewer_id: uuid.UUID, states: Collection[TaskState]
) -> None:
    if task.state not in states:
        raise Refused(f"task is {task.state}")
    if task.reviewer_id != reviewer_id:
        raise Refused("only the reviewer holding the task may act on it")

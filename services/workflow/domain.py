"""Review task rules: creation, assignment, who may close a task, and who is available."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from schemas.events.matching import ManualReviewRequired

# Fixed forever: task ids derive from it, so a redelivered decision maps to the same task.
TASK_NAMESPACE = uuid.UUID("5b0d3c8e-3f43-5c1f-9a55-7b1e9f0e2a61")
_NEVER = datetime.min.replace(tzinfo=UTC)


class TaskState(StrEnum):
    QUEUED = "queued"
    ASSIGNED = "assigned"
    COMPLETED = "completed"
    REJECTED = "rejected"


TERMINAL_STATES = frozenset({TaskState.COMPLETED, TaskState.REJECTED})


class Refused(Exception):
    """A transition the rules do not allow; the caller logs it and changes nothing."""


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
    state: TaskState = TaskState.QUEUED
    reviewer_id: uuid.UUID | None = None
    assigned_at: datetime | None = None
    due_at: datetime | None = None
    closed_at: datetime | None = None
    final_resume_version_id: uuid.UUID | None = None
    reject_reason: str | None = None


@dataclass(frozen=True)
class PresenceEntry:
    """What the gateway last wrote about one reviewer."""

    status: str
    heartbeat_at: datetime


def task_id_for(match_id: uuid.UUID) -> uuid.UUID:
    """The task of a match: deterministic, so one match never yields two tasks."""
    return uuid.uuid5(TASK_NAMESPACE, str(match_id))


def new_task(event: ManualReviewRequired, now: datetime) -> ReviewTask:
    """A queued task for a match in the review band."""
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
    )


def assign(task: ReviewTask, reviewer_id: uuid.UUID, now: datetime, sla: timedelta) -> ReviewTask:
    """Give a queued task to a reviewer; the deadline starts now."""
    if task.state is not TaskState.QUEUED:
        raise Refused(f"task is {task.state}, only a queued task can be assigned")
    return dataclasses.replace(
        task, state=TaskState.ASSIGNED, reviewer_id=reviewer_id, assigned_at=now, due_at=now + sla
    )


def complete(
    task: ReviewTask, reviewer_id: uuid.UUID, resume_version_id: uuid.UUID | None, now: datetime
) -> ReviewTask:
    """Close the task as approved, with the reviewer's resume version or the original."""
    _check_assignee(task, reviewer_id)
    return dataclasses.replace(
        task,
        state=TaskState.COMPLETED,
        closed_at=now,
        final_resume_version_id=resume_version_id or task.resume_version_id,
    )


def reject(task: ReviewTask, reviewer_id: uuid.UUID, reason: str, now: datetime) -> ReviewTask:
    """Close the task without applying."""
    _check_assignee(task, reviewer_id)
    return dataclasses.replace(task, state=TaskState.REJECTED, closed_at=now, reject_reason=reason)


def _check_assignee(task: ReviewTask, reviewer_id: uuid.UUID) -> None:
    # Deadlines are not enforced here yet: the SLA timers of a later issue revoke late tasks.
    if task.state is not TaskState.ASSIGNED:
        raise Refused(f"task is {task.state}, only an assigned task can be closed")
    if task.reviewer_id != reviewer_id:
        raise Refused("only the assigned reviewer may close the task")


def is_available(entry: PresenceEntry | None, now: datetime, ttl: timedelta) -> bool:
    """Available means said so, with a heartbeat recent enough to believe it."""
    return entry is not None and entry.status == "available" and now - entry.heartbeat_at <= ttl


def available_reviewers(
    presence: Mapping[uuid.UUID, PresenceEntry], now: datetime, ttl: timedelta
) -> set[uuid.UUID]:
    """Reviewers whose presence says they can take work now."""
    return {rid for rid, entry in presence.items() if is_available(entry, now, ttl)}


def choose_reviewer(
    available: Collection[uuid.UUID],
    busy: Collection[uuid.UUID],
    last_assigned: Mapping[uuid.UUID, datetime],
) -> list[uuid.UUID]:
    """Idle reviewers in the order to offer them work: longest without a task first.

    A reviewer who never had a task goes first; ties break on the id so the order is stable.
    """
    idle = [rid for rid in available if rid not in busy]
    return sorted(idle, key=lambda rid: (last_assigned.get(rid, _NEVER), str(rid)))

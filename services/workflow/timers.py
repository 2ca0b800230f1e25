"""The next SLA timer a task needs in its current state (pure; the store makes it durable)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.workflow.domain import ReviewTask, TaskState


class TimerKind(StrEnum):
    OFFER_EXPIRY = "offer_expiry"
    WARNING = "warning"
    DEADLINE = "deadline"


@dataclass(frozen=True)
class Timer:
    """Fire `kind` for `task_id` at `fire_at`, if the task is still at `revision`."""

    task_id: uuid.UUID
    kind: TimerKind
    fire_at: datetime
    revision: int


def next_timer(task: ReviewTask) -> Timer | None:
    """The one timer a task in this state must have pending (each fires the next)."""
    if task.state is TaskState.OFFERED and task.offer_expires_at is not None:
        return Timer(task.task_id, TimerKind.OFFER_EXPIRY, task.offer_expires_at, task.revision)
    if task.state is TaskState.ASSIGNED and task.due_at is not None:
        if task.warn_at is not None and not task.warned and task.warn_at < task.due_at:
            return Timer(task.task_id, TimerKind.WARNING, task.warn_at, task.revision)
        return Timer(task.task_id, TimerKind.DEADLINE, task.due_at, task.revision)
    return None


def is_current(timer: Timer, task: ReviewTask | None) -> bool:
    """A timer is acted on only if its task has not moved on since it was set."""
    return task is not None and task.revision == timer.revision

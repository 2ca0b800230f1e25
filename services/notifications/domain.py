"""The rules of notifying: who hears of an event, on which channels, with which message."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from schemas.events.applications import (
    ApplicationFailed,
    ApplicationNeedsReview,
    ApplicationSubmitted,
)
from schemas.events.envelope import EventData
from schemas.events.review import (
    ReviewerLocked,
    ReviewerStruck,
    ReviewTaskAssigned,
    ReviewTaskWarning,
)

Channel = Literal["in_app", "email", "webhook"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
Role = Literal["candidate", "reviewer", "supervisor"]

# Fixed namespace: the same event, recipient and channel always give the same notification id.
NOTIFICATION_NAMESPACE = uuid.UUID("6c1f6f0e-4b8a-4f7e-9a55-2a9d3c7e1b10")

# The events people are told about; every other event on these topics is knowingly ignored.
NOTIFIED: tuple[type[EventData], ...] = (
    ApplicationSubmitted, ApplicationFailed, ApplicationNeedsReview,
    ReviewTaskAssigned, ReviewTaskWarning, ReviewerStruck, ReviewerLocked,
)


# The reviewer dashboard already shows a new task live, so an in-app message would repeat it;
# these go only to the e-mail or webhook a person chose.
NOT_IN_APP = frozenset({"task_assigned"})


def notification_id(about_event_id: uuid.UUID, recipient_id: uuid.UUID,
                    channel: Channel) -> uuid.UUID:
    return uuid.uuid5(NOTIFICATION_NAMESPACE, f"{about_event_id}:{recipient_id}:{channel}")


@dataclass(frozen=True)
class Preferences:
    """A person's channels and addresses; without any, in-app only."""

    recipient_id: uuid.UUID
    channels: frozenset[Channel] = frozenset({"in_app"})
    email: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None

    def usable(self) -> list[Channel]:
        """The chosen channels that have what they need (an address, a URL and a secret)."""
        ready = {"in_app": True, "email": bool(self.email),
                 "webhook": bool(self.webhook_url and self.webhook_secret)}
        return [channel for channel in CHANNELS if channel in self.channels and ready[channel]]


@dataclass(frozen=True)
class Notice:
    """That one person should hear of one event, through the named template."""

    recipient_id: uuid.UUID
    role: Role
    template: str
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@dataclass(frozen=True)
class Message:
    """One message for one recipient on one channel, about one event."""

    notification_id: uuid.UUID
    recipient_id: uuid.UUID
    channel: Channel
    template: str
    subject: str
    body: str
    about_event_id: uuid.UUID


def job_label(job_id: uuid.UUID, title: str | None = None, company: str | None = None) -> str:
    """How a job is named in a message: its title and company when known, else its id."""
    if title and company:
        return f"{title} at {company}"
    return title or f"job {job_id}"


def notices_for(event: EventData, supervisors: Sequence[uuid.UUID]) -> list[Notice]:
    """Who hears of `event`, and through which template."""
    match event:
        case ApplicationSubmitted():
            return [Notice(event.candidate_id, "candidate", "application_submitted",
                           {"job": job_label(event.job_id), "confirmation": event.confirmation})]
        case ApplicationFailed():
            return [Notice(event.candidate_id, "candidate", "application_failed",
                           {"job": job_label(event.job_id), "reason": event.reason,
                            "retryable": "yes" if event.retryable else ""})]
        case ApplicationNeedsReview():
            return [Notice(event.candidate_id, "candidate", "application_needs_review",
                           {"job": job_label(event.job_id), "question": event.question})]
        case ReviewTaskAssigned():
            return [Notice(event.reviewer_id, "reviewer", "task_assigned",
                           {"job": job_label(event.job_id, event.job_title, event.company),
                            "due_at": event.due_at.isoformat(), "task_id": str(event.task_id)})]
        case ReviewTaskWarning():
            return [Notice(event.reviewer_id, "reviewer", "task_warning",
                           {"due_at": event.due_at.isoformat(), "task_id": str(event.task_id)})]
        case ReviewerStruck():
            values = {"reviewer_id": str(event.reviewer_id), "task_id": str(event.task_id),
                      "strikes": str(event.strikes)}
            return _with_supervisors(event.reviewer_id, "reviewer_struck", values, supervisors)
        case ReviewerLocked():
            values = {"reviewer_id": str(event.reviewer_id), "strikes": str(event.strikes)}
            return _with_supervisors(event.reviewer_id, "reviewer_locked", values, supervisors)
    return []


def _with_supervisors(reviewer: uuid.UUID, template: str, values: Mapping[str, str],
                      supervisors: Sequence[uuid.UUID]) -> list[Notice]:
    notices = [Notice(reviewer, "reviewer", template, values)]
    notices += [Notice(s, "supervisor", template, values) for s in supervisors if s != reviewer]
    return notices


def messages_for(
    notice: Notice, preferences: Preferences, about_event_id: uuid.UUID,
    render: Callable[[str, Mapping[str, str]], Rendered],
) -> list[Message]:
    """The messages of one notice on each channel its recipient uses."""
    rendered = render(notice.template, {**notice.values, "role": notice.role})
    return [
        Message(notification_id(about_event_id, notice.recipient_id, channel),
                notice.recipient_id, channel, notice.template, rendered.subject, rendered.body,
                about_event_id)
        for channel in preferences.usable()
        if not (channel == "in_app" and notice.template in NOT_IN_APP)
    ]

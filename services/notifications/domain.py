"""The rules of notifying: who hears of an event, on which channels, with which message."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args

from schemas.events.applications import (
    ApplicationFailed,
    ApplicationNeedsReview,
    ApplicationSubmitted,
    PortalSessionNeeded,
)
from schemas.events.envelope import EventData
from schemas.events.recruiting import CandidateStatusChanged, NoteMentioned
from schemas.events.review import (
    ReviewerLocked,
    ReviewerStruck,
    ReviewTaskAssigned,
    ReviewTaskWarning,
)
from services.notifications.calendar import Invite, Method, ics

Channel = Literal["in_app", "email", "webhook", "sms"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
Role = Literal["candidate", "reviewer", "supervisor", "operator", "employer", "interviewer"]

# Fixed namespace: the same event, recipient and channel always give the same notification id.
NOTIFICATION_NAMESPACE = uuid.UUID("6c1f6f0e-4b8a-4f7e-9a55-2a9d3c7e1b10")

# The events people are told about; every other event on these topics is knowingly ignored.
NOTIFIED: tuple[type[EventData], ...] = (
    ApplicationSubmitted, ApplicationFailed, ApplicationNeedsReview, PortalSessionNeeded,
    ReviewTaskAssigned, ReviewTaskWarning, ReviewerStruck, ReviewerLocked,
    CandidateStatusChanged, NoteMentioned,
)


# A phone number as SMS providers take it: E.164, a plus, the country code and the number.
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
E164_HELP = "E.164 form: a plus, the country code, then the number, no spaces (+447700900123)"
# Two concatenated segments of GSM-7: long enough for a subject and a reference, cheap to send.
SMS_MAX_CHARS = 306


def is_e164(number: str) -> bool:
    return E164.match(number) is not None


def sms_text(subject: str, notification_id: uuid.UUID) -> str:
    """A text message: the subject, cut to fit, and a reference unique to the notification.

    The reference also lets the SMS sender recognise a message it sent before (the provider
    has no idempotency key), so two notifications with the same subject never look alike.
    """
    reference = f" (ref {notification_id.hex[:10]})"
    room = SMS_MAX_CHARS - len("JAMS: ") - len(reference)
    cut = subject if len(subject) <= room else subject[:room - 3].rstrip() + "..."
    return f"JAMS: {cut}{reference}"


# The reviewer dashboard already shows a new task live, so an in-app message would repeat it;
# these go only to the e-mail, webhook or phone a person chose.
NOT_IN_APP = frozenset({"task_assigned"})

# High-volume news that a person may take as one digest per interval instead of one message
# each (their `digest_interval_s`); everything else is too urgent to hold back.
DIGESTIBLE = frozenset({"application_submitted"})


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
    digest_interval_s: int | None = None  # None: every message at once
    phone: str | None = None  # E.164, for the sms channel

    def digests(self, template: str) -> bool:
        """Whether messages of `template` wait for this person's next digest."""
        return bool(self.digest_interval_s) and template in DIGESTIBLE

    def usable(self) -> list[Channel]:
        """The chosen channels that have what they need (an address, a URL and a secret, a
        valid phone number)."""
        ready = {"in_app": True, "email": bool(self.email),
                 "webhook": bool(self.webhook_url and self.webhook_secret),
                 "sms": bool(self.phone and is_e164(self.phone))}
        return [channel for channel in CHANNELS if channel in self.channels and ready[channel]]


@dataclass(frozen=True)
class Notice:
    """That one person should hear of one event, through the named template."""

    recipient_id: uuid.UUID
    role: Role
    template: str
    values: Mapping[str, str] = field(default_factory=dict)
    invite: Invite | None = None  # sent as an .ics with the e-mail


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
    calendar: str | None = None  # the .ics of an e-mail
    calendar_method: Method | None = None


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
        case PortalSessionNeeded():
            return [Notice(event.candidate_id, "candidate", "portal_session_needed",
                           {"job": job_label(event.job_id), "portal": event.portal,
                            "candidate": str(event.candidate_id),
                            "expired": "yes" if event.expired else "",
                            "wait_until": event.wait_until.isoformat(timespec="minutes")})]
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
        case CandidateStatusChanged(status="shortlisted"):
            # Good news only: the other steps of an employer's pipeline are theirs to tell.
            return [Notice(event.candidate_id, "candidate", "candidate_shortlisted",
                           {"job": job_label(event.job_id, event.job_title)})]
        case NoteMentioned():
            # Ids only: the note's text stays with the company's other notes in recruiting.
            values = {"job": job_label(event.job_id, event.job_title),
                      "candidate": str(event.candidate_id), "note_id": str(event.note_id)}
            return [Notice(user, "employer", "note_mentioned", values)
                    for user in dict.fromkeys(event.mentioned) if user != event.author_id]
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
                about_event_id, *_calendar(notice, channel, preferences))
        for channel in preferences.usable()
        if not (channel == "in_app" and notice.template in NOT_IN_APP)
    ]


def _calendar(notice: Notice, channel: Channel,
              preferences: Preferences) -> tuple[str | None, Method | None]:
    """An e-mail's invitation, addressed to its recipient."""
    if notice.invite is None or channel != "email" or not preferences.email:
        return None, None
    return ics(notice.invite, preferences.email), notice.invite.method


# --- quiet digests --------------------------------------------------------------------------

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DIGEST_TEMPLATE = "digest"


def digest_window(now: datetime, interval_s: int) -> tuple[datetime, datetime]:
    """The window `now` falls in: fixed slots of `interval_s` from the epoch, so every replica
    and every restart agrees on them."""
    if interval_s <= 0:
        raise ValueError("a digest interval is a positive number of seconds")
    slot = int((now - EPOCH).total_seconds()) // interval_s
    start = EPOCH + timedelta(seconds=slot * interval_s)
    return start, start + timedelta(seconds=interval_s)


def digest_id(recipient_id: uuid.UUID, window_start: datetime) -> uuid.UUID:
    """The one digest of a person's window: what its messages are "about"."""
    return uuid.uuid5(NOTIFICATION_NAMESPACE, f"digest:{recipient_id}:{window_start.isoformat()}")


def digest_notice(recipient_id: uuid.UUID, lines: Sequence[str],
                  window: tuple[datetime, datetime]) -> Notice:
    """One message standing for every held-back line of a window."""
    return Notice(recipient_id, "candidate", DIGEST_TEMPLATE, {
        "count": str(len(lines)), "items": "\n".join(f"- {line}" for line in lines),
        "since": window[0].isoformat(), "until": window[1].isoformat()})


# --- dead-letter growth -----------------------------------------------------------------------

DLQ_TEMPLATE = "dlq_growth"


def dlq_notices(operators: Sequence[uuid.UUID], topic: str, size: int,
                growth: int, window_s: float) -> list[Notice]:
    """Every operator hears of a growth episode of one dead-letter topic."""
    values = {"topic": topic, "size": str(size), "growth": str(growth),
              "window_min": f"{window_s / 60:g}"}
    return [Notice(operator, "operator", DLQ_TEMPLATE, values) for operator in operators]

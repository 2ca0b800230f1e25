"""The rules of notifying: which message an event becomes, and its deterministic id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from string import Formatter
from typing import Literal

Channel = Literal["in_app", "email", "webhook"]

# Fixed namespace: the same event and channel always give the same notification id.
NOTIFICATION_NAMESPACE = uuid.UUID("6c1f6f0e-4b8a-4f7e-9a55-2a9d3c7e1b10")

TEMPLATES: dict[str, str] = {
    "application_submitted": "Applied to {job} for you",
}


class UnknownTemplate(KeyError):
    """A template name nobody wrote."""


@dataclass(frozen=True)
class Message:
    """One message for one recipient on one channel, about one event."""

    notification_id: uuid.UUID
    recipient_id: uuid.UUID
    channel: Channel
    template: str
    body: str
    about_event_id: uuid.UUID


def notification_id(about_event_id: uuid.UUID, channel: Channel) -> uuid.UUID:
    return uuid.uuid5(NOTIFICATION_NAMESPACE, f"{about_event_id}:{channel}")


def render(template: str, **values: str) -> str:
    """Fill a named template; every placeholder must be given (a missing one is a bug)."""
    try:
        text = TEMPLATES[template]
    except KeyError:
        raise UnknownTemplate(template) from None
    wanted = {name for _, name, _, _ in Formatter().parse(text) if name}
    if missing := wanted - values.keys():
        raise ValueError(f"template {template!r} needs {sorted(missing)}")
    return text.format(**{name: values[name] for name in wanted})


def job_label(job_id: uuid.UUID, title: str | None = None, company: str | None = None) -> str:
    """How a job is named in a message: its title and company when known, else its id."""
    if title and company:
        return f"{title} at {company}"
    return title or f"job {job_id}"


def application_submitted_message(
    about_event_id: uuid.UUID, candidate_id: uuid.UUID, job_id: uuid.UUID
) -> Message:
    """The in-app message telling a candidate an application was sent for them."""
    template = "application_submitted"
    return Message(
        notification_id=notification_id(about_event_id, "in_app"),
        recipient_id=candidate_id,
        channel="in_app",
        template=template,
        body=render(template, job=job_label(job_id)),
        about_event_id=about_event_id,
    )

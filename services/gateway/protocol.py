"""The reviewer WebSocket protocol: what clients may send, and what the gateway sends back."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from schemas.events.notifications import NotificationDelivered
from schemas.events.review import (
    ReviewTaskAssigned,
    ReviewTaskJobChanged,
    ReviewTaskOffered,
    ReviewTaskWarning,
)

MAX_MESSAGE_CHARS = 16_384


class _ClientMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Heartbeat(_ClientMessage):
    """The page is still open and its reviewer still there."""

    type: Literal["heartbeat"]


class Complete(_ClientMessage):
    """Approve applying, optionally with a tailored resume version."""

    type: Literal["complete"]
    task_id: uuid.UUID
    resume_version_id: uuid.UUID | None = None


class Accept(_ClientMessage):
    """Take the offered task; its SLA starts now."""

    type: Literal["accept"]
    task_id: uuid.UUID


class HandBack(_ClientMessage):
    """Give the task to someone else (free before the warning)."""

    type: Literal["hand_back"]
    task_id: uuid.UUID


class SetStatus(_ClientMessage):
    """Go available or step away."""

    type: Literal["status"]
    status: Literal["available", "away"]


class Reject(_ClientMessage):
    """Decline applying."""

    type: Literal["reject"]
    task_id: uuid.UUID
    reason: str = Field(default="", max_length=2000)


Message = Heartbeat | Accept | Complete | Reject | HandBack | SetStatus
ClientMessage = Annotated[Message, Field(discriminator="type")]
_CLIENT_MESSAGE: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)


class BadMessage(ValueError):
    """A client message that cannot be understood; its text is safe to send back."""


def parse(text: str | None) -> Message:
    """A validated client message, or BadMessage saying what is wrong (never echoing input)."""
    if text is None:
        raise BadMessage("messages must be JSON text frames")
    if len(text) > MAX_MESSAGE_CHARS:
        raise BadMessage(f"message longer than {MAX_MESSAGE_CHARS} characters")
    try:
        return _CLIENT_MESSAGE.validate_json(text)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "message"
        raise BadMessage(f"invalid message: {where}: {first['msg']}") from None


def error(message: str) -> dict[str, Any]:
    return {"type": "error", "message": message}


def ack(of: str, task_id: uuid.UUID | None = None) -> dict[str, Any]:
    reply: dict[str, Any] = {"type": "ack", "of": of}
    if task_id is not None:
        reply["task_id"] = str(task_id)
    return reply


def task_offered(event: ReviewTaskOffered, resume_text: str | None = None) -> dict[str, Any]:
    """The offer with everything the task panel shows; `resume_text` prefills the editor."""
    return {"type": "task_offered", "state": "offered", **event.model_dump(mode="json"),
            "resume_text": resume_text}


def task_assigned(event: ReviewTaskAssigned, resume_text: str | None = None) -> dict[str, Any]:
    return {"type": "task_assigned", "state": "assigned", **event.model_dump(mode="json"),
            "resume_text": resume_text}


def job_changed(event: ReviewTaskJobChanged) -> dict[str, Any]:
    """What changes on a task card when its job was edited."""
    return {"job_title": event.job_title, "apply_url": event.apply_url,
            "job_changes": event.job_changes}


def notification(event: NotificationDelivered) -> dict[str, Any]:
    """An in-app message for the person whose page is open."""
    return {"type": "notification", "notification_id": str(event.notification_id),
            "template": event.template, "subject": event.subject or "", "body": event.body or ""}


def task_warning(event: ReviewTaskWarning) -> dict[str, Any]:
    return {"type": "task_warning", **event.model_dump(mode="json")}


def reviewer_update(**fields: Any) -> dict[str, Any]:
    """Something about the reviewer themself: status, strikes, lock."""
    return {"type": "reviewer", **fields}


def task_closed(task_id: uuid.UUID, outcome: str) -> dict[str, Any]:
    return {"type": "task_closed", "task_id": str(task_id), "outcome": outcome}

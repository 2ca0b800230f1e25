"""Delivery records of notifications."""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import Field

from schemas.events import topics
from schemas.events.envelope import EventData


class NotificationDelivered(EventData):
    """A message reached its recipient's channel."""

    TYPE: ClassVar[str] = "jams.notifications.NotificationDelivered"
    TOPIC: ClassVar[str] = topics.NOTIFICATIONS
    KEY_FIELD: ClassVar[str] = "recipient_id"
    DESCRIPTION: ClassVar[str] = "A notification was delivered (in-app, email, webhook or SMS)."

    notification_id: uuid.UUID
    recipient_id: uuid.UUID
    channel: Literal["in_app", "email", "webhook", "sms"]
    template: str
    about_event_id: uuid.UUID
    subject: str | None = Field(
        default=None, max_length=500,
        description="In-app messages only: what the recipient's open dashboard shows at once")
    body: str | None = Field(default=None, max_length=20_000,
                             description="In-app messages only: the message text")

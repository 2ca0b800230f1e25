"""What notifications does on each event: a message per recipient and channel, once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import structlog

from infra.uow import Transaction
from schemas.events.envelope import EventData
from schemas.events.notifications import NotificationDelivered
from services.notifications import repository
from services.notifications.domain import Message, Preferences, messages_for, notices_for
from services.notifications.templates import Templates

log = structlog.get_logger(__name__)


class NotifyHandler:
    """One handler for every notified event type: notices, preferences, messages."""

    def __init__(self, templates: Templates, supervisors: Sequence[uuid.UUID]) -> None:
        self._templates = templates
        self._supervisors = tuple(supervisors)

    async def __call__(self, event: EventData, tx: Transaction) -> None:
        assert tx.cause is not None, "handlers run inside UnitOfWork.handling, which sets it"
        now = tx.clock.now()
        for notice in notices_for(event, self._supervisors):
            prefs = await repository.preferences(tx.conn, notice.recipient_id)
            for message in messages_for(notice, prefs, tx.cause.id, self._templates.render):
                if not await repository.store(tx.conn, message, now):
                    continue  # told before: a redelivery under another group, or a replay
                if message.channel == "in_app":
                    tx.emit(delivered(message))
                else:
                    await repository.enqueue(tx.conn, message, payload_of(message, prefs), now)
                # Ids only: addresses and message text are personal data and stay out of logs.
                log.info("notification queued", notification_id=str(message.notification_id),
                         channel=message.channel, template=message.template)


def delivered(message: Message) -> NotificationDelivered:
    return NotificationDelivered(
        notification_id=message.notification_id, recipient_id=message.recipient_id,
        channel=message.channel, template=message.template,
        about_event_id=message.about_event_id)


def payload_of(message: Message, prefs: Preferences) -> dict[str, Any]:
    """What the delivery loop sends; the webhook secret is read at send time, never stored."""
    common = {"notification_id": str(message.notification_id), "subject": message.subject,
              "body": message.body}
    if message.channel == "email":
        return {**common, "to": prefs.email}
    return {"notification_id": str(message.notification_id), "url": prefs.webhook_url,
            "message": {**common, "template": message.template,
                        "recipient_id": str(message.recipient_id),
                        "about_event_id": str(message.about_event_id)}}

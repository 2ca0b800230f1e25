"""Posting one message: kept once, then shown in-app at once or queued for the delivery loop."""

from __future__ import annotations

from typing import Any

import structlog

from infra.uow import Transaction
from schemas.events.notifications import NotificationDelivered
from services.notifications import repository
from services.notifications.domain import Message, Preferences, sms_text

log = structlog.get_logger(__name__)


async def post(tx: Transaction, message: Message, prefs: Preferences) -> bool:
    """Keep and send `message` in the caller's transaction; False if it was posted before."""
    if not await repository.store(tx.conn, message, tx.clock.now()):
        return False  # told before: a redelivery under another group, or a replay
    if message.channel == "in_app":
        # The gateway pushes it to the recipient's open pages; the inbox row is the record.
        tx.emit(delivered(message, with_text=True))
    else:
        await repository.enqueue(tx.conn, message, payload_of(message, prefs), tx.clock.now())
    # Ids only: addresses and message text are personal data and stay out of logs.
    log.info("notification queued", notification_id=str(message.notification_id),
             channel=message.channel, template=message.template)
    return True


def delivered(message: Message, *, with_text: bool = False) -> NotificationDelivered:
    return NotificationDelivered(
        notification_id=message.notification_id, recipient_id=message.recipient_id,
        channel=message.channel, template=message.template,
        about_event_id=message.about_event_id,
        subject=message.subject if with_text else None,
        body=message.body if with_text else None)


def payload_of(message: Message, prefs: Preferences) -> dict[str, Any]:
    """What the delivery loop sends; the webhook secret is read at send time, never stored."""
    common = {"notification_id": str(message.notification_id), "subject": message.subject,
              "body": message.body}
    if message.channel == "email":
        invite = ({"calendar": message.calendar, "calendar_method": message.calendar_method}
                  if message.calendar else {})
        return {**common, "to": prefs.email, **invite}
    if message.channel == "sms":
        return {"notification_id": str(message.notification_id), "to": prefs.phone,
                "body": sms_text(message.subject, message.notification_id)}
    return {"notification_id": str(message.notification_id), "url": prefs.webhook_url,
            "message": {**common, "template": message.template,
                        "recipient_id": str(message.recipient_id),
                        "about_event_id": str(message.about_event_id)}}

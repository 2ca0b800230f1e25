"""What notifications does on each event: one in-app message per submitted application."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert

from infra.uow import Transaction
from schemas.events.applications import ApplicationSubmitted
from schemas.events.notifications import NotificationDelivered
from services.notifications.domain import Message, application_submitted_message
from services.notifications.tables import notifications


async def on_application_submitted(event: ApplicationSubmitted, tx: Transaction) -> None:
    """Tell the candidate; `tx.cause` is the envelope, whose id names the message."""
    assert tx.cause is not None, "handlers run inside UnitOfWork.handling, which sets the cause"
    message = application_submitted_message(tx.cause.id, event.candidate_id, event.job_id)
    if await _store(tx, message):
        tx.emit(NotificationDelivered(
            notification_id=message.notification_id, recipient_id=message.recipient_id,
            channel=message.channel, template=message.template,
            about_event_id=message.about_event_id,
        ))


async def _store(tx: Transaction, message: Message) -> bool:
    """Keep the message; False if it was kept before (the unique key, beyond the inbox)."""
    result = await tx.conn.execute(
        insert(notifications)
        .values(notification_id=message.notification_id, about_event_id=message.about_event_id,
                recipient_id=message.recipient_id, channel=message.channel,
                template=message.template, body=message.body, created_at=tx.clock.now())
        .on_conflict_do_nothing()
        .returning(notifications.c.notification_id)
    )
    return result.first() is not None

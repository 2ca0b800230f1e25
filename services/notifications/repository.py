"""Reading and writing the notification tables; every function runs in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifications.domain import CHANNELS, Message, Preferences
from services.notifications.tables import (
    notification_deliveries,
    notification_preferences,
    notifications,
)


async def preferences(conn: AsyncConnection, recipient_id: uuid.UUID) -> Preferences:
    row = (await conn.execute(sa.select(notification_preferences).where(
        notification_preferences.c.recipient_id == recipient_id))).mappings().first()
    if row is None:
        return Preferences(recipient_id)
    return Preferences(
        recipient_id, frozenset(c for c in CHANNELS if c in row["channels"]), row["email"],
        row["webhook_url"], row["webhook_secret"])


async def set_preferences(conn: AsyncConnection, prefs: Preferences, now: datetime) -> None:
    values = {"channels": sorted(prefs.channels), "email": prefs.email,
              "webhook_url": prefs.webhook_url, "webhook_secret": prefs.webhook_secret,
              "updated_at": now}
    await conn.execute(insert(notification_preferences)
                       .values(recipient_id=prefs.recipient_id, **values)
                       .on_conflict_do_update(index_elements=["recipient_id"], set_=values))


async def store(conn: AsyncConnection, message: Message, now: datetime) -> bool:
    """Keep the message; False if it was kept before (the unique key, beyond the inbox)."""
    result = await conn.execute(
        insert(notifications)
        .values(notification_id=message.notification_id, about_event_id=message.about_event_id,
                recipient_id=message.recipient_id, channel=message.channel,
                template=message.template, body=message.body, created_at=now)
        .on_conflict_do_nothing()
        .returning(notifications.c.notification_id)
    )
    return result.first() is not None


async def enqueue(conn: AsyncConnection, message: Message, payload: dict[str, Any],
                  now: datetime) -> None:
    """An e-mail or webhook to send, due now."""
    await conn.execute(insert(notification_deliveries).values(
        notification_id=message.notification_id, recipient_id=message.recipient_id,
        channel=message.channel, template=message.template,
        about_event_id=message.about_event_id, payload=payload, status="pending",
        attempts=0, next_attempt_at=now, created_at=now,
    ).on_conflict_do_nothing())


async def due(conn: AsyncConnection, now: datetime, limit: int) -> list[uuid.UUID]:
    rows = await conn.execute(
        sa.select(notification_deliveries.c.notification_id)
        .where(notification_deliveries.c.status == "pending",
               notification_deliveries.c.next_attempt_at <= now)
        .order_by(notification_deliveries.c.next_attempt_at).limit(limit))
    return list(rows.scalars())


async def claim(conn: AsyncConnection, notification_id: uuid.UUID) -> dict[str, Any] | None:
    """The pending delivery, locked for this transaction; None if done or someone has it."""
    row = (await conn.execute(
        sa.select(notification_deliveries)
        .where(notification_deliveries.c.notification_id == notification_id,
               notification_deliveries.c.status == "pending")
        .with_for_update(skip_locked=True))).mappings().first()
    return None if row is None else dict(row)


async def settle(conn: AsyncConnection, notification_id: uuid.UUID, **values: Any) -> None:
    await conn.execute(notification_deliveries.update()
                       .where(notification_deliveries.c.notification_id == notification_id)
                       .values(**values))


async def dead_letters(conn: AsyncConnection) -> list[dict[str, Any]]:
    """Deliveries that kept failing, for operators (no addresses or bodies)."""
    rows = await conn.execute(
        sa.select(notification_deliveries.c.notification_id, notification_deliveries.c.channel,
                  notification_deliveries.c.template, notification_deliveries.c.attempts,
                  notification_deliveries.c.last_error,
                  notification_deliveries.c.about_event_id)
        .where(notification_deliveries.c.status == "dead"))
    return [dict(r) for r in rows.mappings()]

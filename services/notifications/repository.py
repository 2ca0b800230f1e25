"""Reading and writing the notification tables; every function runs in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifications.dlq_growth import WatchState
from services.notifications.domain import CHANNELS, Message, Preferences
from services.notifications.tables import (
    notification_deliveries,
    notification_digest_items,
    notification_digests,
    notification_dlq_watch,
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
        row["webhook_url"], row["webhook_secret"], row["digest_interval_s"], row["phone"])


async def set_preferences(conn: AsyncConnection, prefs: Preferences, now: datetime, *,
                          replace: bool = True) -> None:
    """Store `prefs`; with `replace` off, a person's existing choice is kept."""
    values = {"channels": sorted(prefs.channels), "email": prefs.email,
              "webhook_url": prefs.webhook_url, "webhook_secret": prefs.webhook_secret,
              "digest_interval_s": prefs.digest_interval_s, "phone": prefs.phone,
              "updated_at": now}
    statement = insert(notification_preferences).values(recipient_id=prefs.recipient_id,
                                                        **values)
    await conn.execute(
        statement.on_conflict_do_update(index_elements=["recipient_id"], set_=values)
        if replace else statement.on_conflict_do_nothing(index_elements=["recipient_id"]))


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
    """An e-mail, webhook or text message to send, due now."""
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


# --- quiet digests --------------------------------------------------------------------------

async def hold_for_digest(conn: AsyncConnection, about_event_id: uuid.UUID,
                          recipient_id: uuid.UUID, template: str, line: str,
                          window: tuple[datetime, datetime], now: datetime) -> bool:
    """Keep one line for the recipient's digest; False if this event was held before."""
    result = await conn.execute(
        insert(notification_digest_items)
        .values(about_event_id=about_event_id, recipient_id=recipient_id, template=template,
                line=line, window_start=window[0], window_end=window[1], created_at=now)
        .on_conflict_do_nothing()
        .returning(notification_digest_items.c.about_event_id))
    return result.first() is not None


async def due_digests(conn: AsyncConnection, now: datetime,
                      limit: int) -> list[tuple[uuid.UUID, datetime]]:
    """(recipient, window start) of windows that have ended with lines still unsent."""
    items = notification_digest_items.c
    rows = await conn.execute(
        sa.select(items.recipient_id, items.window_start)
        .where(items.digest_id.is_(None), items.window_end <= now)
        .group_by(items.recipient_id, items.window_start)
        .order_by(items.window_start).limit(limit))
    return [(row.recipient_id, row.window_start) for row in rows]


async def claim_digest_items(conn: AsyncConnection, recipient_id: uuid.UUID,
                             window_start: datetime) -> list[dict[str, Any]]:
    """The window's unsent lines, locked for this transaction (SKIP LOCKED: another loop
    sending this digest right now leaves nothing here)."""
    items = notification_digest_items.c
    rows = await conn.execute(
        sa.select(notification_digest_items)
        .where(items.recipient_id == recipient_id, items.window_start == window_start,
               items.digest_id.is_(None))
        .order_by(items.created_at, items.about_event_id)
        .with_for_update(skip_locked=True))
    return [dict(row) for row in rows.mappings()]


async def record_digest(conn: AsyncConnection, recipient_id: uuid.UUID, window_start: datetime,
                        digest_id: uuid.UUID, count: int, now: datetime) -> bool:
    """Mark the window's digest as sent; False if it was sent before (by anyone)."""
    result = await conn.execute(
        insert(notification_digests)
        .values(recipient_id=recipient_id, window_start=window_start, digest_id=digest_id,
                item_count=count, sent_at=now)
        .on_conflict_do_nothing()
        .returning(notification_digests.c.digest_id))
    return result.first() is not None


async def mark_digested(conn: AsyncConnection, about_event_ids: list[uuid.UUID],
                        recipient_id: uuid.UUID, digest_id: uuid.UUID) -> None:
    items = notification_digest_items.c
    await conn.execute(notification_digest_items.update()
                       .where(items.recipient_id == recipient_id,
                              items.about_event_id.in_(about_event_ids))
                       .values(digest_id=digest_id))


async def move_to_window(conn: AsyncConnection, about_event_ids: list[uuid.UUID],
                         recipient_id: uuid.UUID, window: tuple[datetime, datetime]) -> None:
    """Lines that missed their window's digest wait for a later one."""
    items = notification_digest_items.c
    await conn.execute(notification_digest_items.update()
                       .where(items.recipient_id == recipient_id,
                              items.about_event_id.in_(about_event_ids))
                       .values(window_start=window[0], window_end=window[1]))


# --- dead-letter watch ------------------------------------------------------------------------

async def lock_watch(conn: AsyncConnection, topic: str, now: datetime) -> WatchState:
    """The topic's watch state, row-locked (created on first sight), so replicas take turns."""
    await conn.execute(insert(notification_dlq_watch).values(topic=topic, checked_at=now)
                       .on_conflict_do_nothing())
    row = (await conn.execute(sa.select(notification_dlq_watch)
                              .where(notification_dlq_watch.c.topic == topic)
                              .with_for_update())).mappings().one()
    return WatchState(
        topic=topic, last_size=row["last_size"], baseline=row["baseline"],
        samples=tuple((datetime.fromisoformat(at), int(size)) for at, size in row["samples"]),
        last_growth_at=row["last_growth_at"], episode_id=row["episode_id"],
        episode_started_at=row["episode_started_at"])


async def save_watch(conn: AsyncConnection, state: WatchState, now: datetime) -> None:
    await conn.execute(notification_dlq_watch.update()
                       .where(notification_dlq_watch.c.topic == state.topic)
                       .values(last_size=state.last_size, baseline=state.baseline,
                               samples=[[at.isoformat(), size] for at, size in state.samples],
                               last_growth_at=state.last_growth_at,
                               episode_id=state.episode_id,
                               episode_started_at=state.episode_started_at, checked_at=now))

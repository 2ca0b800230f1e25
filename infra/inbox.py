"""Inbox: the event ids each consumer group has already applied, so redelivery is harmless."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.db import metadata

inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("consumer_group", sa.Text, primary_key=True),
    sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
)


async def claim_event(
    conn: AsyncConnection, group: str, event_id: uuid.UUID, now: datetime
) -> bool:
    """Record `event_id` as processed by `group` in the caller's transaction.

    False when it was processed before: the caller must then do nothing. A concurrent
    claim of the same id blocks on the primary key until the first transaction ends.
    """
    result = await conn.execute(
        insert(inbox)
        .values(consumer_group=group, event_id=event_id, processed_at=now)
        .on_conflict_do_nothing()
        .returning(inbox.c.event_id)
    )
    return result.first() is not None

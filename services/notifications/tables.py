"""Tables of the notifications service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from infra.db import metadata

# One row per message; unique on (event, channel) so a redelivered event adds nothing.
notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("notification_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("about_event_id", UUID(as_uuid=True), nullable=False),
    sa.Column("recipient_id", UUID(as_uuid=True), nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("template", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("read_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("about_event_id", "channel"),
    sa.Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
)

"""Tables of the notifications service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from infra.db import metadata

# One row per message; unique on (event, recipient, channel) so a redelivered event adds nothing.
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
    sa.UniqueConstraint("about_event_id", "recipient_id", "channel"),
    sa.Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
)

# Each person's channels and addresses; a person without a row gets in-app messages only.
notification_preferences = sa.Table(
    "notification_preferences",
    metadata,
    sa.Column("recipient_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("channels", ARRAY(sa.Text), nullable=False, server_default="{in_app}"),
    sa.Column("email", sa.Text),
    sa.Column("webhook_url", sa.Text),
    sa.Column("webhook_secret", sa.Text),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# Outgoing e-mails and webhooks: sent by the delivery loop, retried with backoff; `dead` rows
# are the dead-letter queue of deliveries that kept failing.
notification_deliveries = sa.Table(
    "notification_deliveries",
    metadata,
    sa.Column("notification_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("recipient_id", UUID(as_uuid=True), nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("template", sa.Text, nullable=False),
    sa.Column("about_event_id", UUID(as_uuid=True), nullable=False),
    sa.Column("payload", JSONB, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint("status IN ('pending', 'delivered', 'dead')",
                       name="status"),
    sa.Index("ix_notification_deliveries_due", "status", "next_attempt_at"),
)

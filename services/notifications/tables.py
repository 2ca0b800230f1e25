"""Tables of the notifications service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from infra.columns import counter, created_at, table, updated_at, uuid_key

# One row per message; unique on (event, recipient, channel) so a redelivered event adds nothing.
notifications = table(
    "notifications",
    uuid_key("notification_id"),
    sa.Column("about_event_id", UUID(as_uuid=True), nullable=False),
    sa.Column("recipient_id", UUID(as_uuid=True), nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("template", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    created_at(),
    sa.Column("read_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("about_event_id", "recipient_id", "channel"),
    sa.Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
)

# Each person's channels and addresses; a person without a row gets in-app messages only.
notification_preferences = table(
    "notification_preferences",
    uuid_key("recipient_id"),
    sa.Column("channels", ARRAY(sa.Text), nullable=False, server_default="{in_app}"),
    sa.Column("email", sa.Text),
    sa.Column("webhook_url", sa.Text),
    sa.Column("webhook_secret", sa.Text),
    updated_at(),
    # Seconds between quiet digests of high-volume news; NULL: every message at once.
    sa.Column("digest_interval_s", sa.Integer),
    sa.CheckConstraint("digest_interval_s IS NULL OR digest_interval_s > 0",
                       name="digest_interval_positive"),
    # E.164, checked before it is stored; the sms channel's number.
    sa.Column("phone", sa.Text),
)

# Outgoing e-mails, webhooks and text messages: sent by the delivery loop, retried with backoff;
# `dead` rows are the dead-letter queue of deliveries that kept failing.
notification_deliveries = table(
    "notification_deliveries",
    uuid_key("notification_id"),
    sa.Column("recipient_id", UUID(as_uuid=True), nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("template", sa.Text, nullable=False),
    sa.Column("about_event_id", UUID(as_uuid=True), nullable=False),
    sa.Column("payload", JSONB, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    counter("attempts"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_error", sa.Text),
    created_at(),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint("status IN ('pending', 'delivered', 'dead')",
                       name="status"),
    sa.Index("ix_notification_deliveries_due", "status", "next_attempt_at"),
)

# Messages held back for a person's digest: one row per (event, recipient), so a redelivery
# adds nothing; `digest_id` is set in the transaction that sends the digest.
notification_digest_items = table(
    "notification_digest_items",
    uuid_key("about_event_id"),
    uuid_key("recipient_id"),
    sa.Column("template", sa.Text, nullable=False),
    sa.Column("line", sa.Text, nullable=False),
    sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
    sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
    created_at(),
    sa.Column("digest_id", UUID(as_uuid=True)),
    sa.Index("ix_notification_digest_items_due", "window_end",
             postgresql_where=sa.text("digest_id IS NULL")),
)

# One row per digest sent: the referee that makes each (person, window) digest go out once.
notification_digests = table(
    "notification_digests",
    uuid_key("recipient_id"),
    sa.Column("window_start", sa.DateTime(timezone=True), primary_key=True),
    sa.Column("digest_id", UUID(as_uuid=True), nullable=False),
    sa.Column("item_count", sa.Integer, nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
)

# What the dead-letter watch remembers of each dead-letter topic between checks.
notification_dlq_watch = table(
    "notification_dlq_watch",
    sa.Column("topic", sa.Text, primary_key=True),
    counter("last_size"),
    counter("baseline"),
    sa.Column("samples", JSONB, nullable=False, server_default="[]"),
    sa.Column("last_growth_at", sa.DateTime(timezone=True)),
    sa.Column("episode_id", UUID(as_uuid=True)),
    sa.Column("episode_started_at", sa.DateTime(timezone=True)),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
)

# Reminders of interviews, one row per (interview, lead time) at the newest sequence seen;
# `settled_at` is set once it was sent, or once it no longer should be (the interview was
# cancelled, or moved too close for this lead).
notification_interview_reminders = table(
    "notification_interview_reminders",
    uuid_key("interview_id"),
    sa.Column("lead_s", sa.Integer, primary_key=True),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False),
    sa.Column("recipient_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
    # The message's values: job, time, place; no addresses.
    sa.Column("details", JSONB, nullable=False),
    sa.Column("settled_at", sa.DateTime(timezone=True)),
    sa.Index("ix_notification_interview_reminders_due", "due_at",
             postgresql_where=sa.text("settled_at IS NULL")),
    sa.Index("ix_notification_interview_reminders_candidate_id", "candidate_id"),
)

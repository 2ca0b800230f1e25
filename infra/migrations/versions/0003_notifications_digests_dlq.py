"""notifications: quiet digests (per-person interval, held items, sent digests); dead-letter watch

Revision ID: 0003_notifications_digests_dlq
Revises: 0002_notifications
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_notifications_digests_dlq"
down_revision = "0002_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notification_preferences", sa.Column("digest_interval_s", sa.Integer()))
    op.create_check_constraint(op.f("ck_notification_preferences_digest_interval_positive"),
                               "notification_preferences",
                               "digest_interval_s IS NULL OR digest_interval_s > 0")
    op.create_table(
        "notification_digest_items",
        sa.Column("about_event_id", sa.UUID(), nullable=False),
        sa.Column("recipient_id", sa.UUID(), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest_id", sa.UUID(), nullable=True),
        sa.PrimaryKeyConstraint("about_event_id", "recipient_id",
                                name=op.f("pk_notification_digest_items")),
    )
    op.create_index("ix_notification_digest_items_due", "notification_digest_items",
                    ["window_end"], postgresql_where=sa.text("digest_id IS NULL"))
    op.create_table(
        "notification_digests",
        sa.Column("recipient_id", sa.UUID(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest_id", sa.UUID(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("recipient_id", "window_start",
                                name=op.f("pk_notification_digests")),
    )
    op.create_table(
        "notification_dlq_watch",
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("last_size", sa.Integer(), server_default="0", nullable=False),
        sa.Column("baseline", sa.Integer(), server_default="0", nullable=False),
        sa.Column("samples", postgresql.JSONB(astext_type=sa.Text()), server_default="[]",
                  nullable=False),
        sa.Column("last_growth_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("episode_id", sa.UUID(), nullable=True),
        sa.Column("episode_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("topic", name=op.f("pk_notification_dlq_watch")),
    )


def downgrade() -> None:
    op.drop_table("notification_dlq_watch")
    op.drop_table("notification_digests")
    op.drop_index("ix_notification_digest_items_due", table_name="notification_digest_items")
    op.drop_table("notification_digest_items")
    op.drop_constraint(op.f("ck_notification_preferences_digest_interval_positive"),
                       "notification_preferences", type_="check")
    op.drop_column("notification_preferences", "digest_interval_s")

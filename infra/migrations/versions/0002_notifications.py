"""notifications: one message per (event, recipient, channel); preferences; deliveries

Revision ID: 0002_notifications
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_notifications"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Struck and locked reviewers are told along with their supervisors: one event, many people.
    op.drop_constraint("uq_notifications_about_event_id_channel", "notifications",
                       type_="unique")
    op.create_unique_constraint(
        op.f("uq_notifications_about_event_id_recipient_id_channel"), "notifications",
        ["about_event_id", "recipient_id", "channel"],
    )
    op.create_table(
        "notification_preferences",
        sa.Column("recipient_id", sa.UUID(), nullable=False),
        sa.Column("channels", postgresql.ARRAY(sa.Text()), server_default="{in_app}",
                  nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("webhook_url", sa.Text(), nullable=True),
        sa.Column("webhook_secret", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("recipient_id", name=op.f("pk_notification_preferences")),
    )
    op.create_table(
        "notification_deliveries",
        sa.Column("notification_id", sa.UUID(), nullable=False),
        sa.Column("recipient_id", sa.UUID(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("about_event_id", sa.UUID(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'dead')",
                           name=op.f("ck_notification_deliveries_status")),
        sa.PrimaryKeyConstraint("notification_id", name=op.f("pk_notification_deliveries")),
    )
    op.create_index("ix_notification_deliveries_due", "notification_deliveries",
                    ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_notification_deliveries_due", table_name="notification_deliveries")
    op.drop_table("notification_deliveries")
    op.drop_table("notification_preferences")
    op.drop_constraint(op.f("uq_notifications_about_event_id_recipient_id_channel"),
                       "notifications", type_="unique")
    op.create_unique_constraint("uq_notifications_about_event_id_channel", "notifications",
                                ["about_event_id", "channel"])

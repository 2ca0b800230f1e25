"""notifications: a phone number per person, for the sms channel

Revision ID: 0004_notifications_sms
Revises: 0003_notifications_digests_dlq
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_notifications_sms"
down_revision = "0003_notifications_digests_dlq"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notification_preferences", sa.Column("phone", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("notification_preferences", "phone")

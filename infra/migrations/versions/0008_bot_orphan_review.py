"""application bot: orphans put to a person, and the review task that asks

Revision ID: 0008_bot_orphan_review
Revises: 0007_application_bot_waiting
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0008_bot_orphan_review"
down_revision = "0007_application_bot_waiting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("applications",
                  sa.Column("review_asked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("applications", sa.Column("review_task_id", UUID(as_uuid=True), nullable=True))
    op.create_index("ix_applications_review_task_id", "applications", ["review_task_id"])


def downgrade() -> None:
    op.drop_index("ix_applications_review_task_id", table_name="applications")
    op.drop_column("applications", "review_task_id")
    op.drop_column("applications", "review_asked_at")

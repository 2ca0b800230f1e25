"""workflow: when a reviewer's account was disabled (or lost its role): no offers since

Revision ID: 0006_workflow_reviewer_access
Revises: 0005_workflow_sent_away
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_workflow_reviewer_access"
down_revision = "0005_workflow_sent_away"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("review_reviewers",
                  sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("review_reviewers", "disabled_at")

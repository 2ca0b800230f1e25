"""workflow: when the workflow last sent each reviewer away

Revision ID: 0005_workflow_sent_away
Revises: 0004_workflow_returned_by
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_workflow_sent_away"
down_revision = "0004_workflow_returned_by"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("review_reviewers",
                  sa.Column("sent_away_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("review_reviewers", "sent_away_at")

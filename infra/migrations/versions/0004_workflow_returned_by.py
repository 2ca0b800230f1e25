"""workflow: reviewers who handed a task back are not offered it again

Revision ID: 0004_workflow_returned_by
Revises: 0003_workflow_task_details
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_workflow_returned_by"
down_revision = "0003_workflow_task_details"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("review_tasks", sa.Column("returned_by", postgresql.ARRAY(sa.UUID()),
                                            server_default="{}", nullable=False))


def downgrade() -> None:
    op.drop_column("review_tasks", "returned_by")

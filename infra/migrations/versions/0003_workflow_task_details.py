"""workflow: the explanation a task carries to the reviewer (breakdown, skills, hints, resume)

Revision ID: 0003_workflow_task_details
Revises: 0002_workflow
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_workflow_task_details"
down_revision = "0002_workflow"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("review_tasks", sa.Column("details", postgresql.JSONB(astext_type=sa.Text()),
                                            server_default="{}", nullable=False))


def downgrade() -> None:
    op.drop_column("review_tasks", "details")

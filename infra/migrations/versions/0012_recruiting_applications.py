"""recruiting: which candidates applied to an employer job; a job's revision

Revision ID: 0012_recruiting_applications
Revises: 0011_recruiting
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_recruiting_applications"
down_revision = "0011_recruiting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recruiting_applications",
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("application_id", sa.UUID(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job_id", "candidate_id",
                                name=op.f("pk_recruiting_applications")),
    )
    op.add_column("recruiting_jobs", sa.Column("revision", sa.Integer(), server_default="0",
                                               nullable=False))
    op.create_index("ix_recruiting_applications_candidate_id", "recruiting_applications",
                    ["candidate_id"])


def downgrade() -> None:
    op.drop_column("recruiting_jobs", "revision")
    op.drop_table("recruiting_applications")

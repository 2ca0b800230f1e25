"""recruiting: the candidates erased, whose late scores and applications are dropped

Revision ID: 0013_recruiting_erased
Revises: 0012_recruiting_applications
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_recruiting_erased"
down_revision = "0012_recruiting_applications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recruiting_erased_candidates",
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("candidate_id", name=op.f("pk_recruiting_erased_candidates")),
    )


def downgrade() -> None:
    op.drop_table("recruiting_erased_candidates")

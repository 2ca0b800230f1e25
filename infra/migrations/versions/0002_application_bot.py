"""application_bot: the portal of each application, for per-portal daily caps

Revision ID: 0002_application_bot
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_application_bot"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("applications", sa.Column("portal", sa.Text(), nullable=True))
    op.create_index("ix_applications_candidate_created", "applications",
                    ["candidate_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_applications_candidate_created", table_name="applications")
    op.drop_column("applications", "portal")

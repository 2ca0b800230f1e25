"""scrape fleet: leased scrape runs and per-source cursors

Revision ID: 0002_scrape_fleet
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_scrape_fleet"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scrape_runs",
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.Text(), server_default="pending", nullable=False),
        sa.Column("lease_owner", sa.Text(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'running', 'done', 'failed')",
                           name=op.f("ck_scrape_runs_state")),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_scrape_runs")),
        sa.UniqueConstraint("source", "due_at", name="uq_scrape_runs_source_due_at"),
    )
    op.create_index("ix_scrape_runs_claimable", "scrape_runs", ["state", "due_at"])
    op.create_table(
        "source_state",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("usual_listed", sa.Float(), nullable=True),
        sa.Column("runs", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_source_state")),
    )


def downgrade() -> None:
    op.drop_table("source_state")
    op.drop_index("ix_scrape_runs_claimable", table_name="scrape_runs")
    op.drop_table("scrape_runs")

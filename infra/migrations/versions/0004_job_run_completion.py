"""job discovery: run completions wait for their postings; the run that last listed a posting

Revision ID: 0004_job_run_completion
Revises: 0003_job_postings_payload_hash
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004_job_run_completion"
down_revision = "0003_job_postings_payload_hash"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("job_sightings", sa.Column("run_id", sa.Text(), nullable=True))
    op.create_table(
        "run_completions",
        sa.Column("seq", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("announced", sa.Integer(), nullable=False),
        sa.Column("completion", JSONB(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wait_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_run_completions")),
        sa.UniqueConstraint("run_id", name=op.f("uq_run_completions_run_id")),
    )
    op.create_index(op.f("ix_run_completions_source"), "run_completions", ["source"])
    op.create_index(op.f("ix_run_completions_applied_at"), "run_completions", ["applied_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_run_completions_applied_at"), table_name="run_completions")
    op.drop_index(op.f("ix_run_completions_source"), table_name="run_completions")
    op.drop_table("run_completions")
    op.drop_column("job_sightings", "run_id")

"""job service: canonical job fields, sightings, sync log

Revision ID: 0002_job_service
Revises: 0001
Create Date: 2026-11-26 01:10:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_job_service"
down_revision = "0001"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)
_NEW_COLUMNS: tuple[tuple[str, Any, dict[str, Any]], ...] = (
    ("primary_source_job_key", sa.Text(), {"nullable": False, "server_default": ""}),
    ("description", sa.Text(), {"nullable": False, "server_default": ""}),
    ("city", sa.Text(), {}), ("region", sa.Text(), {}), ("country", sa.Text(), {}),
    ("workplace", sa.Text(), {}), ("employment_type", sa.Text(), {}),
    ("salary_min", sa.Float(), {}), ("salary_max", sa.Float(), {}),
    ("salary_currency", sa.Text(), {}), ("salary_period", sa.Text(), {}),
    ("posted_at", _TZ, {}), ("expires_at", _TZ, {}), ("updated_at", _TZ, {}),
    ("expired_at", _TZ, {}), ("expiry_reason", sa.Text(), {}),
)


def upgrade() -> None:
    # Jobs sharing a fingerprint may now be different jobs (told apart by their text).
    op.drop_constraint("uq_canonical_jobs_canonical_key", "canonical_jobs", type_="unique")
    op.drop_column("canonical_jobs", "sources")
    for name, type_, options in _NEW_COLUMNS:
        op.add_column("canonical_jobs", sa.Column(name, type_, **options))
    for column in ("canonical_key", "expires_at", "expired_at"):
        op.create_index(op.f(f"ix_canonical_jobs_{column}"), "canonical_jobs", [column])
    op.create_table(
        "job_sightings",
        sa.Column("source_job_key", sa.Text(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("apply_url", sa.Text(), nullable=False),
        sa.Column("notes", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("feed", sa.Text(), nullable=True),
        sa.Column("first_seen_at", _TZ, nullable=False),
        sa.Column("last_seen_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.Column("gone_at", _TZ, nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["canonical_jobs.job_id"],
                                name=op.f("fk_job_sightings_job_id_canonical_jobs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("source_job_key", name=op.f("pk_job_sightings")),
    )
    op.create_index(op.f("ix_job_sightings_job_id"), "job_sightings", ["job_id"])
    op.create_index(op.f("ix_job_sightings_feed"), "job_sightings", ["feed"])
    op.create_table(
        "job_sync_log",
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("started_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.Column("completed_at", _TZ, nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=True),
        *(sa.Column(name, sa.Integer(), server_default="0", nullable=False)
          for name in ("fetched", "new", "updated", "duplicates", "unchanged", "expired",
                       "errors")),
        sa.Column("error_reasons", postgresql.JSONB(astext_type=sa.Text()),
                  server_default="[]", nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_job_sync_log")),
    )


def downgrade() -> None:
    op.drop_table("job_sync_log")
    op.drop_table("job_sightings")
    for column in ("canonical_key", "expires_at", "expired_at"):
        op.drop_index(op.f(f"ix_canonical_jobs_{column}"), table_name="canonical_jobs")
    for name, _, _ in reversed(_NEW_COLUMNS):
        op.drop_column("canonical_jobs", name)
    op.add_column("canonical_jobs", sa.Column(
        "sources", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False))
    op.create_unique_constraint("uq_canonical_jobs_canonical_key", "canonical_jobs",
                                ["canonical_key"])

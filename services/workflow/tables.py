"""Tables of the workflow service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from infra.db import metadata

review_tasks = sa.Table(
    "review_tasks",
    metadata,
    sa.Column("task_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("match_id", UUID(as_uuid=True), nullable=False),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False),
    sa.Column("job_id", UUID(as_uuid=True), nullable=False),
    sa.Column("apply_url", sa.Text, nullable=False),
    sa.Column("resume_version_id", UUID(as_uuid=True), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("job_title", sa.Text, nullable=False, server_default=""),
    sa.Column("company", sa.Text, nullable=False, server_default=""),
    sa.Column("explanation", JSONB, nullable=False, server_default="[]"),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("reviewer_id", UUID(as_uuid=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("assigned_at", sa.DateTime(timezone=True)),
    sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("final_resume_version_id", UUID(as_uuid=True)),
    sa.Column("reject_reason", sa.Text),
    sa.CheckConstraint(
        "state IN ('queued', 'assigned', 'completed', 'rejected')", name="state_known"
    ),
    sa.CheckConstraint(
        "state = 'queued' OR (reviewer_id IS NOT NULL AND due_at IS NOT NULL)",
        name="assigned_has_reviewer",
    ),
    # Capacity 1, enforced by PostgreSQL itself: two transactions that each give a task to
    # the same reviewer cannot both commit, whatever the application code checked first.
    sa.Index(
        "uq_review_tasks_one_assigned_per_reviewer",
        "reviewer_id",
        unique=True,
        postgresql_where=sa.text("state = 'assigned'"),
    ),
    sa.Index(
        "ix_review_tasks_queue", "created_at", postgresql_where=sa.text("state = 'queued'")
    ),
    sa.Index("ix_review_tasks_reviewer_assigned_at", "reviewer_id", "assigned_at"),
)

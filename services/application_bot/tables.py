"""Tables of the application bot service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from infra.columns import counter, created_at, table, updated_at, uuid_key

# One row per (candidate, canonical job): the unique key is what makes applying exactly-once.
applications = table(
    "applications",
    uuid_key("application_id"),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False),
    sa.Column("job_id", UUID(as_uuid=True), nullable=False),
    sa.Column("resume_version_id", UUID(as_uuid=True), nullable=False),
    sa.Column("apply_url", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    counter("attempts"),
    sa.Column("confirmation", sa.Text),
    sa.Column("evidence_key", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("retryable", sa.Boolean, nullable=False, server_default=sa.false()),
    created_at(),
    updated_at(),
    # Which portal it went to, for the per-portal daily caps (null before they existed).
    sa.Column("portal", sa.Text),
    # An orphan nothing could settle was put to a person (when), and the task that asks.
    sa.Column("review_asked_at", sa.DateTime(timezone=True)),
    sa.Column("review_task_id", UUID(as_uuid=True), index=True),
    sa.UniqueConstraint("candidate_id", "job_id"),
    sa.CheckConstraint(
        "state IN ('pending', 'submitting', 'submitted', 'failed', 'unknown', 'waiting')",
        name="state",
    ),
    sa.Index("ix_applications_candidate_created", "candidate_id", "created_at"),
)

# The bot's own copy of which file each resume version is, from ResumeVersionCreated.
bot_resume_versions = table(
    "bot_resume_versions",
    uuid_key("resume_version_id"),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("blob_key", sa.Text, nullable=False),
    sa.Column("content_sha256", sa.Text, nullable=False),
    created_at(),
)

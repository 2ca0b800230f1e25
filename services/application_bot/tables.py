"""Tables of the application bot service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from infra.db import metadata

# One row per (candidate, canonical job): the unique key is what makes applying exactly-once.
applications = sa.Table(
    "applications",
    metadata,
    sa.Column("application_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False),
    sa.Column("job_id", UUID(as_uuid=True), nullable=False),
    sa.Column("resume_version_id", UUID(as_uuid=True), nullable=False),
    sa.Column("apply_url", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("confirmation", sa.Text),
    sa.Column("evidence_key", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("retryable", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # Which portal it went to, for the per-portal daily caps (null before they existed).
    sa.Column("portal", sa.Text),
    # An orphan nothing could settle was put to a person (when), and the task that asks.
    sa.Column("review_asked_at", sa.DateTime(timezone=True)),
    sa.Column("review_task_id", UUID(as_uuid=True), index=True),
    sa.UniqueConstraint("candidate_id", "job_id"),
    sa.CheckConstraint(
        "state IN ('pending', 'submitting', 'submitted', 'failed', 'unknown')", name="state"
    ),
    sa.Index("ix_applications_candidate_created", "candidate_id", "created_at"),
)

# The bot's own copy of which file each resume version is, from ResumeVersionCreated.
bot_resume_versions = sa.Table(
    "bot_resume_versions",
    metadata,
    sa.Column("resume_version_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("blob_key", sa.Text, nullable=False),
    sa.Column("content_sha256", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

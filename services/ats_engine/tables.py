"""Tables of the ATS engine: candidates' current resumes and match results."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from infra.db import metadata

candidates = sa.Table(
    "ats_candidates",
    metadata,
    sa.Column("candidate_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("resume_version_id", UUID(as_uuid=True), nullable=False),
    sa.Column("skills", ARRAY(sa.Text), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
)

matches = sa.Table(
    "ats_matches",
    metadata,
    sa.Column("match_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False),
    sa.Column("job_id", UUID(as_uuid=True), nullable=False),
    sa.Column("resume_version_id", UUID(as_uuid=True), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("explanation", ARRAY(sa.Text), nullable=False),
    sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
)

jobs = sa.Table(
    "ats_jobs",
    metadata,
    sa.Column("job_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("company", sa.Text, nullable=False),
    sa.Column("apply_url", sa.Text, nullable=False),
    sa.Column("skills", ARRAY(sa.Text), nullable=False),
    sa.Column("open", sa.Boolean, nullable=False),
)

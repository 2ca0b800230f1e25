"""Tables of the job discovery service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from infra.db import metadata

# One row per source posting: its last fingerprint decides whether a scrape is news.
job_postings = sa.Table(
    "job_postings",
    metadata,
    sa.Column("source_job_key", sa.Text, primary_key=True),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("canonical_job_id", UUID(as_uuid=True), nullable=False),
    sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
)

# One row per real job, however many sources list it.
canonical_jobs = sa.Table(
    "canonical_jobs",
    metadata,
    sa.Column("job_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("canonical_key", sa.Text, nullable=False, unique=True),
    sa.Column("company", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("apply_url", sa.Text, nullable=False),
    sa.Column("sources", ARRAY(sa.Text), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
)

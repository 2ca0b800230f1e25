"""Tables of the job discovery service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from infra.columns import counter, job_terms, table, updated_at, uuid_key

# One row per source posting: the hash of its last raw payload decides whether a run is news.
job_postings = table(
    "job_postings",
    sa.Column("source_job_key", sa.Text, primary_key=True),
    sa.Column("payload_hash", sa.Text, nullable=False),
    sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
)

# One row per real job, however many sources list it; its fields come from the first sighting
# (or from the repost that brought it back after it expired).
canonical_jobs = table(
    "canonical_jobs",
    uuid_key("job_id"),
    # The dedup fingerprint (company, title, location); jobs that share it differ in text.
    sa.Column("canonical_key", sa.Text, nullable=False, index=True),
    sa.Column("company", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("apply_url", sa.Text, nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("primary_source_job_key", sa.Text, nullable=False, server_default=""),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("city", sa.Text),
    sa.Column("region", sa.Text),
    *job_terms(),
    sa.Column("posted_at", sa.DateTime(timezone=True)),
    sa.Column("expires_at", sa.DateTime(timezone=True), index=True),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
    # Counts material changes (JobUpdated), so consumers can skip one they have applied.
    counter("revision"),
    # Soft delete: set when the job closes, cleared when a posting of it is seen again
    # (JobReopened); the row is purged some days after it closed.
    sa.Column("expired_at", sa.DateTime(timezone=True), index=True),
    sa.Column("expiry_reason", sa.Text),
)

# Every (source, external id) a canonical job was seen under.
job_sightings = table(
    "job_sightings",
    sa.Column("source_job_key", sa.Text, primary_key=True),
    sa.Column("job_id", UUID(as_uuid=True),
              sa.ForeignKey("canonical_jobs.job_id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("external_id", sa.Text, nullable=False),
    sa.Column("content_hash", sa.Text, nullable=False),
    sa.Column("apply_url", sa.Text, nullable=False),
    sa.Column("notes", ARRAY(sa.Text), nullable=False, server_default="{}"),
    # The scrape source whose complete runs decide whether this posting is still listed.
    sa.Column("feed", sa.Text, index=True),
    # The run of that source that last listed it.
    sa.Column("run_id", sa.Text),
    sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    updated_at(),
    sa.Column("gone_at", sa.DateTime(timezone=True)),
)

# What each scrape run brought: counts, and every error with its reason.
job_sync_log = table(
    "job_sync_log",
    sa.Column("run_id", sa.Text, primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    updated_at(),
    sa.Column("completed_at", sa.DateTime(timezone=True)),
    sa.Column("complete", sa.Boolean),
    counter("fetched"),
    counter("new"),
    counter("updated"),
    counter("duplicates"),
    counter("unchanged"),
    counter("expired"),
    counter("reopened"),
    counter("errors"),
    # [{"key": ..., "reason": ...}], the first MAX_LOGGED_ERRORS of the run.
    sa.Column("error_reasons", JSONB, nullable=False, server_default="[]"),
)

# Completions of scrape runs that name how many postings they announced: each waits here
# until the job service has handled those postings (they travel on other partitions), then is
# applied in arrival order per source, and kept a while for postings that come later still.
run_completions = table(
    "run_completions",
    sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("run_id", sa.Text, nullable=False, unique=True),
    sa.Column("source", sa.Text, nullable=False, index=True),
    sa.Column("announced", sa.Integer, nullable=False),
    sa.Column("completion", JSONB, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("wait_until", sa.DateTime(timezone=True), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), index=True),
)

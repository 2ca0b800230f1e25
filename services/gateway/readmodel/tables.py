"""Tables of the gateway's read model: what the API lists, projected from events.

Every table has an immutable `created_at` (when the gateway first saw the thing) that,
with the id, orders pages stably.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from infra.db import metadata


def _created() -> sa.Column[object]:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def _updated() -> sa.Column[object]:
    return sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False)


def _candidate_job() -> tuple[sa.Column[object], ...]:
    """Whose resume, for which job: what a match and an application are about."""
    return (sa.Column("candidate_id", UUID(as_uuid=True), nullable=False, index=True),
            sa.Column("job_id", UUID(as_uuid=True), nullable=False),
            sa.Column("resume_version_id", UUID(as_uuid=True), nullable=True))


candidates = sa.Table(
    "gw_candidates", metadata,
    sa.Column("candidate_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("preferences", JSONB, nullable=True),
    sa.Column("answer_bank", JSONB, nullable=True),
    sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
    _created(), _updated(),
)

resume_versions = sa.Table(
    "gw_resume_versions", metadata,
    sa.Column("resume_version_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("blob_key", sa.Text, nullable=False),
    sa.Column("content_sha256", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("task_id", UUID(as_uuid=True), nullable=True),
    _created(),
)

jobs = sa.Table(
    "gw_jobs", metadata,
    sa.Column("job_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("company", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("apply_url", sa.Text, nullable=False),
    sa.Column("city", sa.Text), sa.Column("region", sa.Text), sa.Column("country", sa.Text),
    sa.Column("workplace", sa.Text), sa.Column("employment_type", sa.Text),
    sa.Column("salary_min", sa.Float), sa.Column("salary_max", sa.Float),
    sa.Column("salary_currency", sa.Text),
    sa.Column("posted_at", sa.DateTime(timezone=True)),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("open", sa.Boolean, nullable=False),
    sa.Column("expired_at", sa.DateTime(timezone=True)),
    _created(), _updated(),
    sa.Index("ix_gw_jobs_page", "created_at", "job_id"),
)

matches = sa.Table(
    "gw_matches", metadata,
    sa.Column("match_id", UUID(as_uuid=True), primary_key=True),
    *_candidate_job(),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("explanation", ARRAY(sa.Text), nullable=False),
    sa.Column("job_title", sa.Text, nullable=False, server_default=""),
    sa.Column("company", sa.Text, nullable=False, server_default=""),
    _created(), _updated(),
)

applications = sa.Table(
    "gw_applications", metadata,
    sa.Column("application_id", UUID(as_uuid=True), primary_key=True),
    *_candidate_job(),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("confirmation", sa.Text), sa.Column("evidence_key", sa.Text),
    sa.Column("reason", sa.Text), sa.Column("question", sa.Text),
    _created(), _updated(),
)

review_tasks = sa.Table(
    "gw_review_tasks", metadata,
    sa.Column("task_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("match_id", UUID(as_uuid=True), nullable=True),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=True, index=True),
    sa.Column("job_id", UUID(as_uuid=True), nullable=True),
    sa.Column("reviewer_id", UUID(as_uuid=True), nullable=True, index=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("score", sa.Float), sa.Column("priority", sa.Float),
    sa.Column("job_title", sa.Text), sa.Column("company", sa.Text),
    sa.Column("explanation", ARRAY(sa.Text)),
    sa.Column("resume_version_id", UUID(as_uuid=True)),
    sa.Column("due_at", sa.DateTime(timezone=True)),
    # What changed in the job since the match was scored (ReviewTaskJobChanged).
    sa.Column("job_changes", ARRAY(sa.Text)),
    sa.Column("reason", sa.Text),
    _created(), _updated(),
)

reviewers = sa.Table(
    "gw_reviewers", metadata,
    sa.Column("reviewer_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("strikes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("presence", sa.Text, nullable=False, server_default="offline"),
    _created(), _updated(),
)

strikes = sa.Table(
    "gw_strikes", metadata,
    sa.Column("strike_id", UUID(as_uuid=True), primary_key=True),  # the event's id
    sa.Column("reviewer_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("task_id", UUID(as_uuid=True), nullable=False),
    sa.Column("strikes", sa.Integer, nullable=False),
    _created(),
)

sources = sa.Table(
    "gw_sources", metadata,
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("runs", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_run_id", sa.Text), sa.Column("last_run_at", sa.DateTime(timezone=True)),
    sa.Column("blocked_at", sa.DateTime(timezone=True)), sa.Column("blocked_reason", sa.Text),
    sa.Column("anomalies", sa.Integer, nullable=False, server_default="0"),
    _created(), _updated(),
)

scrape_runs = sa.Table(
    "gw_scrape_runs", metadata,
    sa.Column("run_id", sa.Text, primary_key=True),
    sa.Column("source", sa.Text, nullable=False, index=True),
    sa.Column("complete", sa.Boolean, nullable=False),
    sa.Column("seen", sa.Integer, nullable=False),
    sa.Column("errors", ARRAY(sa.Text), nullable=False),
    sa.Column("alerts", JSONB, nullable=False, server_default="[]"),
    _created(),
)

scoring_configs = sa.Table(
    "gw_scoring_configs", metadata,
    sa.Column("version", sa.Text, primary_key=True),
    sa.Column("config", JSONB, nullable=False),
    sa.Column("actor_id", UUID(as_uuid=True)),
    _created(),
)

ALL = (candidates, resume_versions, jobs, matches, applications, review_tasks, reviewers,
       strikes, sources, scrape_runs, scoring_configs)

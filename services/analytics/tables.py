"""Tables of the analytics service: live figures that survive restarts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from infra.columns import counter, table, updated_at, uuid_key

# One counter per (metric, minute); coarser buckets are sums of these.
analytics_counts = table(
    "analytics_counts",
    sa.Column("metric", sa.Text, primary_key=True),
    sa.Column("bucket", sa.DateTime(timezone=True), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

# Each review task's latest state, for pending reviews, time to review and reviewers' load.
analytics_review_tasks = table(
    "analytics_review_tasks",
    uuid_key("task_id"),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("reviewer_id", UUID(as_uuid=True)),
    sa.Column("created_at", sa.DateTime(timezone=True)),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    updated_at(),
    sa.CheckConstraint(
        "state IN ('queued', 'offered', 'assigned', 'completed', 'rejected')", name="state"),
    sa.Index("ix_analytics_review_tasks_finished_at", "finished_at"),
)

analytics_reviewers = table(
    "analytics_reviewers",
    uuid_key("reviewer_id"),
    sa.Column("presence", sa.Text, nullable=False, server_default="offline"),
    counter("strikes"),
    sa.Column("locked", sa.Boolean, nullable=False, server_default=sa.false()),
    counter("reviewed"),
    counter("missed"),
    updated_at(),
)

# Per-source scrape health, from runs, blocks and anomalies.
analytics_sources = table(
    "analytics_sources",
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("jobs_found", sa.BigInteger, nullable=False, server_default="0"),
    counter("runs"),
    counter("errors_total"),
    counter("blocked_total"),
    counter("anomalies_total"),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_run_at", sa.DateTime(timezone=True)),
    sa.Column("last_run_id", sa.Text),
    sa.Column("last_run_complete", sa.Boolean),
    sa.Column("last_run_seen", sa.Integer),
    sa.Column("last_run_errors", sa.Integer),
    sa.Column("last_blocked_at", sa.DateTime(timezone=True)),
    sa.Column("last_blocked_reason", sa.Text),
    sa.Column("last_anomaly_at", sa.DateTime(timezone=True)),
    sa.Column("last_anomaly_kind", sa.Text),
)

# Dead-letter topics as last counted from offsets: letters held, and how many of them were
# replayed (through this API or `jams dlq replay` alike).
analytics_dead_letters = table(
    "analytics_dead_letters",
    sa.Column("topic", sa.Text, primary_key=True),
    counter("size"),
    counter("replayed"),
    sa.Column("checked_at", sa.DateTime(timezone=True)),
    sa.Column("last_replay_at", sa.DateTime(timezone=True)),
)

# Audit trail of replays: who replayed which topic, when, and how many letters.
analytics_replays = table(
    "analytics_replays",
    uuid_key("replay_id"),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("replayed", sa.Integer, nullable=False),
    sa.Column("requested_by", UUID(as_uuid=True), nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

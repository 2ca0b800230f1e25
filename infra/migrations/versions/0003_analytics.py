"""analytics: minute counters, review tasks, reviewers, sources, dead letters, replay audit

Revision ID: 0003_analytics
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_analytics"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_counts",
        sa.Column("metric", sa.Text(), nullable=False),
        sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("metric", "bucket", name=op.f("pk_analytics_counts")),
    )
    op.create_table(
        "analytics_review_tasks",
        sa.Column("task_id", sa.UUID(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("reviewer_id", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('queued', 'offered', 'assigned', 'completed', 'rejected')",
            name=op.f("ck_analytics_review_tasks_state")),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_analytics_review_tasks")),
    )
    op.create_index("ix_analytics_review_tasks_finished_at", "analytics_review_tasks",
                    ["finished_at"], unique=False)
    op.create_table(
        "analytics_reviewers",
        sa.Column("reviewer_id", sa.UUID(), nullable=False),
        sa.Column("presence", sa.Text(), server_default="offline", nullable=False),
        sa.Column("strikes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("reviewed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("missed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reviewer_id", name=op.f("pk_analytics_reviewers")),
    )
    op.create_table(
        "analytics_sources",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("jobs_found", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("runs", sa.Integer(), server_default="0", nullable=False),
        sa.Column("errors_total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("blocked_total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("anomalies_total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_run_id", sa.Text(), nullable=True),
        sa.Column("last_run_complete", sa.Boolean(), nullable=True),
        sa.Column("last_run_seen", sa.Integer(), nullable=True),
        sa.Column("last_run_errors", sa.Integer(), nullable=True),
        sa.Column("last_blocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_blocked_reason", sa.Text(), nullable=True),
        sa.Column("last_anomaly_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_anomaly_kind", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_analytics_sources")),
    )
    op.create_table(
        "analytics_dead_letters",
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), server_default="0", nullable=False),
        sa.Column("replayed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_replay_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("topic", name=op.f("pk_analytics_dead_letters")),
    )
    op.create_table(
        "analytics_replays",
        sa.Column("replay_id", sa.UUID(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("replayed", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.UUID(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("replay_id", name=op.f("pk_analytics_replays")),
    )


def downgrade() -> None:
    op.drop_table("analytics_replays")
    op.drop_table("analytics_dead_letters")
    op.drop_table("analytics_sources")
    op.drop_table("analytics_reviewers")
    op.drop_index("ix_analytics_review_tasks_finished_at", table_name="analytics_review_tasks")
    op.drop_table("analytics_review_tasks")
    op.drop_table("analytics_counts")

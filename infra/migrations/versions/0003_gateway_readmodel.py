"""gateway read model: what the API lists, projected from other services' events

Revision ID: 0003_gateway_readmodel
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_gateway_readmodel"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gw_applications",
        sa.Column("application_id", sa.UUID(), nullable=False),
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("resume_version_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("confirmation", sa.Text(), nullable=True),
        sa.Column("evidence_key", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_gw_applications")),
    )
    op.create_index(
        op.f("ix_gw_applications_candidate_id"), "gw_applications", ["candidate_id"], unique=False
    )
    op.create_table(
        "gw_candidates",
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("preferences", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("answer_bank", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("candidate_id", name=op.f("pk_gw_candidates")),
    )
    op.create_table(
        "gw_jobs",
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("apply_url", sa.Text(), nullable=False),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("workplace", sa.Text(), nullable=True),
        sa.Column("employment_type", sa.Text(), nullable=True),
        sa.Column("salary_min", sa.Float(), nullable=True),
        sa.Column("salary_max", sa.Float(), nullable=True),
        sa.Column("salary_currency", sa.Text(), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("expired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_gw_jobs")),
    )
    op.create_index("ix_gw_jobs_page", "gw_jobs", ["created_at", "job_id"], unique=False)
    op.create_table(
        "gw_matches",
        sa.Column("match_id", sa.UUID(), nullable=False),
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("resume_version_id", sa.UUID(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("explanation", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("job_title", sa.Text(), server_default="", nullable=False),
        sa.Column("company", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("match_id", name=op.f("pk_gw_matches")),
    )
    op.create_index(
        op.f("ix_gw_matches_candidate_id"), "gw_matches", ["candidate_id"], unique=False
    )
    op.create_table(
        "gw_resume_versions",
        sa.Column("resume_version_id", sa.UUID(), nullable=False),
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("blob_key", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("task_id", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("resume_version_id", name=op.f("pk_gw_resume_versions")),
    )
    op.create_index(
        op.f("ix_gw_resume_versions_candidate_id"),
        "gw_resume_versions",
        ["candidate_id"],
        unique=False,
    )
    op.create_table(
        "gw_review_tasks",
        sa.Column("task_id", sa.UUID(), nullable=False),
        sa.Column("match_id", sa.UUID(), nullable=True),
        sa.Column("candidate_id", sa.UUID(), nullable=True),
        sa.Column("job_id", sa.UUID(), nullable=True),
        sa.Column("reviewer_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("priority", sa.Float(), nullable=True),
        sa.Column("job_title", sa.Text(), nullable=True),
        sa.Column("company", sa.Text(), nullable=True),
        sa.Column("explanation", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("resume_version_id", sa.UUID(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_gw_review_tasks")),
    )
    op.create_index(
        op.f("ix_gw_review_tasks_candidate_id"), "gw_review_tasks", ["candidate_id"], unique=False
    )
    op.create_index(
        op.f("ix_gw_review_tasks_reviewer_id"), "gw_review_tasks", ["reviewer_id"], unique=False
    )
    op.create_table(
        "gw_reviewers",
        sa.Column("reviewer_id", sa.UUID(), nullable=False),
        sa.Column("strikes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("presence", sa.Text(), server_default="offline", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reviewer_id", name=op.f("pk_gw_reviewers")),
    )
    op.create_table(
        "gw_scoring_configs",
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("config", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("actor_id", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_gw_scoring_configs")),
    )
    op.create_table(
        "gw_scrape_runs",
        sa.Column("run_id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("errors", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column(
            "alerts", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_gw_scrape_runs")),
    )
    op.create_index(op.f("ix_gw_scrape_runs_source"), "gw_scrape_runs", ["source"], unique=False)
    op.create_table(
        "gw_sources",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("runs", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_run_id", sa.Text(), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("blocked_reason", sa.Text(), nullable=True),
        sa.Column("anomalies", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_gw_sources")),
    )
    op.create_table(
        "gw_strikes",
        sa.Column("strike_id", sa.UUID(), nullable=False),
        sa.Column("reviewer_id", sa.UUID(), nullable=False),
        sa.Column("task_id", sa.UUID(), nullable=False),
        sa.Column("strikes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("strike_id", name=op.f("pk_gw_strikes")),
    )
    op.create_index(op.f("ix_gw_strikes_reviewer_id"), "gw_strikes", ["reviewer_id"], unique=False)


def downgrade() -> None:
    op.drop_table("gw_strikes")
    op.drop_table("gw_sources")
    op.drop_table("gw_scrape_runs")
    op.drop_table("gw_scoring_configs")
    op.drop_table("gw_reviewers")
    op.drop_table("gw_review_tasks")
    op.drop_table("gw_resume_versions")
    op.drop_table("gw_matches")
    op.drop_table("gw_jobs")
    op.drop_table("gw_candidates")
    op.drop_table("gw_applications")

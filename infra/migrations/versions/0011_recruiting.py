"""recruiting: companies, members, employer jobs, ranked candidates, the audit log

Revision ID: 0011_recruiting
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011_recruiting"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recruiting_companies",
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_recruiting_companies")),
    )
    op.create_table(
        "recruiting_members",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("added_by", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["recruiting_companies.company_id"],
                                name=op.f("fk_recruiting_members_company_id_recruiting_companies")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_recruiting_members")),
    )
    op.create_index("ix_recruiting_members_company_id", "recruiting_members", ["company_id"])
    op.create_table(
        "recruiting_audit_log",
        sa.Column("audit_id", sa.UUID(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.UUID(), nullable=False),
        sa.Column("actor_role", sa.Text(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("object_type", sa.Text(), nullable=False),
        sa.Column("object_id", sa.Text(), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()),
                  server_default="{}", nullable=False),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_recruiting_audit_log")),
    )
    op.create_index("ix_recruiting_audit_log_object_type_object_id", "recruiting_audit_log",
                    ["object_type", "object_id"])

    op.create_table(
        "recruiting_jobs",
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("apply_url", sa.Text(), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("workplace", sa.Text(), nullable=True),
        sa.Column("employment_type", sa.Text(), nullable=True),
        sa.Column("salary_min", sa.Float(), nullable=True),
        sa.Column("salary_max", sa.Float(), nullable=True),
        sa.Column("salary_currency", sa.Text(), nullable=True),
        sa.Column("salary_period", sa.Text(), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'published', 'closed')",
                           name=op.f("ck_recruiting_jobs_status_known")),
        sa.ForeignKeyConstraint(["company_id"], ["recruiting_companies.company_id"],
                                name=op.f("fk_recruiting_jobs_company_id_recruiting_companies")),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_recruiting_jobs")),
    )
    op.create_index("ix_recruiting_jobs_company_id_created_at", "recruiting_jobs",
                    ["company_id", "created_at"])
    op.create_table(
        "recruiting_candidates",
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("match_id", sa.UUID(), nullable=False),
        sa.Column("resume_version_id", sa.UUID(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("breakdown", postgresql.JSONB(astext_type=sa.Text()), server_default="{}",
                  nullable=False),
        sa.Column("matched_skills", postgresql.ARRAY(sa.Text()), server_default="{}",
                  nullable=False),
        sa.Column("missing_skills", postgresql.ARRAY(sa.Text()), server_default="{}",
                  nullable=False),
        sa.Column("explanation", postgresql.ARRAY(sa.Text()), server_default="{}",
                  nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("status_by", sa.UUID(), nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'shortlisted', 'maybe', 'rejected')",
                           name=op.f("ck_recruiting_candidates_status_known")),
        sa.PrimaryKeyConstraint("job_id", "candidate_id", name=op.f("pk_recruiting_candidates")),
    )
    op.create_index("ix_recruiting_candidates_job_id_score_candidate_id",
                    "recruiting_candidates", ["job_id", "score", "candidate_id"])
    op.create_index("ix_recruiting_candidates_job_id_scored_at_candidate_id",
                    "recruiting_candidates", ["job_id", "scored_at", "candidate_id"])
    op.create_index("ix_recruiting_candidates_candidate_id", "recruiting_candidates",
                    ["candidate_id"])


def downgrade() -> None:
    op.drop_table("recruiting_candidates")
    op.drop_table("recruiting_jobs")
    op.drop_table("recruiting_audit_log")
    op.drop_table("recruiting_members")
    op.drop_table("recruiting_companies")

"""interviews: recruiting's interviews and its interviewers' bookings (no double booking),
the notification service's interview reminders

Revision ID: 0015_interviews
Revises: 0013_recruiting_erased
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015_interviews"
down_revision = "0014_recruiting_questionnaires"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The exclusion constraint compares interviewer ids (uuid) with "=" inside a GiST index.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "recruiting_interviews",
        sa.Column("interview_id", sa.UUID(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("interviewer_ids", postgresql.ARRAY(sa.UUID()), nullable=False),
        sa.Column("sequence", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('phone', 'video', 'in_person')",
                           name=op.f("ck_recruiting_interviews_kind_known")),
        sa.CheckConstraint("status IN ('scheduled', 'cancelled', 'completed')",
                           name=op.f("ck_recruiting_interviews_status_known")),
        sa.CheckConstraint("duration_min > 0",
                           name=op.f("ck_recruiting_interviews_duration_positive")),
        sa.ForeignKeyConstraint(["job_id"], ["recruiting_jobs.job_id"],
                                name=op.f("fk_recruiting_interviews_job_id_recruiting_jobs")),
        sa.PrimaryKeyConstraint("interview_id", name=op.f("pk_recruiting_interviews")),
    )
    op.create_index("ix_recruiting_interviews_job_id_starts_at", "recruiting_interviews",
                    ["job_id", "starts_at"])
    op.create_index("ix_recruiting_interviews_candidate_id", "recruiting_interviews",
                    ["candidate_id"])
    op.create_table(
        "recruiting_interview_slots",
        sa.Column("interview_id", sa.UUID(), nullable=False),
        sa.Column("interviewer_id", sa.UUID(), nullable=False),
        sa.Column("during", postgresql.TSTZRANGE(), nullable=False),
        sa.PrimaryKeyConstraint("interview_id", "interviewer_id",
                                name=op.f("pk_recruiting_interview_slots")),
        postgresql.ExcludeConstraint(
            (sa.column("interviewer_id"), "="), (sa.column("during"), "&&"), using="gist",
            name="ex_recruiting_interview_slots_interviewer_free"),
    )
    op.create_table(
        "notification_interview_reminders",
        sa.Column("interview_id", sa.UUID(), nullable=False),
        sa.Column("lead_s", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("recipient_ids", postgresql.ARRAY(sa.UUID()), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("interview_id", "lead_s",
                                name=op.f("pk_notification_interview_reminders")),
    )
    op.create_index("ix_notification_interview_reminders_due",
                    "notification_interview_reminders", ["due_at"],
                    postgresql_where=sa.text("settled_at IS NULL"))
    op.create_index("ix_notification_interview_reminders_candidate_id",
                    "notification_interview_reminders", ["candidate_id"])


def downgrade() -> None:
    op.drop_table("notification_interview_reminders")
    op.drop_table("recruiting_interview_slots")
    op.drop_table("recruiting_interviews")

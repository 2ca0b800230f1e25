"""recruiting: versioned job questionnaires and candidates' answers; the ATS engine's answers
per pair, and a pair scored anew for each set of answers

Revision ID: 0014_recruiting_questionnaires
Revises: 0013_recruiting_erased
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0014_recruiting_questionnaires"
down_revision = "0013_recruiting_erased"
branch_labels = None
# The ATS engine's pair constraint, as job revisions made it.
depends_on = ("0009_job_updates",)

_PAIR_REVISION = "uq_ats_matches_pair_revision"


def upgrade() -> None:
    op.create_table(
        "recruiting_questionnaires",
        sa.Column("questionnaire_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("questions", JSONB(), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["recruiting_jobs.job_id"],
                                name=op.f("fk_recruiting_questionnaires_job_id_recruiting_jobs")),
        sa.PrimaryKeyConstraint("questionnaire_id", "version",
                                name=op.f("pk_recruiting_questionnaires")),
    )
    op.create_index("ix_recruiting_questionnaires_job_id", "recruiting_questionnaires",
                    ["job_id"])
    op.create_table(
        "recruiting_answers",
        sa.Column("answers_id", sa.UUID(), nullable=False),
        sa.Column("questionnaire_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=True),
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("answers", JSONB(), nullable=False),
        sa.Column("results", JSONB(), nullable=False),
        sa.Column("question_score", sa.Float(), nullable=True),
        sa.Column("submitted_by", sa.UUID(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('employer', 'fit')",
                           name=op.f("ck_recruiting_answers_kind_known")),
        sa.PrimaryKeyConstraint("answers_id", name=op.f("pk_recruiting_answers")),
    )
    op.create_index("ix_recruiting_answers_candidate_id", "recruiting_answers", ["candidate_id"])
    op.create_index("ix_recruiting_answers_questionnaire_id_candidate_id", "recruiting_answers",
                    ["questionnaire_id", "candidate_id"])
    op.add_column("recruiting_candidates", sa.Column("question_score", sa.Float(),
                                                     nullable=True))
    op.add_column("recruiting_candidates", sa.Column("questions", JSONB(), server_default="[]",
                                                     nullable=False))
    op.create_table(
        "ats_question_answers",
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="0", nullable=False),
        sa.Column("answers_id", sa.UUID(), nullable=False),
        sa.Column("results", JSONB(), nullable=False),
        sa.Column("question_score", sa.Float(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("candidate_id", "job_id", name=op.f("pk_ats_question_answers")),
    )
    op.create_index("ix_ats_question_answers_job_id", "ats_question_answers", ["job_id"])
    op.add_column("ats_matches", sa.Column("answers_revision", sa.Integer(), server_default="0",
                                           nullable=False))
    # Each set of answers is scored as a new pair: one row per answers revision.
    op.drop_constraint(_PAIR_REVISION, "ats_matches", type_="unique")
    op.create_unique_constraint(_PAIR_REVISION, "ats_matches",
                                ["job_id", "candidate_id", "resume_version_id", "job_revision",
                                 "answers_revision"])


def downgrade() -> None:
    op.execute("DELETE FROM ats_matches WHERE answers_revision > 0")
    op.drop_constraint(_PAIR_REVISION, "ats_matches", type_="unique")
    op.create_unique_constraint(_PAIR_REVISION, "ats_matches",
                                ["job_id", "candidate_id", "resume_version_id", "job_revision"])
    op.drop_column("ats_matches", "answers_revision")
    op.drop_table("ats_question_answers")
    op.drop_column("recruiting_candidates", "questions")
    op.drop_column("recruiting_candidates", "question_score")
    op.drop_table("recruiting_answers")
    op.drop_table("recruiting_questionnaires")

"""re-score tasks: the recruiting service's per job, the ATS engine's queue, the weights
version each match was scored with and the one the engine scores with now

Revision ID: 0017_rescore_tasks
Revises: 0013_recruiting_erased
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_rescore_tasks"
down_revision = "0016_recruiting_notes_links"
branch_labels = None
# The ATS engine's matches are keyed by job revision on a branch of their own.
depends_on = ("0009_job_updates",)

_PAIR_REVISION = "uq_ats_matches_pair_revision"
_PAIR_REVISION_WEIGHTS = "uq_ats_matches_pair_revision_weights"
_ACTIVE = sa.text("status IN ('queued', 'running')")


def upgrade() -> None:
    op.add_column("ats_matches", sa.Column("weights_version", sa.Text(), server_default="",
                                           nullable=False))
    # What each match recorded of its config version is its weights version.
    op.execute("UPDATE ats_matches SET weights_version = details->'versions'->>'config' "
               "WHERE details->'versions'->>'config' IS NOT NULL")
    op.drop_constraint(_PAIR_REVISION, "ats_matches", type_="unique")
    op.create_unique_constraint(_PAIR_REVISION_WEIGHTS, "ats_matches", [
        "job_id", "candidate_id", "resume_version_id", "job_revision", "answers_revision",
        "weights_version"])
    op.create_table(
        "ats_rescore_queue",
        sa.Column("task_id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')",
                           name=op.f("ck_ats_rescore_queue_status_known")),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_ats_rescore_queue")),
    )
    op.create_index("ix_ats_rescore_queue_priority_requested_at", "ats_rescore_queue",
                    ["priority", "requested_at"], postgresql_where=_ACTIVE)
    op.create_table(
        "ats_weights_state",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ats_weights_state")),
    )
    op.add_column("recruiting_candidates", sa.Column("weights_version", sa.Text(),
                                                     nullable=True))
    op.create_table(
        "recruiting_rescore_tasks",
        sa.Column("task_id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("priority", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("once_key", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.UUID(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("weights_version", sa.Text(), nullable=True),
        sa.Column("pairs", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("weights_due", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')",
                           name=op.f("ck_recruiting_rescore_tasks_status_known")),
        sa.CheckConstraint("priority IN ('normal', 'high')",
                           name=op.f("ck_recruiting_rescore_tasks_priority_known")),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_recruiting_rescore_tasks")),
    )
    op.create_index("uq_recruiting_rescore_tasks_job_id", "recruiting_rescore_tasks",
                    ["job_id"], unique=True, postgresql_where=_ACTIVE)
    op.create_index("uq_recruiting_rescore_tasks_job_id_once_key", "recruiting_rescore_tasks",
                    ["job_id", "once_key"], unique=True)


def downgrade() -> None:
    op.drop_table("recruiting_rescore_tasks")
    op.drop_column("recruiting_candidates", "weights_version")
    op.drop_table("ats_weights_state")
    op.drop_table("ats_rescore_queue")
    # Only the newest version's score of each pair stays under the old key.
    op.execute("DELETE FROM ats_matches m USING ats_matches n WHERE m.job_id = n.job_id "
               "AND m.candidate_id = n.candidate_id "
               "AND m.resume_version_id = n.resume_version_id "
               "AND m.job_revision = n.job_revision AND m.answers_revision = n.answers_revision "
               "AND (m.scored_at, m.match_id) < (n.scored_at, n.match_id)")
    op.drop_constraint(_PAIR_REVISION_WEIGHTS, "ats_matches", type_="unique")
    op.create_unique_constraint(_PAIR_REVISION, "ats_matches",
                                ["job_id", "candidate_id", "resume_version_id", "job_revision",
                                 "answers_revision"])
    op.drop_column("ats_matches", "weights_version")

"""job updates and reopening: job revisions, matches per job revision, reopened runs,
what changed in a review task's job

Revision ID: 0009_job_updates
Revises: 0008_bot_orphan_review
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0009_job_updates"
down_revision = "0008_bot_orphan_review"
branch_labels = None
# The job service's and the ATS engine's tables are made on branches of their own.
depends_on = ("0003_job_postings_payload_hash", "0002_ats_engine", "0003_gateway_readmodel")

_OLD_PAIR = "uq_ats_matches_job_id_candidate_id_resume_version_id"
_PAIR_REVISION = "uq_ats_matches_pair_revision"


def _count(table: str, name: str) -> None:
    op.add_column(table, sa.Column(name, sa.Integer(), nullable=False, server_default="0"))


def upgrade() -> None:
    _count("canonical_jobs", "revision")
    _count("job_sync_log", "reopened")
    _count("ats_jobs", "revision")
    _count("ats_matches", "job_revision")
    op.add_column("gw_review_tasks", sa.Column("job_changes", ARRAY(sa.Text()), nullable=True))
    # A material change of the job is scored as a new pair: one row per job revision.
    op.drop_constraint(_OLD_PAIR, "ats_matches", type_="unique")
    op.create_unique_constraint(_PAIR_REVISION, "ats_matches",
                                ["job_id", "candidate_id", "resume_version_id", "job_revision"])


def downgrade() -> None:
    op.drop_column("gw_review_tasks", "job_changes")
    op.execute("DELETE FROM ats_matches WHERE job_revision > 0")
    op.drop_constraint(_PAIR_REVISION, "ats_matches", type_="unique")
    op.create_unique_constraint(_OLD_PAIR, "ats_matches",
                                ["job_id", "candidate_id", "resume_version_id"])
    for table, name in (("ats_matches", "job_revision"), ("ats_jobs", "revision"),
                        ("job_sync_log", "reopened"), ("canonical_jobs", "revision")):
        op.drop_column(table, name)

"""job postings: the raw payload's hash under its own name, no second canonical job id

Revision ID: 0003_job_postings_payload_hash
Revises: 0002_job_service
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_job_postings_payload_hash"
down_revision = "0002_job_service"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The column always held the raw payload's hash; canonical jobs have their own fingerprint.
    op.alter_column("job_postings", "fingerprint", new_column_name="payload_hash")
    # Canonical job ids are given when a posting is folded into a job (canonical_jobs).
    op.drop_column("job_postings", "canonical_job_id")


def downgrade() -> None:
    # The ids dropped were never read; the nil UUID stands in for them.
    op.add_column("job_postings", sa.Column(
        "canonical_job_id", sa.UUID(), nullable=False,
        server_default=sa.text("'00000000-0000-0000-0000-000000000000'")))
    op.alter_column("job_postings", "canonical_job_id", server_default=None)
    op.alter_column("job_postings", "payload_hash", new_column_name="fingerprint")

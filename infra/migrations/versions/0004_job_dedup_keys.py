"""job service: canonical jobs keyed by employer, place and level, as dedup now blocks

Revision ID: 0004_job_dedup_keys
Revises: 0003_job_postings_payload_hash
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.job_discovery.jobs.normalise import parse_location
from services.job_discovery.jobs.posting import fingerprint_of

revision = "0004_job_dedup_keys"
down_revision = "0003_job_postings_payload_hash"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Without this, an open job stored under the old key (employer, title, place) would never
    # meet a new sighting of itself, and be published a second time.
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT job_id, company, title, location FROM canonical_jobs"))
    keys = [{"id": row.job_id,
             "key": fingerprint_of(row.company, row.title, parse_location(row.location))}
            for row in rows]
    if keys:
        conn.execute(sa.text("UPDATE canonical_jobs SET canonical_key = :key WHERE job_id = :id"),
                     keys)


def downgrade() -> None:
    # The old keys named the title as an earlier normaliser spelt it; that code is gone, so
    # the keys stay. Older code then publishes a new sighting of an open job as a new job.
    pass

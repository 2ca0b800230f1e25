"""job service: canonical jobs keyed by employer and place, as the dedup rule now blocks

Revision ID: 0004_job_keys_employer_place
Revises: 0003_job_postings_payload_hash
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.job_discovery.jobs.dedup import fingerprint
from services.job_discovery.jobs.normalise import company_key, parse_location

revision = "0004_job_keys_employer_place"
down_revision = "0003_job_postings_payload_hash"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Without this, an open job stored under the old key (employer, title, place) would never
    # meet a new sighting of itself, and be published a second time.
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT job_id, company, location FROM canonical_jobs"))
    places = [(row.job_id, row.company, parse_location(row.location).key) for row in rows]
    keys = [{"id": job_id, "key": fingerprint(company_key(company, place), place)}
            for job_id, company, place in places]
    if keys:
        conn.execute(sa.text("UPDATE canonical_jobs SET canonical_key = :key WHERE job_id = :id"),
                     keys)


def downgrade() -> None:
    # The old keys named the title as an earlier normaliser spelt it; that code is gone, so
    # the keys stay. Older code then publishes a new sighting of an open job as a new job.
    pass

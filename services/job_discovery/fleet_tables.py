"""Tables of the scrape fleet: runs claimed through leases, and each source's cursor."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from infra.columns import counter, table, updated_at

# One row per due run; workers claim rows with FOR UPDATE SKIP LOCKED and hold a lease.
scrape_runs = table(
    "scrape_runs",
    sa.Column("run_id", sa.Text, primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("state", sa.Text, nullable=False, server_default="pending"),
    sa.Column("lease_owner", sa.Text),
    sa.Column("lease_until", sa.DateTime(timezone=True)),
    counter("attempts"),
    sa.Column("started_at", sa.DateTime(timezone=True)),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    # Counts and every problem with its reason: the fetch side's log of the run.
    sa.Column("summary", JSONB),
    sa.CheckConstraint("state IN ('pending', 'running', 'done', 'failed')",
                       name="state"),
    # Schedulers on several workers insert the same due run once.
    sa.UniqueConstraint("source", "due_at", name="uq_scrape_runs_source_due_at"),
    sa.Index("ix_scrape_runs_claimable", "state", "due_at"),
)

# Per source: where the next run starts, and how many jobs it usually lists.
source_state = table(
    "source_state",
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("cursor", sa.Text),
    sa.Column("usual_listed", sa.Float),
    counter("runs"),
    updated_at(),
)

"""Tables of the workflow service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from infra.columns import counter, created_at, table, uuid_key

review_tasks = table(
    "review_tasks",
    uuid_key("task_id"),
    sa.Column("match_id", UUID(as_uuid=True), nullable=False),
    sa.Column("candidate_id", UUID(as_uuid=True), nullable=False),
    sa.Column("job_id", UUID(as_uuid=True), nullable=False),
    sa.Column("apply_url", sa.Text, nullable=False),
    sa.Column("resume_version_id", UUID(as_uuid=True), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("job_title", sa.Text, nullable=False, server_default=""),
    sa.Column("company", sa.Text, nullable=False, server_default=""),
    sa.Column("explanation", JSONB, nullable=False, server_default="[]"),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("reviewer_id", UUID(as_uuid=True)),
    created_at(),
    sa.Column("assigned_at", sa.DateTime(timezone=True)),
    sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("final_resume_version_id", UUID(as_uuid=True)),
    sa.Column("reject_reason", sa.Text),
    sa.Column("priority", sa.Float, nullable=False, server_default="0"),
    sa.Column("queue_rank", sa.DateTime(timezone=True)),
    sa.Column("tags", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("slot", sa.Integer),
    sa.Column("offered_at", sa.DateTime(timezone=True)),
    sa.Column("offer_expires_at", sa.DateTime(timezone=True)),
    sa.Column("warn_at", sa.DateTime(timezone=True)),
    sa.Column("warned", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("missed_by", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    sa.Column("returned_by", ARRAY(UUID(as_uuid=True)), nullable=False, server_default="{}"),
    counter("revision"),
    # The score's parts, matched and missing skills, hints, the resume's blob key, a question.
    sa.Column("details", JSONB, nullable=False, server_default="{}"),
    sa.CheckConstraint(
        "state IN ('queued', 'offered', 'assigned', 'completed', 'rejected')",
        name="state_known_v2",
    ),
    sa.CheckConstraint(
        "state NOT IN ('offered', 'assigned') OR (reviewer_id IS NOT NULL AND slot IS NOT NULL)",
        name="held_has_reviewer_slot",
    ),
    # Capacity, enforced by PostgreSQL itself: each reviewer has `capacity` numbered slots and
    # a held task occupies one; two transactions filling the same slot cannot both commit,
    # whatever the application code checked first.
    sa.Index(
        "uq_review_tasks_reviewer_slot",
        "reviewer_id",
        "slot",
        unique=True,
        postgresql_where=sa.text("state IN ('offered', 'assigned')"),
    ),
    sa.Index(
        "ix_review_tasks_queue_rank", "queue_rank",
        postgresql_where=sa.text("state = 'queued'"),
    ),
    sa.Index("ix_review_tasks_reviewer_assigned_at", "reviewer_id", "assigned_at"),
)

# Durable timers, one per task (its next SLA event): fired by whichever replica claims the
# row first (FOR UPDATE SKIP LOCKED); one row per task keeps the lock order simple.
review_timers = table(
    "review_timers",
    uuid_key("task_id"),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("fire_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    counter("attempts"),
    sa.Index("ix_review_timers_fire_at", "fire_at"),
)

# One row per reviewer the workflow has dealt with: last offer (fairness), when it last sent
# them away (a missed or declined task), lock state, and since when their account may not
# review (disabled, or given another role).
reviewers = table(
    "review_reviewers",
    uuid_key("reviewer_id"),
    sa.Column("last_offered_at", sa.DateTime(timezone=True)),
    sa.Column("locked_at", sa.DateTime(timezone=True)),
    sa.Column("strikes_cleared_at", sa.DateTime(timezone=True)),
    sa.Column("unlocked_by", sa.Text),
    sa.Column("unlock_reason", sa.Text),
    sa.Column("sent_away_at", sa.DateTime(timezone=True)),
    sa.Column("disabled_at", sa.DateTime(timezone=True)),
)

strikes = table(
    "review_strikes",
    uuid_key("reviewer_id"),
    uuid_key("task_id"),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("struck_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_review_strikes_reviewer_at", "reviewer_id", "struck_at"),
)

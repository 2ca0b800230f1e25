"""workflow: offers, SLA timers, slots for capacity, strikes and locks

Revision ID: 0002_workflow
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_workflow"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("review_tasks", sa.Column("priority", sa.Float(), server_default="0",
                                            nullable=False))
    op.add_column("review_tasks", sa.Column("queue_rank", sa.DateTime(timezone=True)))
    op.add_column("review_tasks", sa.Column("tags", postgresql.ARRAY(sa.Text()),
                                            server_default="{}", nullable=False))
    op.add_column("review_tasks", sa.Column("slot", sa.Integer()))
    op.add_column("review_tasks", sa.Column("offered_at", sa.DateTime(timezone=True)))
    op.add_column("review_tasks", sa.Column("offer_expires_at", sa.DateTime(timezone=True)))
    op.add_column("review_tasks", sa.Column("warn_at", sa.DateTime(timezone=True)))
    op.add_column("review_tasks", sa.Column("warned", sa.Boolean(), server_default=sa.false(),
                                            nullable=False))
    op.add_column("review_tasks", sa.Column("missed_by", postgresql.ARRAY(sa.UUID()),
                                            server_default="{}", nullable=False))
    op.add_column("review_tasks", sa.Column("revision", sa.Integer(), server_default="0",
                                            nullable=False))
    op.execute("UPDATE review_tasks SET queue_rank = created_at")
    op.execute("UPDATE review_tasks SET slot = 0 WHERE state = 'assigned'")
    op.drop_constraint(op.f("ck_review_tasks_assigned_has_reviewer"), "review_tasks")
    op.drop_constraint(op.f("ck_review_tasks_state_known"), "review_tasks")
    op.drop_index("uq_review_tasks_one_assigned_per_reviewer", "review_tasks")
    op.drop_index("ix_review_tasks_queue", "review_tasks")
    op.create_check_constraint(
        op.f("ck_review_tasks_state_known_v2"), "review_tasks",
        "state IN ('queued', 'offered', 'assigned', 'completed', 'rejected')",
    )
    op.create_check_constraint(
        op.f("ck_review_tasks_held_has_reviewer_slot"), "review_tasks",
        "state NOT IN ('offered', 'assigned') OR (reviewer_id IS NOT NULL AND slot IS NOT NULL)",
    )
    op.create_index("uq_review_tasks_reviewer_slot", "review_tasks", ["reviewer_id", "slot"],
                    unique=True, postgresql_where=sa.text("state IN ('offered', 'assigned')"))
    op.create_index("ix_review_tasks_queue_rank", "review_tasks", ["queue_rank"],
                    postgresql_where=sa.text("state = 'queued'"))
    op.create_table(
        "review_timers",
        sa.Column("task_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("fire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("task_id", name="pk_review_timers"),
    )
    op.create_index("ix_review_timers_fire_at", "review_timers", ["fire_at"])
    op.create_table(
        "review_reviewers",
        sa.Column("reviewer_id", sa.UUID(), nullable=False),
        sa.Column("last_offered_at", sa.DateTime(timezone=True)),
        sa.Column("locked_at", sa.DateTime(timezone=True)),
        sa.Column("strikes_cleared_at", sa.DateTime(timezone=True)),
        sa.Column("unlocked_by", sa.Text()),
        sa.Column("unlock_reason", sa.Text()),
        sa.PrimaryKeyConstraint("reviewer_id", name="pk_review_reviewers"),
    )
    op.create_table(
        "review_strikes",
        sa.Column("reviewer_id", sa.UUID(), nullable=False),
        sa.Column("task_id", sa.UUID(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("struck_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reviewer_id", "task_id", "revision", name="pk_review_strikes"),
    )
    op.create_index("ix_review_strikes_reviewer_at", "review_strikes",
                    ["reviewer_id", "struck_at"])


def downgrade() -> None:
    op.drop_table("review_strikes")
    op.drop_table("review_reviewers")
    op.drop_table("review_timers")
    op.drop_index("ix_review_tasks_queue_rank", "review_tasks")
    op.drop_index("uq_review_tasks_reviewer_slot", "review_tasks")
    op.drop_constraint(op.f("ck_review_tasks_held_has_reviewer_slot"), "review_tasks")
    op.drop_constraint(op.f("ck_review_tasks_state_known_v2"), "review_tasks")
    for column in ("revision", "missed_by", "warned", "warn_at", "offer_expires_at",
                   "offered_at", "slot", "tags", "queue_rank", "priority"):
        op.drop_column("review_tasks", column)


"""application bot: applications waiting for a candidate's portal session

Revision ID: 0007_application_bot_waiting
Revises: 0006_workflow_reviewer_access
"""

from __future__ import annotations

from alembic import op

revision = "0007_application_bot_waiting"
down_revision = "0006_workflow_reviewer_access"
branch_labels = None
depends_on = None

_STATES = "'pending', 'submitting', 'submitted', 'failed', 'unknown'"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_applications_state"), "applications", type_="check")
    op.create_check_constraint(op.f("ck_applications_state"), "applications",
                               f"state IN ({_STATES}, 'waiting')")


def downgrade() -> None:
    op.execute("UPDATE applications SET state = 'pending' WHERE state = 'waiting'")
    op.drop_constraint(op.f("ck_applications_state"), "applications", type_="check")
    op.create_check_constraint(op.f("ck_applications_state"), "applications",
                               f"state IN ({_STATES})")

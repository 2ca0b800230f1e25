"""recruiting: companies, members, the audit log

Revision ID: 0010_recruiting
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010_recruiting"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recruiting_companies",
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_recruiting_companies")),
    )
    op.create_table(
        "recruiting_members",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("added_by", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["recruiting_companies.company_id"],
                                name=op.f("fk_recruiting_members_company_id_recruiting_companies")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_recruiting_members")),
    )
    op.create_index("ix_recruiting_members_company_id", "recruiting_members", ["company_id"])
    op.create_table(
        "recruiting_audit_log",
        sa.Column("audit_id", sa.UUID(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.UUID(), nullable=False),
        sa.Column("actor_role", sa.Text(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("object_type", sa.Text(), nullable=False),
        sa.Column("object_id", sa.Text(), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()),
                  server_default="{}", nullable=False),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_recruiting_audit_log")),
    )
    op.create_index("ix_recruiting_audit_log_object_type_object_id", "recruiting_audit_log",
                    ["object_type", "object_id"])


def downgrade() -> None:
    op.drop_table("recruiting_audit_log")
    op.drop_table("recruiting_members")
    op.drop_table("recruiting_companies")

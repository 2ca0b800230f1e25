"""gateway accounts: users, refresh-token families, audit log

Revision ID: 0003_gateway_accounts
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_gateway_accounts"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gw_users",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("disabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'operator', 'supervisor', 'reviewer', 'candidate')",
            name=op.f("ck_gw_users_role_known"),
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_gw_users")),
    )
    op.create_index("uq_gw_users_email", "gw_users", ["email"], unique=True)
    op.create_table(
        "gw_refresh_tokens",
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("family_id", sa.UUID(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(["user_id"], ["gw_users.user_id"], ondelete="CASCADE",
                                name=op.f("fk_gw_refresh_tokens_user_id_gw_users")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_gw_refresh_tokens")),
    )
    op.create_index("ix_gw_refresh_tokens_family_id", "gw_refresh_tokens", ["family_id"])
    op.create_index("ix_gw_refresh_tokens_user_id", "gw_refresh_tokens", ["user_id"])
    op.create_table(
        "gw_audit_log",
        sa.Column("audit_id", sa.UUID(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("actor_role", sa.Text()),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("object_type", sa.Text(), nullable=False),
        sa.Column("object_id", sa.Text(), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}",
                  nullable=False),
        sa.Column("request_id", sa.Text()),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_gw_audit_log")),
    )
    op.create_index("ix_gw_audit_log_time", "gw_audit_log", ["time"])
    op.create_index("ix_gw_audit_log_object", "gw_audit_log", ["object_type", "object_id"])


def downgrade() -> None:
    op.drop_table("gw_audit_log")
    op.drop_table("gw_refresh_tokens")
    op.drop_table("gw_users")

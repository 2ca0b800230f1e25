"""Tables of accounts and refresh tokens."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from infra.db import metadata

users = sa.Table(
    "gw_users",
    metadata,
    # A reviewer's user_id is their reviewer_id; a candidate's is their candidate_id.
    sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("email", sa.Text, nullable=False),  # stored lower-cased
    sa.Column("password_hash", sa.Text, nullable=False),  # argon2id, with its parameters
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(
        "role IN ('admin', 'operator', 'supervisor', 'reviewer', 'candidate', 'recruiter', "
        "'hiring_manager', 'company_admin')", name="role_known"
    ),
    sa.Index("uq_gw_users_email", "email", unique=True),
)

refresh_tokens = sa.Table(
    "gw_refresh_tokens",
    metadata,
    # Only a hash is kept: a leaked table holds no usable tokens.
    sa.Column("token_hash", sa.Text, primary_key=True),
    sa.Column("user_id", UUID(as_uuid=True),
              sa.ForeignKey("gw_users.user_id", ondelete="CASCADE"), nullable=False),
    # Every token descended from one login shares a family; reuse revokes the family.
    sa.Column("family_id", UUID(as_uuid=True), nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rotated_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Index("ix_gw_refresh_tokens_family_id", "family_id"),
    sa.Index("ix_gw_refresh_tokens_user_id", "user_id"),
)

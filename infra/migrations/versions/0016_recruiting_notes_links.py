"""recruiting: notes on candidates with every revision, members' e-mail for mentions, shared
links and their views

Revision ID: 0016_recruiting_notes_links
Revises: 0013_recruiting_erased
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016_recruiting_notes_links"
down_revision = "0015_interviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("recruiting_members", sa.Column("email", sa.Text(), nullable=True))
    op.create_table(
        "recruiting_notes",
        sa.Column("note_id", sa.UUID(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("author_id", sa.UUID(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("mentions", postgresql.ARRAY(sa.UUID()), server_default="{}",
                  nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("note_id", name=op.f("pk_recruiting_notes")),
    )
    op.create_index("ix_recruiting_notes_candidate_id_company_id", "recruiting_notes",
                    ["candidate_id", "company_id"])
    op.create_table(
        "recruiting_note_revisions",
        sa.Column("note_id", sa.UUID(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("mentions", postgresql.ARRAY(sa.UUID()), server_default="{}",
                  nullable=False),
        sa.Column("written_by", sa.UUID(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("note_id", "revision",
                                name=op.f("pk_recruiting_note_revisions")),
    )
    op.create_index("ix_recruiting_note_revisions_candidate_id", "recruiting_note_revisions",
                    ["candidate_id"])
    op.create_table(
        "recruiting_shared_links",
        sa.Column("link_id", sa.UUID(), nullable=False),
        sa.Column("company_id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=False),
        sa.Column("candidate_id", sa.UUID(), nullable=False),
        sa.Column("hidden_fields", postgresql.ARRAY(sa.Text()), server_default="{}",
                  nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.UUID(), nullable=True),
        sa.PrimaryKeyConstraint("link_id", name=op.f("pk_recruiting_shared_links")),
    )
    op.create_index("ix_recruiting_shared_links_job_id_candidate_id", "recruiting_shared_links",
                    ["job_id", "candidate_id"])
    op.create_index("ix_recruiting_shared_links_candidate_id", "recruiting_shared_links",
                    ["candidate_id"])
    op.create_table(
        "recruiting_link_views",
        sa.Column("view_id", sa.UUID(), nullable=False),
        sa.Column("link_id", sa.UUID(), nullable=False),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("client_addr", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.CheckConstraint("outcome IN ('shown', 'expired', 'revoked')",
                           name=op.f("ck_recruiting_link_views_outcome_known")),
        sa.PrimaryKeyConstraint("view_id", name=op.f("pk_recruiting_link_views")),
    )
    op.create_index("ix_recruiting_link_views_link_id", "recruiting_link_views", ["link_id"])


def downgrade() -> None:
    for name in ("recruiting_link_views", "recruiting_shared_links",
                 "recruiting_note_revisions", "recruiting_notes"):
        op.drop_table(name)
    op.drop_column("recruiting_members", "email")

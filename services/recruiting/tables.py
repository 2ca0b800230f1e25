"""Tables of the recruiting service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from infra.columns import created_at, table, updated_at, uuid_key

companies = table(
    "recruiting_companies",
    uuid_key("company_id"),
    sa.Column("name", sa.Text, nullable=False),
    created_at(),
)

# Each employer's account belongs to one company; the account's role says what they may do.
members = table(
    "recruiting_members",
    uuid_key("user_id"),
    sa.Column("company_id", UUID(as_uuid=True),
              sa.ForeignKey("recruiting_companies.company_id"), nullable=False),
    sa.Column("added_by", UUID(as_uuid=True), nullable=False),
    created_at(),
    sa.Index("ix_recruiting_members_company_id", "company_id"),
)

# Who did what to which company's objects, and from which request; ids only, so erasing a
# candidate leaves it whole.
audit_log = table(
    "recruiting_audit_log",
    uuid_key("audit_id"),
    sa.Column("time", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", UUID(as_uuid=True), nullable=False),
    sa.Column("actor_role", sa.Text, nullable=False),
    sa.Column("company_id", UUID(as_uuid=True), nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("object_type", sa.Text, nullable=False),
    sa.Column("object_id", sa.Text, nullable=False),
    sa.Column("details", JSONB, nullable=False, server_default="{}"),
    sa.Column("request_id", sa.Text),
    sa.Index("ix_recruiting_audit_log_object_type_object_id", "object_type", "object_id"),
)

# Jobs an employer posts; a published one is announced as every canonical job is.
jobs = table(
    "recruiting_jobs",
    uuid_key("job_id"),
    sa.Column("company_id", UUID(as_uuid=True),
              sa.ForeignKey("recruiting_companies.company_id"), nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("location", sa.Text, nullable=False),
    sa.Column("apply_url", sa.Text),
    sa.Column("country", sa.Text),
    sa.Column("workplace", sa.Text),
    sa.Column("employment_type", sa.Text),
    sa.Column("salary_min", sa.Float),
    sa.Column("salary_max", sa.Float),
    sa.Column("salary_currency", sa.Text),
    sa.Column("salary_period", sa.Text),
    sa.Column("created_by", UUID(as_uuid=True), nullable=False),
    created_at(),
    updated_at(),
    sa.Column("published_at", sa.DateTime(timezone=True)),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint("status IN ('draft', 'published', 'closed')", name="status_known"),
    sa.Index("ix_recruiting_jobs_company_id_created_at", "company_id", "created_at"),
)

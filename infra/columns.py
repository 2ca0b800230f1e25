"""Declaring tables: each on the one shared metadata, with the column kinds many of them share."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from infra.db import metadata


def table(name: str, *parts: sa.schema.SchemaItem) -> sa.Table:
    """A table on the shared metadata, where Alembic and the table registry find it."""
    return sa.Table(name, metadata, *parts)


def uuid_key(name: str) -> sa.Column[uuid.UUID]:
    """A UUID primary key (or one part of a composite one)."""
    return sa.Column(name, UUID(as_uuid=True), primary_key=True)


def counter(name: str) -> sa.Column[int]:
    """A count that starts at zero."""
    return sa.Column(name, sa.Integer, nullable=False, server_default="0")


def created_at() -> sa.Column[datetime]:
    """When the row was written first."""
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def updated_at() -> sa.Column[datetime]:
    """When the row last changed."""
    return sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False)


def job_terms() -> list[sa.Column[object]]:
    """Where and on what terms a job is offered, stored alike by every table of jobs."""
    return [sa.Column("country", sa.Text), sa.Column("workplace", sa.Text),
            sa.Column("employment_type", sa.Text), sa.Column("salary_min", sa.Float),
            sa.Column("salary_max", sa.Float), sa.Column("salary_currency", sa.Text),
            sa.Column("salary_period", sa.Text)]

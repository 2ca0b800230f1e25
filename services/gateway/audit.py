"""The audit log: who changed what, when, from which request; written with the change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.auth import Principal
from infra.db import metadata
from infra.http_conventions import current_request_id

audit_log = sa.Table(
    "gw_audit_log",
    metadata,
    sa.Column("audit_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("time", sa.DateTime(timezone=True), nullable=False),
    # A user id, or a name such as "cli" or "system" when no user acted.
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("actor_role", sa.Text),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("object_type", sa.Text, nullable=False),
    sa.Column("object_id", sa.Text, nullable=False),
    # Ids and settings only: personal data stays out, so erasing a person leaves this intact.
    sa.Column("details", JSONB, nullable=False, server_default="{}"),
    sa.Column("request_id", sa.Text),
    sa.Index("ix_gw_audit_log_time", "time"),
    sa.Index("ix_gw_audit_log_object", "object_type", "object_id"),
)


async def record(
    conn: AsyncConnection,
    *,
    at: datetime,
    actor: Principal | str,
    action: str,
    object_type: str,
    object_id: uuid.UUID | str,
    details: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> uuid.UUID:
    """Add one audit entry on `conn`, so it commits (or not) with the change it describes.

    `request_id` defaults to the id of the HTTP request being served, if any.
    """
    audit_id = uuid.uuid4()
    if isinstance(actor, Principal):
        actor_name, role = str(actor.user_id), str(actor.role)
    else:
        actor_name, role = actor, None
    await conn.execute(audit_log.insert().values(
        audit_id=audit_id, time=at, actor=actor_name, actor_role=role, action=action,
        object_type=object_type, object_id=str(object_id), details=details or {},
        request_id=request_id if request_id is not None else (current_request_id() or None),
    ))
    return audit_id


async def entries(conn: AsyncConnection, *, object_type: str | None = None,
                  object_id: uuid.UUID | str | None = None,
                  limit: int = 100) -> list[dict[str, Any]]:
    """The newest entries first, optionally for one object."""
    query = sa.select(audit_log).order_by(audit_log.c.time.desc()).limit(limit)
    if object_type is not None:
        query = query.where(audit_log.c.object_type == object_type)
    if object_id is not None:
        query = query.where(audit_log.c.object_id == str(object_id))
    return [dict(row._mapping) for row in await conn.execute(query)]

"""Keyset pagination over (created_at, id), newest first, with opaque cursors."""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncConnection

MAX_LIMIT = 200
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class InvalidCursor(ValueError):
    """A cursor this API did not hand out (or one for another list)."""


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def encode_cursor(created_at: datetime, ident: object) -> str:
    raw = json.dumps([created_at.isoformat(), str(ident)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, id_column: sa.Column[Any]) -> tuple[datetime, object]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, ident = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(ident, str) or _UNSTORABLE.search(ident):
            raise ValueError("unusable id")
        when = datetime.fromisoformat(at)
        if when.tzinfo is None:
            raise ValueError("naive time")
        return when, uuid.UUID(ident) if isinstance(id_column.type, UUID) else str(ident)
    except (ValueError, TypeError, binascii.Error, UnicodeError) as exc:
        raise InvalidCursor("invalid cursor") from exc


async def page(conn: AsyncConnection, table: sa.Table, id_column: sa.Column[Any], *,
               where: Sequence[sa.ColumnElement[bool]] = (), cursor: str | None = None,
               limit: int = 50, columns: Sequence[sa.ColumnElement[Any]] | None = None) -> Page:
    """One page of `table`'s rows matching `where`, newest first."""
    created = table.c.created_at
    query = sa.select(*(columns or table.c)).where(*where)
    if cursor:
        at, ident = decode_cursor(cursor, id_column)
        query = query.where(sa.tuple_(created, id_column) < sa.tuple_(
            sa.literal(at, created.type), sa.literal(ident, id_column.type)))
    limit = max(1, min(limit, MAX_LIMIT))
    rows = (await conn.execute(query.order_by(created.desc(), id_column.desc())
                               .limit(limit + 1))).mappings().all()
    items = [dict(row) for row in rows[:limit]]
    more = len(rows) > limit
    last = rows[limit - 1] if more else None
    return Page(items, encode_cursor(last["created_at"], last[id_column.name]) if last else None)


async def one(conn: AsyncConnection, table: sa.Table, id_column: sa.Column[Any],
              ident: object) -> dict[str, Any] | None:
    row = (await conn.execute(sa.select(table).where(id_column == ident))).mappings().first()
    return dict(row) if row else None

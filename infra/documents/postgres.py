"""Documents as JSONB rows, for the single-machine mode."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.db import metadata
from infra.documents.port import validate_document

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("collection", sa.Text, primary_key=True),
    sa.Column("doc_id", sa.Text, primary_key=True),
    sa.Column("body", JSONB, nullable=False),
)


class PostgresDocumentStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def put(self, collection: str, doc_id: str, document: dict[str, Any]) -> None:
        validate_document(document)
        statement = insert(documents).values(collection=collection, doc_id=doc_id, body=document)
        statement = statement.on_conflict_do_update(
            index_elements=[documents.c.collection, documents.c.doc_id],
            set_={"body": statement.excluded.body},
        )
        async with self._engine.begin() as conn:
            await conn.execute(statement)

    async def get(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        async with self._engine.connect() as conn:
            body = await conn.scalar(
                sa.select(documents.c.body).where(
                    documents.c.collection == collection, documents.c.doc_id == doc_id
                )
            )
        return dict(body) if body is not None else None

    async def count(self, collection: str) -> int:
        async with self._engine.connect() as conn:
            total = await conn.scalar(
                sa.select(sa.func.count()).where(documents.c.collection == collection)
            )
        return int(total or 0)

    async def close(self) -> None:
        """The engine belongs to the caller."""

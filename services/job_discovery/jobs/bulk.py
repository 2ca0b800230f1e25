"""Set-based inserts: a batch is COPied into a staging table and inserted by one statement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

# Below this many rows one multi-row INSERT costs less than COPY's extra round trips.
COPY_FROM_ROWS = 50


async def insert_rows(
    conn: AsyncConnection, table: sa.Table, rows: Sequence[Mapping[str, Any]],
    *, skip_conflicts: bool = False,
) -> None:
    """Insert `rows` (all with the same keys) in the caller's transaction."""
    if not rows:
        return
    if len(rows) < COPY_FROM_ROWS:
        statement = insert(table).values(list(rows))
        await conn.execute(statement.on_conflict_do_nothing() if skip_conflicts else statement)
        return
    names = list(rows[0])
    columns = ", ".join(names)
    staging = f"staging_{table.name}"
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    async with driver.cursor() as cursor:
        # A session's temp table, emptied at every commit; created on its first batch.
        await cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} "
            f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
        async with cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for row in rows:
                await copy.write_row([row[name] for name in names])
        await cursor.execute(
            f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {staging}"
            + (" ON CONFLICT DO NOTHING" if skip_conflicts else ""))
        await cursor.execute(f"TRUNCATE {staging}")

"""Tables of the PostgreSQL log behind the embedded bus transport (`infra.bus.embedded`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA

from infra.columns import table

bus_topics = table(
    "bus_topics",
    sa.Column("topic", sa.Text, primary_key=True),
    sa.Column("partitions", sa.Integer, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.CheckConstraint("partitions > 0", name="partitions_positive"),
)

# One row per partition: its row lock serialises appenders, so offsets are gapless and
# become visible in commit order; `next_offset` is also the partition's high-water mark.
bus_partitions = table(
    "bus_partitions",
    sa.Column(
        "topic", sa.Text, sa.ForeignKey("bus_topics.topic", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("partition", sa.Integer, primary_key=True),
    sa.Column("next_offset", sa.BigInteger, nullable=False, server_default="0"),
)

# The log itself. No foreign key: a per-row check would slow the bulk append, and rows are
# only ever written next to their `bus_partitions` row, in the same transaction.
bus_records = table(
    "bus_records",
    sa.Column("topic", sa.Text, primary_key=True),
    sa.Column("partition", sa.Integer, primary_key=True),
    sa.Column("offset", sa.BigInteger, primary_key=True),
    sa.Column("key", BYTEA),
    sa.Column("value", BYTEA, nullable=False),
    # Headers are ordered (name, bytes) pairs with repeats allowed: two parallel arrays keep
    # them binary-safe and still readable in SQL.
    sa.Column("header_keys", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("header_values", ARRAY(BYTEA), nullable=False, server_default="{}"),
    sa.Column(
        "appended_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

bus_group_offsets = table(
    "bus_group_offsets",
    sa.Column("group_id", sa.Text, primary_key=True),
    sa.Column("topic", sa.Text, primary_key=True),
    sa.Column("partition", sa.Integer, primary_key=True),
    sa.Column("next_offset", sa.BigInteger, nullable=False),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

BUS_TABLES: tuple[sa.Table, ...] = (bus_topics, bus_partitions, bus_records, bus_group_offsets)

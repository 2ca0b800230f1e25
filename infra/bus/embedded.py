"""The embedded transport: the bus port as a durable, partitioned log in PostgreSQL.

Semantics match the Kafka adapter: records with one key land in one partition in order,
consumer groups split partitions, offsets move only on commit (at-least-once), a new group
reads from the earliest offset. Sending to an unknown topic creates it with the default
partition count, like Kafka's `auto.create.topics.enable`, so dead-letter topics need no setup.

Appenders lock their partition's `bus_partitions` row to take a range of offsets, so offsets
are gapless and committed in order: a reader never sees offset n+1 before n. Group members
own partitions through session-level advisory locks on a connection of their own; when a
member's process or connection dies, PostgreSQL frees its partitions, and the others pick
them up at their next rebalance (every `rebalance_interval_s`). Consumers sleep on
LISTEN/NOTIFY, not on polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import psycopg
import structlog
from psycopg import AsyncConnection
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.engine import make_url

from infra.bus.embedded_tables import BUS_TABLES
from infra.bus.port import InboundRecord, Offsets, OutboundRecord, TopicPartition

log = structlog.get_logger(__name__)

CHANNEL: Final = "jams_bus"
# Kafka's rule for topic names, so a topic that works here also works in production.
_TOPIC_NAME: Final = re.compile(r"[A-Za-z0-9._-]{1,249}")

_CREATE_TOPICS: Final = """
    INSERT INTO bus_topics (topic, partitions)
    SELECT t, %(partitions)s FROM unnest(%(topics)s::text[]) AS t ORDER BY t
    ON CONFLICT DO NOTHING"""
_CREATE_PARTITIONS: Final = """
    INSERT INTO bus_partitions (topic, partition)
    SELECT t.topic, p FROM bus_topics AS t, generate_series(0, t.partitions - 1) AS p
    WHERE t.topic = ANY(%(topics)s::text[]) ORDER BY t.topic, p
    ON CONFLICT DO NOTHING"""
_TOPIC_PARTITIONS: Final = "SELECT topic, partitions FROM bus_topics WHERE topic = ANY(%s::text[])"
_ADVANCE: Final = """
    UPDATE bus_partitions SET next_offset = next_offset + %s
    WHERE topic = %s AND partition = %s RETURNING next_offset"""
_COPY: Final = """
    COPY bus_records (topic, partition, "offset", key, value, header_keys, header_values)
    FROM STDIN (FORMAT BINARY)"""
_COPY_TYPES: Final = ["text", "int4", "int8", "bytea", "bytea", "text[]", "bytea[]"]
_NOTIFY: Final = "SELECT pg_notify(%s, t) FROM unnest(%s::text[]) AS t"
_HIGH_WATER: Final = (
    "SELECT topic, partition, next_offset FROM bus_partitions WHERE topic = ANY(%s::text[])"
)
_RECORD_COLUMNS: Final = (
    'r.topic, r.partition, r."offset", r.key, r.value, r.header_keys, r.header_values'
)
# Each range must be an index range scan: as a plain join the planner may hash-join a
# sequential scan of the whole log. The LIMIT keeps the LATERAL subquery from being
# flattened into such a join, whatever the statistics say.
_READ_RANGES: Final = f"""
    SELECT {_RECORD_COLUMNS}
    FROM unnest(%s::text[], %s::int4[], %s::int8[], %s::int8[]) AS w(topic, partition, lo, hi)
    CROSS JOIN LATERAL (
        SELECT * FROM bus_records AS b
        WHERE b.topic = w.topic AND b.partition = w.partition
          AND b."offset" >= w.lo AND b."offset" < w.hi
        ORDER BY b."offset" LIMIT w.hi - w.lo
    ) AS r
    ORDER BY r.topic, r.partition, r."offset"
"""
_READ_TOPIC: Final = f"""
    SELECT {_RECORD_COLUMNS} FROM bus_records AS r
    WHERE r.topic = %s ORDER BY r.partition, r."offset"
"""
_COMMITTED: Final = """
    SELECT topic, partition, next_offset FROM bus_group_offsets
    WHERE group_id = %s AND topic = ANY(%s::text[])"""
_COMMIT: Final = """
    INSERT INTO bus_group_offsets (group_id, topic, partition, next_offset)
    SELECT %s, u.topic, u.partition, u.next_offset
    FROM unnest(%s::text[], %s::int4[], %s::int8[]) AS u(topic, partition, next_offset)
    ON CONFLICT (group_id, topic, partition)
    DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()"""
# A group is known from its first subscription on, so pruning waits for it before it commits.
_JOIN: Final = """
    INSERT INTO bus_group_offsets (group_id, topic, partition, next_offset)
    SELECT %s, p.topic, p.partition, 0 FROM bus_partitions AS p
    WHERE p.topic = ANY(%s::text[]) ORDER BY p.topic, p.partition
    ON CONFLICT DO NOTHING"""
# Old records every group has passed; a partition no group reads keeps all of its records.
_PRUNE: Final = """
    DELETE FROM bus_records AS r
    USING (SELECT topic, partition, min(next_offset) AS passed FROM bus_group_offsets
           GROUP BY topic, partition) AS g
    WHERE r.topic = g.topic AND r.partition = g.partition AND r."offset" < g.passed
      AND r.appended_at < now() - make_interval(secs => %s)"""
# Per partition: the first record still kept, the next offset, and the group's position.
_OFFSETS: Final = """
    SELECT p.topic, p.partition,
           coalesce((SELECT min(r."offset") FROM bus_records AS r
                     WHERE r.topic = p.topic AND r.partition = p.partition), p.next_offset),
           p.next_offset, g.next_offset
    FROM bus_partitions AS p
    LEFT JOIN bus_group_offsets AS g
      ON g.group_id = %s AND g.topic = p.topic AND g.partition = p.partition
    WHERE p.topic = ANY(%s::text[])"""
# pg_locks shows a bigint advisory key as two oids; keys are non-negative, so no sign games.
_ADVISORY_HOLDERS: Final = """
    SELECT (l.classid::int8 << 32) | l.objid::int8, l.pid FROM pg_locks AS l
    WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND ((l.classid::int8 << 32) | l.objid::int8) = ANY(%s::int8[])"""


class CommitFailedError(RuntimeError):
    """A commit for partitions this member no longer owns (they moved to another member)."""


def _libpq(conninfo: str) -> str:
    """Accept SQLAlchemy URLs too (`postgresql+psycopg://`), which libpq cannot parse."""
    if conninfo.startswith("postgresql+"):
        url = make_url(conninfo).set(drivername="postgresql")
        return url.render_as_string(hide_password=False)
    return conninfo


def _lock_key(*parts: str | int) -> int:
    """A 63-bit advisory lock key; collisions across groups are practically impossible."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def _tp_order(tp: TopicPartition) -> tuple[str, int]:
    return (tp.topic, tp.partition)


def _inbound(row: tuple[Any, ...]) -> InboundRecord:
    topic, partition, offset, key, value, header_keys, header_values = row
    return InboundRecord(
        topic, partition, offset, key, value, tuple(zip(header_keys, header_values, strict=True))
    )


def _share(
    lags: Mapping[TopicPartition, tuple[int, int]], budget: int
) -> dict[TopicPartition, tuple[int, int]]:
    """Split `budget` fairly across partitions lagging over [position, high water)."""
    taken = dict.fromkeys(lags, 0)
    active = sorted(lags, key=_tp_order)
    while budget > 0 and active:
        share = max(1, budget // len(active))
        still: list[TopicPartition] = []
        for tp in active:
            lo, high = lags[tp]
            n = min(share, high - lo - taken[tp], budget)
            taken[tp] += n
            budget -= n
            if lo + taken[tp] < high:
                still.append(tp)
        active = still
    return {tp: (lags[tp][0], lags[tp][0] + n) for tp, n in taken.items() if n}


class PostgresLogSubscription:
    """One group member; its own connection holds its partition locks and LISTENs.

    Fetch and commit run on that connection too, so a member whose session died can do
    neither. A commit from another task waits out a fetch's current wait (at most
    `rebalance_interval_s`); the event bus fetches and commits from one task anyway.
    """

    def __init__(
        self,
        conninfo: str,
        group: str,
        partitions: Sequence[TopicPartition],
        *,
        rebalance_interval_s: float,
        on_close: Callable[[PostgresLogSubscription], None],
    ) -> None:
        self.group = group
        self._conninfo = conninfo
        self._partitions = sorted(partitions, key=_tp_order)
        self._topics = sorted({tp.topic for tp in partitions})
        self._topic_set = frozenset(self._topics)
        self._keys = {
            tp: _lock_key("partition", group, tp.topic, tp.partition) for tp in self._partitions
        }
        # Members are counted per topic set, so members subscribed to different topics
        # under one group name never shrink each other's quota and strand a partition.
        self._member_key = _lock_key("member", group, *self._topics)
        self._rebalance_interval_s = rebalance_interval_s
        self._on_close = on_close
        self._session: AsyncConnection[TupleRow] | None = None
        self._positions: dict[TopicPartition, int] = {}  # owned partition -> next to read
        self._next_rebalance = 0.0
        self._free_before: frozenset[TopicPartition] = frozenset()
        self._fetching = asyncio.Lock()
        self._closed = False

    def assignment(self) -> frozenset[TopicPartition]:
        """The partitions this member owns right now."""
        return frozenset(self._positions)

    @property
    def backend_pid(self) -> int | None:
        """The server process holding this member's locks (for operators and crash drills)."""
        return None if self._session is None else self._session.info.backend_pid

    async def open(self) -> None:
        """Join the group and claim a first share of partitions."""
        await self._rebalance()

    async def fetch(self, max_records: int, timeout_s: float) -> Sequence[InboundRecord]:
        """Next records of owned partitions; waits on NOTIFY, up to `timeout_s`, if none."""
        if self._closed:
            raise RuntimeError("subscription is closed")
        deadline = time.monotonic() + max(0.0, timeout_s)
        async with self._fetching:
            while not self._closed:  # another task may close it while this one waits
                try:
                    if self._session is None or time.monotonic() >= self._next_rebalance:
                        await self._rebalance()
                    session = self._live_session()
                    # Forget wake-ups for what the read below sees anyway.
                    await self._wait_notify(session, 0.0)
                    records = await self._read(session, max_records)
                    if records:
                        return records
                    now = time.monotonic()
                    if now >= deadline:
                        return []
                    await self._wait_notify(session, min(deadline, self._next_rebalance) - now)
                except psycopg.OperationalError:
                    if self._closed:
                        break
                    await self._drop_session()
                    raise
            return []

    async def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        """Upsert the group's offsets; only for owned partitions, as Kafka fences them."""
        if not offsets:
            return
        lost = sorted((tp for tp in offsets if tp not in self._positions), key=_tp_order)
        if lost:
            raise CommitFailedError(
                f"group {self.group!r} no longer owns {[_tp_order(tp) for tp in lost]}; "
                "their records will be delivered again to the new owner"
            )
        items = sorted(offsets.items(), key=lambda item: _tp_order(item[0]))
        # Through the lock-holding session: a member whose session died cannot commit.
        session = self._live_session()
        await session.execute(
            _COMMIT,
            (
                self.group,
                [tp.topic for tp, _ in items],
                [tp.partition for tp, _ in items],
                [offset for _, offset in items],
            ),
        )

    async def close(self) -> None:
        """Leave the group: closing the session frees the partition locks at once."""
        if self._closed:
            return
        self._closed = True
        await self._drop_session()
        self._on_close(self)

    def _live_session(self) -> AsyncConnection[TupleRow]:
        session = self._session
        if session is None or session.closed:
            raise psycopg.OperationalError("subscription session is not connected")
        return session

    async def _drop_session(self) -> None:
        session, self._session = self._session, None
        if self._positions:
            log.info(
                "bus partitions released",
                group=self.group,
                partitions=[_tp_order(tp) for tp in sorted(self._positions, key=_tp_order)],
            )
        self._positions.clear()
        self._next_rebalance = 0.0
        if session is not None:
            with contextlib.suppress(psycopg.Error):
                await session.close()

    async def _connect(self) -> AsyncConnection[TupleRow]:
        session = await psycopg.AsyncConnection.connect(
            self._conninfo, autocommit=True, application_name=f"jams-bus:{self.group}"[:63]
        )
        try:
            await session.execute(f"LISTEN {CHANNEL}")
            await session.execute("SELECT pg_advisory_lock_shared(%s)", (self._member_key,))
        except BaseException:
            await session.close()
            raise
        return session

    async def _rebalance(self) -> None:
        """Move towards an even split: release surplus, claim free partitions."""
        if self._session is not None and self._session.broken:
            await self._drop_session()
        if self._session is None:
            self._session = await self._connect()
        session = self._session
        me = session.info.backend_pid
        cur = await session.execute(_ADVISORY_HOLDERS, ([self._member_key, *self._keys.values()],))
        holders: dict[int, int] = {}  # partition key -> pid
        members = {me}
        for key, pid in await cur.fetchall():
            if key == self._member_key:
                members.add(pid)
            else:
                holders[key] = pid
        # Kafka-like balance: everyone owns floor(P/M) or ceil(P/M) partitions.
        low, high = divmod(len(self._partitions), len(members))
        high = low + (1 if high else 0)
        owned_by = Counter(holders.values())
        starving = any(owned_by[pid] < low for pid in members if pid != me)
        owned = [tp for tp in self._partitions if tp in self._positions]
        keep = owned[: low if starving else high]
        released = owned[len(keep) :]
        for tp in released:
            await session.execute("SELECT pg_advisory_unlock(%s)", (self._keys[tp],))
            del self._positions[tp]
        free = [tp for tp in self._partitions if self._keys[tp] not in holders]
        claimed: list[TopicPartition] = []
        if free:
            # Start where this member's share would begin, so joiners rarely race.
            start = sorted(members).index(me) * max(low, 1) % len(free)
            for tp in free[start:] + free[:start]:
                if len(keep) + len(claimed) >= high:
                    break
                # Beyond the floor, take only what nobody below it took for a whole round.
                if len(keep) + len(claimed) >= low and tp not in self._free_before:
                    continue
                cur = await session.execute("SELECT pg_try_advisory_lock(%s)", (self._keys[tp],))
                row = await cur.fetchone()
                if row is not None and row[0]:
                    claimed.append(tp)
        self._free_before = frozenset(free)
        if claimed:
            # Read after locking: the previous owner's last commit is visible by now.
            self._positions.update(await self._committed(session, claimed))
        if claimed or released:
            log.info(
                "bus partitions rebalanced",
                group=self.group,
                members=len(members),
                claimed=[_tp_order(tp) for tp in claimed],
                released=[_tp_order(tp) for tp in released],
            )
        self._next_rebalance = time.monotonic() + self._rebalance_interval_s

    async def _committed(
        self, session: AsyncConnection[TupleRow], partitions: Iterable[TopicPartition]
    ) -> dict[TopicPartition, int]:
        wanted = set(partitions)
        cur = await session.execute(_COMMITTED, (self.group, self._topics))
        committed = {TopicPartition(t, p): o for t, p, o in await cur.fetchall()}
        # A new group starts at the earliest offset, like auto_offset_reset=earliest.
        return {tp: committed.get(tp, 0) for tp in wanted}

    async def _read(
        self, session: AsyncConnection[TupleRow], max_records: int
    ) -> list[InboundRecord]:
        if not self._positions or max_records <= 0:
            return []
        cur = await session.execute(_HIGH_WATER, (self._topics,))
        lags: dict[TopicPartition, tuple[int, int]] = {}
        for topic, partition, high in await cur.fetchall():
            tp = TopicPartition(topic, partition)
            position = self._positions.get(tp)
            if position is not None and high > position:
                lags[tp] = (position, high)
        if not lags:
            return []
        ranges = _share(lags, max_records)
        cur = await session.execute(
            _READ_RANGES,
            (
                [tp.topic for tp in ranges],
                [tp.partition for tp in ranges],
                [lo for lo, _ in ranges.values()],
                [hi for _, hi in ranges.values()],
            ),
            binary=True,
        )
        records = [_inbound(row) for row in await cur.fetchall()]
        for record in records:
            # From what came back, not from the ranges: never step over an unread record.
            self._positions[record.topic_partition] = record.offset + 1
        return records

    async def _wait_notify(self, session: AsyncConnection[TupleRow], timeout_s: float) -> bool:
        """Wait for an append to one of our topics; with 0, just drop pending wake-ups."""
        async with contextlib.aclosing(session.notifies(timeout=max(0.0, timeout_s))) as gen:
            async for notify in gen:
                if timeout_s > 0 and notify.payload in self._topic_set:
                    return True
        return False


class PostgresLogTransport:
    """The Transport port on PostgreSQL: a durable log for the single-machine mode."""

    def __init__(
        self,
        conninfo: str,
        *,
        partitions: int = 3,
        pool_size: int = 8,
        rebalance_interval_s: float = 1.0,
    ) -> None:
        if partitions < 1:
            raise ValueError("partitions must be at least 1")
        self._conninfo = _libpq(conninfo)
        self._partitions = partitions
        self._pool_size = pool_size
        self._rebalance_interval_s = rebalance_interval_s
        self._pool: AsyncConnectionPool[AsyncConnection[TupleRow]] | None = None
        self._topic_partitions: dict[str, int] = {}
        self._round_robin: dict[str, int] = {}
        self._subscriptions: set[PostgresLogSubscription] = set()

    async def start(self) -> None:
        if self._pool is not None:
            return
        pool: AsyncConnectionPool[AsyncConnection[TupleRow]] = AsyncConnectionPool(
            self._conninfo,
            min_size=1,
            max_size=self._pool_size,
            open=False,
            kwargs={"autocommit": True, "application_name": "jams-bus"},
            name="jams-bus",
        )
        await pool.open(wait=True)
        try:
            async with pool.connection() as conn:
                names = [table.name for table in BUS_TABLES]
                cur = await conn.execute(
                    "SELECT t FROM unnest(%s::text[]) AS t WHERE to_regclass(t) IS NULL", (names,)
                )
                missing = [row[0] for row in await cur.fetchall()]
            if missing:
                raise RuntimeError(
                    f"bus tables {missing} are missing: migrate the database first "
                    "(infra.migrate.upgrade)"
                )
        except BaseException:
            await pool.close()
            raise
        self._pool = pool

    async def close(self) -> None:
        for subscription in list(self._subscriptions):
            await subscription.close()
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def ping(self) -> None:
        """`select 1` on one of the log's connections."""
        async with self._started().connection() as conn:
            await conn.execute("SELECT 1")

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create missing topics with the configured partition count."""
        names = sorted(set(topics))
        for name in names:
            if not _TOPIC_NAME.fullmatch(name):
                raise ValueError(f"invalid topic name {name!r}: use 1-249 of [A-Za-z0-9._-]")
        if not names:
            return
        async with self._started().connection() as conn, conn.transaction():
            params = {"topics": names, "partitions": self._partitions}
            await conn.execute(_CREATE_TOPICS, params)
            await conn.execute(_CREATE_PARTITIONS, params)
            cur = await conn.execute(_TOPIC_PARTITIONS, (names,))
            # An existing topic keeps the partition count it was created with.
            self._topic_partitions.update(dict(await cur.fetchall()))

    async def send(self, records: Sequence[OutboundRecord]) -> None:
        """Append in one transaction; durable, and visible to consumers, on return."""
        if not records:
            return
        topics = sorted({record.topic for record in records})
        counts = await self._partition_counts(topics)
        batches: dict[tuple[str, int], list[OutboundRecord]] = {}
        for record in records:
            partition = self._partition_of(record, counts[record.topic])
            batches.setdefault((record.topic, partition), []).append(record)
        async with self._started().connection() as conn, conn.transaction():
            rows: list[tuple[Any, ...]] = []
            # Lock partitions in one global order, so concurrent senders cannot deadlock.
            for topic, partition in sorted(batches):
                batch = batches[(topic, partition)]
                cur = await conn.execute(_ADVANCE, (len(batch), topic, partition))
                row = await cur.fetchone()
                if row is None:
                    raise RuntimeError(f"partition {topic}/{partition} has no bus_partitions row")
                base = row[0] - len(batch)
                rows.extend(
                    (
                        topic,
                        partition,
                        base + i,
                        r.key,
                        r.value,
                        [k for k, _ in r.headers],
                        [v for _, v in r.headers],
                    )
                    for i, r in enumerate(batch)
                )
            async with conn.cursor() as cur, cur.copy(_COPY) as copy:
                copy.set_types(_COPY_TYPES)
                for row in rows:
                    await copy.write_row(row)
            # Delivered at commit, to sessions that LISTEN: wakes consumers without polling.
            await conn.execute(_NOTIFY, (CHANNEL, topics))

    async def subscribe(
        self, group: str, topics: Sequence[str], *, max_poll_interval_s: float | None = None
    ) -> PostgresLogSubscription:
        """Join `group`; partitions split among its members, a new group starts at offset 0.

        Membership is an advisory lock held by the member's connection, not a poll deadline,
        so a slow handler never loses its partitions here: `max_poll_interval_s` is ignored.
        """
        names = sorted(set(topics))
        if not names:
            raise ValueError("subscribe needs at least one topic")
        counts = await self._partition_counts(names)
        async with self._started().connection() as conn:
            await conn.execute(_JOIN, (group, names))
        subscription = PostgresLogSubscription(
            self._conninfo,
            group,
            [TopicPartition(t, p) for t in names for p in range(counts[t])],
            rebalance_interval_s=self._rebalance_interval_s,
            on_close=self._subscriptions.discard,
        )
        try:
            await subscription.open()
        except BaseException:
            await subscription.close()
            raise
        self._subscriptions.add(subscription)
        return subscription

    async def read_all(self, topic: str) -> Sequence[InboundRecord]:
        """Every record of `topic`, by partition and offset."""
        async with self._started().connection() as conn:
            cur = await conn.execute(_READ_TOPIC, (topic,), binary=True)
            return [_inbound(row) for row in await cur.fetchall()]

    async def offsets(self, topics: Sequence[str], group: str) -> dict[TopicPartition, Offsets]:
        """Where each partition of `topics` starts and ends, and where `group` stands in it."""
        async with self._started().connection() as conn:
            cur = await conn.execute(_OFFSETS, (group, sorted(set(topics))))
            return {TopicPartition(topic, partition): Offsets(start, end, committed)
                    for topic, partition, start, end, committed in await cur.fetchall()}

    async def prune(self, older_than_s: float) -> int:
        """Delete records older than `older_than_s` that every group has committed past.

        A record some group has not yet committed past stays, however old; so do the records
        of a partition no group has subscribed to (dead letters nobody replayed).
        """
        async with self._started().connection() as conn:
            cur = await conn.execute(_PRUNE, (older_than_s,))
            return cur.rowcount

    def _started(self) -> AsyncConnectionPool[AsyncConnection[TupleRow]]:
        if self._pool is None:
            raise RuntimeError("PostgresLogTransport is not started")
        return self._pool

    async def _partition_counts(self, topics: Sequence[str]) -> dict[str, int]:
        missing = [t for t in topics if t not in self._topic_partitions]
        if missing:
            await self.ensure_topics(missing)
        return {t: self._topic_partitions[t] for t in topics}

    def _partition_of(self, record: OutboundRecord, partitions: int) -> int:
        if record.key is None:
            turn = self._round_robin.get(record.topic, 0)
            self._round_robin[record.topic] = turn + 1
            return turn % partitions
        # crc32 is stable across processes and Python versions (hash() is salted).
        return zlib.crc32(record.key) % partitions

"""PostgresLogTransport on a real PostgreSQL: ordering, groups, commits, crashes, wake-ups."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator, Sequence

import psycopg
import pytest
import sqlalchemy as sa

from infra.bus.embedded import CommitFailedError, PostgresLogSubscription, PostgresLogTransport
from infra.bus.embedded_tables import BUS_TABLES
from infra.bus.port import InboundRecord, OutboundRecord, TopicPartition
from infra.db import libpq_conninfo, metadata
from tests.servers import scratch_database

pytestmark = pytest.mark.integration

PARTITIONS = 3
# Short, so rebalancing after joins and crashes converges within a test's patience.
REBALANCE_S = 0.2


def _name(kind: str) -> str:
    return f"test-{kind}-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def bus_server_url(postgres_url: str) -> str:
    """The dev server of `make services-up`."""
    return postgres_url


@pytest.fixture
def bus_db(bus_server_url: str) -> Iterator[str]:
    """A private database holding only the bus tables; its libpq conninfo."""
    with scratch_database(bus_server_url) as url:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        metadata.create_all(engine, tables=list(BUS_TABLES))
        engine.dispose()
        yield libpq_conninfo(url)


@pytest.fixture
async def transport(bus_db: str) -> AsyncIterator[PostgresLogTransport]:
    t = PostgresLogTransport(bus_db, partitions=PARTITIONS, rebalance_interval_s=REBALANCE_S)
    await t.start()
    try:
        yield t
    finally:
        await t.close()


@pytest.fixture
def topic() -> str:
    return _name("topic")


def _records(topic: str, keys: Sequence[str], per_key: int) -> list[OutboundRecord]:
    # Interleave keys so per-key order is not an artefact of sending keys in blocks.
    return [
        OutboundRecord(
            topic,
            key.encode(),
            f"{key}:{seq}".encode(),
            (("seq", str(seq).encode()), ("kind", b"test")),
        )
        for seq in range(per_key)
        for key in keys
    ]


async def _send_in_batches(
    transport: PostgresLogTransport, records: Sequence[OutboundRecord], size: int
) -> None:
    for start in range(0, len(records), size):
        await transport.send(records[start : start + size])


async def _fetch_n(
    sub: PostgresLogSubscription, n: int, *, commit: bool = False, timeout_s: float = 20.0
) -> list[InboundRecord]:
    """Fetch until `n` records arrived, then briefly more to catch any surplus."""
    got: list[InboundRecord] = []
    async with asyncio.timeout(timeout_s):
        while len(got) < n:
            batch = await sub.fetch(500, 0.5)
            got.extend(batch)
            if commit and batch:
                await sub.commit(_next_offsets(batch))
    got.extend(await sub.fetch(500, 0.3))
    return got


def _next_offsets(records: Sequence[InboundRecord]) -> dict[TopicPartition, int]:
    return {r.topic_partition: r.offset + 1 for r in records}


def _positions(records: Sequence[InboundRecord]) -> list[tuple[str, int, int]]:
    return [(r.topic, r.partition, r.offset) for r in records]


async def _until_split(subs: Sequence[PostgresLogSubscription], partitions: int) -> None:
    """Fetch on every member until their assignments are disjoint, non-empty and complete."""
    async with asyncio.timeout(15):
        while True:
            owned = [s.assignment() for s in subs]
            union = frozenset().union(*owned)
            if all(owned) and len(union) == partitions == sum(len(o) for o in owned):
                return
            for sub in subs:
                assert not await sub.fetch(100, 0.05)


async def test_records_with_one_key_stay_in_order_in_one_partition(
    transport: PostgresLogTransport, topic: str
) -> None:
    keys = [f"job-{i}" for i in range(10)]
    await _send_in_batches(transport, _records(topic, keys, per_key=30), size=70)
    sub = await transport.subscribe(_name("group"), [topic])

    got = await _fetch_n(sub, 300)

    assert len(got) == 300
    partitions_of_key: dict[bytes | None, set[int]] = defaultdict(set)
    values_of_key: dict[bytes | None, list[bytes]] = defaultdict(list)
    for record in got:
        partitions_of_key[record.key].add(record.partition)
        values_of_key[record.key].append(record.value)
        assert record.headers == (("seq", record.value.split(b":")[1]), ("kind", b"test"))
    assert all(len(p) == 1 for p in partitions_of_key.values())
    for key, values in values_of_key.items():
        assert key is not None
        assert values == [f"{key.decode()}:{seq}".encode() for seq in range(30)]
    by_partition: dict[int, list[int]] = defaultdict(list)
    for record in got:
        by_partition[record.partition].append(record.offset)
    assert all(offsets == list(range(len(offsets))) for offsets in by_partition.values())
    assert len(by_partition) > 1  # ten keys over three partitions


async def test_a_fetch_shares_its_budget_between_lagging_partitions(
    transport: PostgresLogTransport, topic: str
) -> None:
    await _send_in_batches(transport, _records(topic, [f"k{i}" for i in range(30)], 40), 400)
    sub = await transport.subscribe(_name("group"), [topic])

    batch = await sub.fetch(300, 5)

    assert len(batch) == 300
    assert _positions(batch) == sorted(_positions(batch))
    per_partition: dict[int, int] = defaultdict(int)
    for record in batch:
        per_partition[record.partition] += 1
    assert sorted(per_partition.values()) == [100, 100, 100]


async def test_every_group_gets_every_record(transport: PostgresLogTransport, topic: str) -> None:
    await transport.send(_records(topic, ["a", "b", "c", "d"], per_key=25))
    first = await transport.subscribe(_name("group"), [topic])
    second = await transport.subscribe(_name("group"), [topic])

    got_first = await _fetch_n(first, 100, commit=True)
    got_second = await _fetch_n(second, 100)

    assert len(got_first) == len(got_second) == 100
    assert sorted(_positions(got_first)) == sorted(_positions(got_second))


async def test_members_of_a_group_split_partitions_and_read_each_record_once(
    transport: PostgresLogTransport, topic: str
) -> None:
    group = _name("group")
    a = await transport.subscribe(group, [topic])
    b = await transport.subscribe(group, [topic])
    await _until_split([a, b], PARTITIONS)
    await _send_in_batches(transport, _records(topic, [f"k{i}" for i in range(30)], 20), 100)

    counted: list[InboundRecord] = []

    async def consume(sub: PostgresLogSubscription) -> list[InboundRecord]:
        got: list[InboundRecord] = []
        async with asyncio.timeout(20):
            while len(counted) < 600:
                batch = await sub.fetch(200, 0.2)
                got.extend(batch)
                counted.extend(batch)
                if batch:
                    await sub.commit(_next_offsets(batch))
        return got

    got_a, got_b = await asyncio.gather(consume(a), consume(b))

    assert got_a and got_b
    assert {r.topic_partition for r in got_a}.isdisjoint({r.topic_partition for r in got_b})
    everything = _positions(got_a) + _positions(got_b)
    assert len(everything) == len(set(everything)) == 600


async def test_partitions_spread_evenly_over_three_members(bus_db: str, topic: str) -> None:
    transport = PostgresLogTransport(bus_db, partitions=4, rebalance_interval_s=REBALANCE_S)
    await transport.start()
    try:
        group = _name("group")
        first = await transport.subscribe(group, [topic])
        assert len(first.assignment()) == 4
        members = [first, *[await transport.subscribe(group, [topic]) for _ in range(2)]]

        await _until_split(members, 4)

        assert sorted(len(m.assignment()) for m in members) == [1, 1, 2]
    finally:
        await transport.close()


async def test_uncommitted_records_come_again_and_committed_ones_do_not(
    transport: PostgresLogTransport, topic: str
) -> None:
    group = _name("group")
    await transport.send(_records(topic, ["one-key"], per_key=10))
    first = await transport.subscribe(group, [topic])
    got = await _fetch_n(first, 10)
    partition = got[0].partition
    await first.commit({TopicPartition(topic, partition): 4})
    await first.close()

    second = await transport.subscribe(group, [topic])
    again = await _fetch_n(second, 6)

    assert [r.offset for r in again] == [4, 5, 6, 7, 8, 9]
    assert [r.value for r in again] == [f"one-key:{seq}".encode() for seq in range(4, 10)]


async def test_a_crashed_members_partitions_move_to_the_others_uncommitted_records_too(
    transport: PostgresLogTransport, bus_db: str, topic: str
) -> None:
    group = _name("group")
    a = await transport.subscribe(group, [topic])
    b = await transport.subscribe(group, [topic])
    await _until_split([a, b], PARTITIONS)
    await transport.send(_records(topic, [f"k{i}" for i in range(12)], per_key=5))
    owned_by_a = a.assignment()
    seen_by_a = await a.fetch(500, 5)  # handled, never committed
    assert seen_by_a

    # A crash as PostgreSQL sees it: the member's session is gone, its locks with it.
    async with await psycopg.AsyncConnection.connect(bus_db, autocommit=True) as admin:
        await admin.execute("SELECT pg_terminate_backend(%s)", (a.backend_pid,))
    survivor = await _fetch_n(b, 60, timeout_s=15)

    assert b.assignment() == {TopicPartition(topic, p) for p in range(PARTITIONS)}
    assert set(_positions(seen_by_a)) <= set(_positions(survivor))
    assert {r.topic_partition for r in seen_by_a} <= owned_by_a
    with pytest.raises(psycopg.OperationalError):
        await a.commit(_next_offsets(seen_by_a))  # a zombie cannot move the group's offsets
    await a.close()


async def test_fetch_wakes_on_notify_well_before_its_timeout(bus_db: str, topic: str) -> None:
    # Rebalancing rarely, so only the NOTIFY can end the wait early.
    transport = PostgresLogTransport(bus_db, partitions=PARTITIONS, rebalance_interval_s=60)
    await transport.start()
    try:
        sub = await transport.subscribe(_name("group"), [topic])
        assert not await sub.fetch(10, 0.01)
        waiting = asyncio.create_task(sub.fetch(10, 20))
        await asyncio.sleep(0.3)  # let the fetch reach its LISTEN wait: that is what is timed
        assert not waiting.done()
        sent = time.monotonic()
        await transport.send(_records(topic, ["k"], per_key=1))
        got = await waiting
        woke_after = time.monotonic() - sent

        assert [r.value for r in got] == [b"k:0"]
        assert woke_after < 10.0  # the timeout is 20 s, the next rebalance 60 s away
    finally:
        await transport.close()


async def test_fetch_with_nothing_to_read_returns_empty_after_its_timeout(
    transport: PostgresLogTransport, topic: str
) -> None:
    sub = await transport.subscribe(_name("group"), [topic])
    started = time.monotonic()

    assert await sub.fetch(10, 0.6) == []
    assert 0.55 <= time.monotonic() - started < 10.0


async def test_committed_offsets_survive_a_new_transport(bus_db: str, topic: str) -> None:
    group = _name("group")
    first = PostgresLogTransport(bus_db, partitions=PARTITIONS)
    await first.start()
    try:
        await first.send(_records(topic, ["one-key"], per_key=10))
        sub = await first.subscribe(group, [topic])
        got = await _fetch_n(sub, 10)
        await sub.commit({got[0].topic_partition: 6})
    finally:
        await first.close()

    second = PostgresLogTransport(bus_db, partitions=PARTITIONS)
    await second.start()
    try:
        again = await _fetch_n(await second.subscribe(group, [topic]), 4)
    finally:
        await second.close()

    assert [r.offset for r in again] == [6, 7, 8, 9]


async def test_concurrent_senders_leave_no_gaps_for_a_concurrent_reader(
    transport: PostgresLogTransport, topic: str
) -> None:
    sub = await transport.subscribe(_name("group"), [topic])

    async def produce(producer: int) -> None:
        for batch in range(25):
            await transport.send(
                [
                    OutboundRecord(topic, f"p{producer}-k{i}".encode(), f"{batch}".encode())
                    for i in range(8)
                ]
            )

    reading = asyncio.create_task(_fetch_n(sub, 4 * 25 * 8, commit=True))
    await asyncio.gather(*(produce(p) for p in range(4)))
    got = await reading

    assert len(got) == len(set(_positions(got))) == 800
    by_partition: dict[int, list[int]] = defaultdict(list)
    by_key: dict[bytes | None, list[int]] = defaultdict(list)
    for record in got:
        by_partition[record.partition].append(record.offset)
        by_key[record.key].append(int(record.value))
    assert all(offsets == list(range(len(offsets))) for offsets in by_partition.values())
    assert all(batches == list(range(25)) for batches in by_key.values())


async def test_read_all_returns_every_record_with_headers_and_null_keys(
    transport: PostgresLogTransport, topic: str
) -> None:
    headers = (("h", b"\x00\xff"), ("h", b"again"), ("empty", b""))
    await transport.send([OutboundRecord(topic, None, f"{i}".encode(), headers) for i in range(6)])
    await transport.send([OutboundRecord(topic, b"k", b"keyed")])

    records = await transport.read_all(topic)

    assert len(records) == 7
    assert [(r.partition, r.offset) for r in records] == sorted(
        (r.partition, r.offset) for r in records
    )
    keyless = [r for r in records if r.key is None]
    assert {r.partition for r in keyless} == set(range(PARTITIONS))  # round robin
    assert all(r.headers == headers for r in keyless)
    assert [r.key for r in records if r.value == b"keyed"] == [b"k"]


async def test_send_creates_a_missing_topic_and_rejects_bad_names(
    transport: PostgresLogTransport, topic: str
) -> None:
    await transport.send([OutboundRecord(f"{topic}.dlq", b"k", b"v")])
    await transport.ensure_topics([topic, f"{topic}.dlq"])  # already there: no error

    assert [r.value for r in await transport.read_all(f"{topic}.dlq")] == [b"v"]
    with pytest.raises(ValueError, match="invalid topic name"):
        await transport.send([OutboundRecord("no spaces/allowed", b"k", b"v")])


async def test_commit_for_a_partition_it_does_not_own_fails(
    transport: PostgresLogTransport, topic: str
) -> None:
    group = _name("group")
    a = await transport.subscribe(group, [topic])
    b = await transport.subscribe(group, [topic])
    await _until_split([a, b], PARTITIONS)
    foreign = next(iter(b.assignment()))

    with pytest.raises(CommitFailedError):
        await a.commit({foreign: 1})


async def test_start_says_so_when_the_tables_are_missing(bus_server_url: str) -> None:
    with scratch_database(bus_server_url) as url:
        transport = PostgresLogTransport(libpq_conninfo(url))
        with pytest.raises(RuntimeError, match=r"bus tables .* missing"):
            await transport.start()


async def _held(bus_db: str, topic: str) -> int:
    async with await psycopg.AsyncConnection.connect(bus_db) as conn:
        cur = await conn.execute("SELECT count(*) FROM bus_records WHERE topic = %s", (topic,))
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def test_pruning_under_a_running_consumer_keeps_what_any_group_has_not_passed(
    transport: PostgresLogTransport, bus_db: str, topic: str
) -> None:
    total = 1000
    fast = await transport.subscribe(_name("fast"), [topic])
    slow = await transport.subscribe(_name("slow"), [topic])  # joins, reads later
    done = asyncio.Event()
    pruned: list[int] = []

    async def prune_all_the_time() -> None:
        while not done.is_set():
            pruned.append(await transport.prune(0))
            await asyncio.sleep(0.01)

    pruner = asyncio.create_task(prune_all_the_time())
    consumer = asyncio.create_task(_fetch_n(fast, total, commit=True, timeout_s=60))
    records = _records(topic, [f"k{i}" for i in range(20)], per_key=total // 20)
    for start in range(0, total, 50):
        await transport.send(records[start : start + 50])
        if start == total // 2:
            early = await _fetch_n(slow, 300, commit=True)
        await asyncio.sleep(0.01)
    got_fast = await consumer
    await asyncio.sleep(0.1)
    done.set()
    await pruner

    assert sum(pruned) > 0  # what both groups had passed went while the consumer ran
    assert await _held(bus_db, topic) == total - sum(pruned)
    late = await _fetch_n(slow, total - len(early), commit=True)
    read_slowly = [*early, *late]
    assert len(read_slowly) == len(got_fast) == total
    assert sorted(_positions(read_slowly)) == sorted(_positions(got_fast))
    assert sorted(r.value for r in read_slowly) == sorted(r.value for r in records)
    assert await transport.prune(3600) == 0  # passed by all, but not old enough
    assert await transport.prune(0) == total - sum(pruned)
    last = {r.partition: r.offset for r in sorted(got_fast, key=lambda r: r.offset)}
    await transport.send(records[:3])  # offsets go on from where they were
    assert all(r.offset > last[r.partition] for r in await _fetch_n(slow, 3))

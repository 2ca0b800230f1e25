"""KafkaTransport against the real broker: ordering, groups, commits, topic creation."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import MessageSizeTooLargeError
from typer.testing import CliRunner

from infra.bus.kafka import KafkaSubscription, KafkaTransport, producer_config
from infra.bus.port import InboundRecord, OutboundRecord, TopicPartition
from services.cli import app as cli_app

pytestmark = [pytest.mark.integration, pytest.mark.kafka]

TOPICS_FILE = Path(__file__).resolve().parents[2] / "deploy/k8s/base/kafka/topics.yaml"

PARTITIONS = 3


def _name(kind: str) -> str:
    return f"test-{kind}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def transport(kafka_bootstrap: str) -> AsyncIterator[KafkaTransport]:
    t = KafkaTransport(kafka_bootstrap, partitions=PARTITIONS, client_id="jams-test")
    await t.start()
    try:
        yield t
    finally:
        await t.close()


@pytest.fixture
def topic() -> str:
    return _name("topic")


async def _fetch_n(sub: KafkaSubscription, n: int, timeout_s: float = 30.0) -> list[InboundRecord]:
    """Fetch until `n` records arrived, then briefly more to catch any surplus."""
    got: list[InboundRecord] = []
    async with asyncio.timeout(timeout_s):
        while len(got) < n:
            got.extend(await sub.fetch(500, 0.5))
    got.extend(await sub.fetch(500, 0.3))
    return got


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


async def _partition_counts(bootstrap: str, topics: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return {d["topic"]: len(d["partitions"]) for d in described}


async def test_topics_are_created_with_the_configured_partition_count(
    transport: KafkaTransport, kafka_bootstrap: str
) -> None:
    topics = [_name("a"), _name("b")]

    await transport.ensure_topics(topics)
    await transport.ensure_topics(topics)  # already there: no error

    other = KafkaTransport(kafka_bootstrap, partitions=PARTITIONS)
    await other.start()
    try:
        await other.ensure_topics(topics)  # created by someone else: TopicAlreadyExists ignored
    finally:
        await other.close()
    assert await _partition_counts(kafka_bootstrap, topics) == dict.fromkeys(topics, PARTITIONS)


async def test_sending_to_a_new_topic_creates_it_with_the_configured_partitions(
    transport: KafkaTransport, kafka_bootstrap: str, topic: str
) -> None:
    await transport.send([OutboundRecord(topic, b"k", b"v")])

    assert await _partition_counts(kafka_bootstrap, [topic]) == {topic: PARTITIONS}


async def test_records_of_one_key_arrive_in_order_in_one_partition(
    transport: KafkaTransport, topic: str
) -> None:
    keys = [f"job-{i}" for i in range(12)]
    sent = _records(topic, keys, per_key=50)
    await transport.send(sent)

    sub = await transport.subscribe(_name("group"), [topic])
    got = await _fetch_n(sub, len(sent))
    await sub.close()

    assert len(got) == len(sent)
    by_key: dict[bytes, list[InboundRecord]] = defaultdict(list)
    for record in got:
        assert record.key is not None
        by_key[record.key].append(record)
    for key in keys:
        records = by_key[key.encode()]
        assert [r.value for r in records] == [f"{key}:{seq}".encode() for seq in range(50)]
        assert len({r.partition for r in records}) == 1
        assert [r.offset for r in records] == sorted(r.offset for r in records)
    assert {r.partition for r in got} == set(range(PARTITIONS))  # keys spread over partitions
    assert got[0].headers == (("seq", b"0"), ("kind", b"test"))
    assert got[0].header("kind") == b"test"


async def test_each_group_receives_every_record(transport: KafkaTransport, topic: str) -> None:
    sent = _records(topic, [f"k{i}" for i in range(6)], per_key=20)
    await transport.send(sent)

    subs = [await transport.subscribe(_name("group"), [topic]) for _ in range(2)]
    results = await asyncio.gather(*(_fetch_n(s, len(sent)) for s in subs))
    for sub in subs:
        await sub.close()

    for got in results:
        assert sorted(r.value for r in got) == sorted(r.value for r in sent)


async def test_uncommitted_records_are_redelivered_and_committed_ones_are_not(
    transport: KafkaTransport, topic: str
) -> None:
    sent = _records(topic, [f"k{i}" for i in range(9)], per_key=10)
    await transport.send(sent)
    group = _name("group")

    first = await transport.subscribe(group, [topic])
    got = await _fetch_n(first, len(sent))
    # Commit past the first half of each partition's records; leave the rest unacknowledged.
    by_partition: dict[TopicPartition, list[InboundRecord]] = defaultdict(list)
    for record in got:
        by_partition[record.topic_partition].append(record)
    committed = {tp: recs[len(recs) // 2].offset for tp, recs in by_partition.items()}
    await first.commit(committed)
    await first.close()

    second = await transport.subscribe(group, [topic])
    expected = [r for r in got if r.offset >= committed[r.topic_partition]]
    redelivered = await _fetch_n(second, len(expected))
    await second.close()

    key = lambda r: (r.partition, r.offset)  # noqa: E731
    assert sorted(map(key, redelivered)) == sorted(map(key, expected))
    assert 0 < len(expected) < len(sent)


async def test_a_closed_subscription_without_commit_leaves_everything_for_the_next(
    transport: KafkaTransport, topic: str
) -> None:
    sent = _records(topic, ["a", "b", "c"], per_key=5)
    await transport.send(sent)
    group = _name("group")

    first = await transport.subscribe(group, [topic])
    assert len(await _fetch_n(first, len(sent))) == len(sent)
    await first.close()

    second = await transport.subscribe(group, [topic])
    assert len(await _fetch_n(second, len(sent))) == len(sent)
    await second.close()


async def test_read_all_returns_every_record_and_does_not_create_missing_topics(
    transport: KafkaTransport, topic: str, kafka_bootstrap: str
) -> None:
    sent = _records(topic, ["x", "y", "z", "w"], per_key=25)
    await transport.send(sent)

    records = await transport.read_all(topic)

    assert sorted(r.value for r in records) == sorted(r.value for r in sent)
    assert records == sorted(records, key=lambda r: (r.partition, r.offset))
    missing = _name("missing")
    assert await transport.read_all(missing) == []
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        assert missing not in await admin.list_topics()
    finally:
        await admin.close()


async def test_keys_land_in_the_partition_any_kafka_client_picks(
    transport: KafkaTransport, topic: str, kafka_bootstrap: str
) -> None:
    keys = [f"job-{i}".encode() for i in range(30)]
    await transport.send([OutboundRecord(topic, key, b"batched") for key in keys])
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        # aiokafka's per-record send uses the Java client's murmur2 partitioner.
        for key in keys:
            await producer.send_and_wait(topic, b"plain", key=key)
    finally:
        await producer.stop()

    partitions: dict[bytes, set[int]] = defaultdict(set)
    for record in await transport.read_all(topic):
        assert record.key is not None
        partitions[record.key].add(record.partition)
    assert all(len(partitions[key]) == 1 for key in keys)


async def test_a_record_over_the_request_limit_is_refused(
    transport: KafkaTransport, topic: str
) -> None:
    too_big = b"x" * (producer_config()["max_request_size"] + 1)

    with pytest.raises(MessageSizeTooLargeError):
        await transport.send([OutboundRecord(topic, b"k", too_big)])
    await transport.send([OutboundRecord(topic, b"k", b"fine")])
    assert [r.value for r in await transport.read_all(topic)] == [b"fine"]


async def _topic_configs(bootstrap: str, topics: Sequence[str]) -> dict[str, dict[str, str]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t) for t in topics])
    finally:
        await admin.close()
    found: dict[str, dict[str, str]] = {}
    for response in responses:
        for _, _, _, name, entries in response.resources:
            found[name] = {entry[0]: entry[1] for entry in entries}
    return found


async def test_topics_apply_creates_and_reconfigures_topics_as_the_manifests_say(
    transport: KafkaTransport, kafka_bootstrap: str
) -> None:
    namespace = _name("ns")
    # One topic is there already, as a service would have created it: broker defaults.
    await transport.ensure_topics([f"{namespace}.jobs.new"])
    env = {"JAMS_BUS": "kafka", "JAMS_BUS_NAMESPACE": namespace,
           "JAMS_KAFKA_BOOTSTRAP": kafka_bootstrap, "JAMS_KAFKA_PARTITIONS": "1"}

    result = await asyncio.to_thread(
        CliRunner().invoke, cli_app, ["topics", "apply", str(TOPICS_FILE)], env=env)

    assert result.exit_code == 0, result.output
    wire = {t: f"{namespace}.{t}" for t in ("jobs.raw", "jobs.new", "config.scoring",
                                            "jobs.raw.dlq")}
    day_ms = 86_400_000
    wanted = {("jobs.raw", "retention.ms"): str(3 * day_ms),
              ("jobs.new", "retention.ms"): str(14 * day_ms),
              ("jobs.new", "min.insync.replicas"): "2",
              ("config.scoring", "cleanup.policy"): "compact",
              ("jobs.raw.dlq", "retention.ms"): str(30 * day_ms)}
    # A changed config reaches the broker's answers a moment after the change is accepted.
    async with asyncio.timeout(30):
        while True:
            configs = await _topic_configs(kafka_bootstrap, list(wire.values()))
            seen = {(t, name): configs[wire[t]][name] for t, name in wanted}
            if seen == wanted:
                break
            await asyncio.sleep(0.2)

"""The Kafka transport: the bus port on aiokafka, with an idempotent producer and manual commits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import (
    CommitFailedError,
    IllegalStateError,
    KafkaError,
    MessageSizeTooLargeError,
    TopicAlreadyExistsError,
    for_code,
)
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.message_accumulator import BatchBuilder
from aiokafka.protocol.offset import OffsetRequest
from aiokafka.record.default_records import DefaultRecordBatchBuilder
from aiokafka.structs import TopicPartition as KafkaTopicPartition

from infra.bus.port import InboundRecord, Offsets, OutboundRecord, TopicPartition

if TYPE_CHECKING:
    from infra.settings import CommonSettings

log = structlog.get_logger(__name__)

DEFAULT_CLIENT_ID: Final = "jams"
TOPIC_READY_TIMEOUT_S: Final = 30.0
READ_ALL_TIMEOUT_S: Final = 60.0
EARLIEST_OFFSET: Final = -2  # ListOffsets timestamp meaning "log start"
MAX_REQUEST_BYTES: Final = 1024 * 1024  # the broker's default message.max.bytes, roughly


def producer_config() -> dict[str, Any]:
    """aiokafka producer settings; acks and idempotence are the opposite of its defaults."""
    return {
        # Durable means on every in-sync replica, not just the leader (aiokafka defaults to 1).
        "acks": "all",
        # Broker-side dedup of retried batches: a retry never writes a record twice.
        "enable_idempotence": True,
        # A few ms of batching turns thousands of small sends into a handful of requests.
        "linger_ms": 5,
        # ~1 KB events: the 16 KB default would cap a batch at ~15 records.
        "max_batch_size": 512 * 1024,
        "max_request_size": MAX_REQUEST_BYTES,
        "request_timeout_ms": 30_000,
    }


def consumer_config(
    group: str | None, *, max_poll_interval_s: float | None = None
) -> dict[str, Any]:
    """aiokafka consumer settings; commit and reset policy are the opposite of its defaults."""
    poll = {} if max_poll_interval_s is None else {
        # Kafka's max.poll.interval.ms: a member slower than this between fetches leaves the
        # group and its uncommitted records go to another member (or back to it) again.
        "max_poll_interval_ms": max(1, int(max_poll_interval_s * 1000))}
    return poll | {
        "group_id": group,
        # Offsets move only through Subscription.commit, after records are handled.
        "enable_auto_commit": False,
        # A new group reads what was published before it joined (aiokafka defaults to latest).
        "auto_offset_reset": "earliest",
        "session_timeout_ms": 10_000,
        "heartbeat_interval_ms": 3_000,
        "request_timeout_ms": 30_000,
    }


def _inbound(
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    headers: Iterable[tuple[str, bytes]],
) -> InboundRecord:
    return InboundRecord(
        topic, partition, offset, key, value if value is not None else b"", tuple(headers)
    )


class KafkaSubscription:
    """One aiokafka group consumer; positions move in memory, offsets only on commit."""

    def __init__(
        self, consumer: AIOKafkaConsumer, group: str, owner: KafkaTransport | None = None
    ) -> None:
        self._consumer = consumer
        self._group = group
        self._owner = owner
        self._closed = False

    async def fetch(self, max_records: int, timeout_s: float) -> Sequence[InboundRecord]:
        batches = await self._consumer.getmany(
            timeout_ms=max(0, int(timeout_s * 1000)), max_records=max_records
        )
        records: list[InboundRecord] = []
        for tp, messages in batches.items():
            topic, partition = tp.topic, tp.partition
            records.extend(
                _inbound(topic, partition, m.offset, m.key, m.value, m.headers or ())
                for m in messages
            )
        return records

    async def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        assigned = self._consumer.assignment()
        wanted = {KafkaTopicPartition(tp.topic, tp.partition): o for tp, o in offsets.items()}
        # A partition revoked by a rebalance is redelivered to its new owner from the last
        # committed offset: skipping its commit keeps delivery at-least-once.
        ours = {tp: o for tp, o in wanted.items() if tp in assigned}
        if len(ours) < len(wanted):
            log.info(
                "skipping commit of revoked partitions",
                group=self._group,
                revoked=sorted(f"{tp.topic}:{tp.partition}" for tp in wanted.keys() - ours),
            )
        if not ours:
            return
        try:
            await self._consumer.commit(ours)
        except (CommitFailedError, IllegalStateError) as exc:
            log.warning(
                "offset commit lost to a rebalance; records will be redelivered",
                group=self._group,
                error=repr(exc),
            )

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._consumer.stop()
        finally:
            if self._owner is not None:
                self._owner._forget(self)


class KafkaTransport:
    """The Transport port on Apache Kafka."""

    def __init__(
        self,
        bootstrap: str,
        *,
        partitions: int,
        replication_factor: int = 1,
        client_id: str = DEFAULT_CLIENT_ID,
    ) -> None:
        if partitions < 1:
            raise ValueError("partitions must be >= 1")
        self.bootstrap = bootstrap
        self.partitions = partitions
        self.replication_factor = replication_factor
        self.client_id = client_id
        self._producer: AIOKafkaProducer | None = None
        self._admin: AIOKafkaAdminClient | None = None
        # Partitions of every topic ensured so far, as metadata showed them once ready.
        self._topic_partitions: dict[str, list[int]] = {}
        self._partitioner = DefaultPartitioner()
        self._topics_lock = asyncio.Lock()
        self._subscriptions: set[KafkaSubscription] = set()

    @classmethod
    def from_settings(
        cls, settings: CommonSettings, *, client_id: str = DEFAULT_CLIENT_ID
    ) -> KafkaTransport:
        return cls(
            settings.kafka_bootstrap,
            partitions=settings.kafka_partitions,
            replication_factor=settings.kafka_replication_factor,
            client_id=client_id,
        )

    async def start(self) -> None:
        if self._producer is not None:
            return
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.bootstrap, client_id=f"{self.client_id}-admin"
        )
        await admin.start()
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, client_id=self.client_id, **producer_config()
        )
        try:
            await producer.start()
        except BaseException:
            await admin.close()
            raise
        self._admin, self._producer = admin, producer

    async def close(self) -> None:
        for subscription in list(self._subscriptions):
            await subscription.close()
        producer, admin = self._producer, self._admin
        self._producer = self._admin = None
        try:
            if producer is not None:
                await producer.stop()  # flushes what is still queued
        finally:
            if admin is not None:
                await admin.close()

    async def ping(self) -> None:
        """A metadata round trip to the cluster."""
        await self._require_admin().list_topics()

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        if all(t in self._topic_partitions for t in topics):
            return
        async with self._topics_lock:
            missing = [t for t in dict.fromkeys(topics) if t not in self._topic_partitions]
            if not missing:
                return
            admin = self._require_admin()
            response = await admin.create_topics(
                [NewTopic(t, self.partitions, self.replication_factor) for t in missing]
            )
            for topic, code, *detail in response.topic_errors:
                if code not in (0, TopicAlreadyExistsError.errno):
                    raise for_code(code)(f"creating topic {topic!r}: {detail}")
            await self._wait_until_ready(admin, missing)

    async def configure_topics(self, configs: Mapping[str, Mapping[str, str]]) -> None:
        """Create missing topics with their configs, and set them on the existing ones."""
        admin = self._require_admin()
        existing = set(await admin.list_topics())
        missing = [t for t in configs if t not in existing]
        present = [t for t in configs if t in existing]
        if missing:
            response = await admin.create_topics([
                NewTopic(t, self.partitions, self.replication_factor,
                         topic_configs=dict(configs[t])) for t in missing])
            for topic, code, *detail in response.topic_errors:
                if code == TopicAlreadyExistsError.errno:
                    present.append(topic)  # created meanwhile, with other configs
                elif code != 0:
                    raise for_code(code)(f"creating topic {topic!r}: {detail}")
            await self._wait_until_ready(admin, missing)
        if not present:
            return
        # AlterConfigs replaces a topic's whole set of overrides: each is given all of its own.
        for response in await admin.alter_configs([
                ConfigResource(ConfigResourceType.TOPIC, t, dict(configs[t])) for t in present]):
            for code, message, _, name in response.resources:
                if code != 0:
                    raise for_code(code)(f"configuring topic {name!r}: {message}")

    async def send(self, records: Sequence[OutboundRecord]) -> None:
        if not records:
            return
        topics = list({r.topic for r in records})
        await self.ensure_topics(topics)
        producer = self._require_producer()
        # Records go into one batch per partition, handed over whole: aiokafka's per-record
        # send() costs about twice the CPU. Acks are awaited once, for every batch together.
        partitions = {t: self._partitions_now(producer, t) for t in topics}
        builders: dict[tuple[str, int], BatchBuilder] = {}
        futures: list[asyncio.Future[Any]] = []
        try:
            for r in records:
                tp = (r.topic, self._partitioner(r.key, partitions[r.topic], partitions[r.topic]))
                builder = builders.get(tp)
                headers = list(r.headers)
                if builder is None or not builder.append(
                    key=r.key, value=r.value, timestamp=None, headers=headers
                ):
                    if builder is not None:  # full: send it and start the next one
                        futures.append(await _send_batch(producer, builder, tp))
                    builder = builders[tp] = producer.create_batch()
                    _check_size(r, headers)
                    builder.append(key=r.key, value=r.value, timestamp=None, headers=headers)
            for tp, builder in builders.items():
                futures.append(await _send_batch(producer, builder, tp))
        finally:
            results = await asyncio.gather(*futures, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    def _partitions_now(self, producer: AIOKafkaProducer, topic: str) -> list[int]:
        """The producer's current view (refreshed by aiokafka), else what ensure_topics saw."""
        known = producer.client.cluster.partitions_for_topic(topic)
        return sorted(known) if known else self._topic_partitions[topic]

    async def subscribe(
        self, group: str, topics: Sequence[str], *, max_poll_interval_s: float | None = None
    ) -> KafkaSubscription:
        # Creating topics here keeps the consumer's metadata lookups from auto-creating them
        # with the broker's default partition count.
        await self.ensure_topics(topics)
        consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=self.bootstrap,
            client_id=self.client_id,
            **consumer_config(group, max_poll_interval_s=max_poll_interval_s),
        )
        await consumer.start()
        subscription = KafkaSubscription(consumer, group, self)
        self._subscriptions.add(subscription)
        return subscription

    async def read_all(self, topic: str) -> Sequence[InboundRecord]:
        partitions = await self._partitions_of(topic)
        if not partitions:
            return []
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            client_id=f"{self.client_id}-reader",
            **consumer_config(None),
        )
        await consumer.start()
        try:
            return await _read_to_end(consumer, [KafkaTopicPartition(topic, p) for p in partitions])
        finally:
            await consumer.stop()

    async def offsets(self, topics: Sequence[str], group: str) -> dict[TopicPartition, Offsets]:
        """Log start and end offsets (ListOffsets) and `group`'s commits (OffsetFetch)."""
        tps = [KafkaTopicPartition(t, p) for t in sorted(set(topics))
               for p in await self._partitions_of(t)]
        if not tps:
            return {}
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            client_id=f"{self.client_id}-offsets",
            **consumer_config(None),
        )
        await consumer.start()
        try:
            start = await consumer.beginning_offsets(tps)
            end = await consumer.end_offsets(tps)
        finally:
            await consumer.stop()
        committed = await self._require_admin().list_consumer_group_offsets(group, partitions=tps)
        positions = {tp: meta.offset for tp, meta in committed.items() if meta.offset >= 0}
        return {TopicPartition(tp.topic, tp.partition): Offsets(start[tp], end[tp],
                                                                positions.get(tp))
                for tp in tps}

    def _forget(self, subscription: KafkaSubscription) -> None:
        self._subscriptions.discard(subscription)

    async def _partitions_of(self, topic: str) -> list[int]:
        admin = self._require_admin()
        # Asking for a missing topic by name would auto-create it on brokers that allow it.
        if topic not in self._topic_partitions and topic not in await admin.list_topics():
            return []
        (described,) = await admin.describe_topics([topic])
        return sorted(p["partition"] for p in described["partitions"])

    async def _wait_until_ready(self, admin: AIOKafkaAdminClient, topics: list[str]) -> None:
        """Until every partition of `topics` has a leader that serves it.

        Metadata names a leader a moment before that broker has opened the partition's log;
        a client arriving in between gets NotLeaderForPartition and retries after a backoff
        (and aiokafka logs it as an error), so the leaders are asked for offsets as well.
        """
        deadline = time.monotonic() + TOPIC_READY_TIMEOUT_S
        pending = list(topics)
        while pending:
            described = await admin.describe_topics(pending)
            leaders: dict[int, dict[str, list[int]]] = {}
            for d in described:
                if not _is_ready(d):
                    continue
                if len(d["partitions"]) != self.partitions:
                    log.warning(
                        "topic exists with another partition count",
                        topic=d["topic"],
                        partitions=len(d["partitions"]),
                        configured=self.partitions,
                    )
                for p in d["partitions"]:
                    leaders.setdefault(p["leader"], {}).setdefault(d["topic"], []).append(
                        p["partition"]
                    )
            serving = await self._serving(leaders)
            for d in described:
                if d["topic"] in serving:
                    self._topic_partitions[d["topic"]] = sorted(
                        p["partition"] for p in d["partitions"]
                    )
            pending = [t for t in pending if t not in serving]
            if not pending:
                return
            if time.monotonic() > deadline:
                raise KafkaError(f"topics not ready after {TOPIC_READY_TIMEOUT_S}s: {pending}")
            await asyncio.sleep(0.05)

    async def _serving(self, leaders: Mapping[int, Mapping[str, list[int]]]) -> set[str]:
        """Topics whose every partition's leader answered a ListOffsets request."""
        client = self._require_producer().client
        failed: set[str] = set()
        asked: set[str] = set()
        for node, topics in leaders.items():
            request = OffsetRequest(
                -1, 0, [(t, [(p, EARLIEST_OFFSET) for p in parts]) for t, parts in topics.items()]
            )
            asked.update(topics)
            try:
                response = await client.send(node, request)
            except KafkaError:
                failed.update(topics)
                continue
            for topic, partitions in response.topics:
                if any(error_code != 0 for _, error_code, *_ in partitions):
                    failed.add(topic)
        return asked - failed

    def _require_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise RuntimeError("KafkaTransport.start() was not called")
        return self._producer

    def _require_admin(self) -> AIOKafkaAdminClient:
        if self._admin is None:
            raise RuntimeError("KafkaTransport.start() was not called")
        return self._admin


async def _send_batch(
    producer: AIOKafkaProducer, builder: BatchBuilder, tp: tuple[str, int]
) -> asyncio.Future[Any]:
    builder.close()  # nothing else may join it once handed over
    future: asyncio.Future[Any] = await producer.send_batch(builder, tp[0], partition=tp[1])
    return future


def _check_size(record: OutboundRecord, headers: list[tuple[str, bytes]]) -> None:
    """Reject what the broker would: a batch always takes its first record, however large."""
    size = DefaultRecordBatchBuilder.estimate_size_in_bytes(record.key, record.value, headers)
    if size > MAX_REQUEST_BYTES:
        raise MessageSizeTooLargeError(
            f"a {size}-byte record for {record.topic!r} exceeds max_request_size"
        )


def _is_ready(described: Mapping[str, Any]) -> bool:
    partitions = described.get("partitions") or []
    return (
        described.get("error_code") == 0
        and bool(partitions)
        and all(p["error_code"] == 0 and p["leader"] >= 0 for p in partitions)
    )


async def _read_to_end(
    consumer: AIOKafkaConsumer, tps: list[KafkaTopicPartition]
) -> list[InboundRecord]:
    """Every record of `tps` up to their end offsets as of now, by partition then offset."""
    consumer.assign(tps)
    await consumer.seek_to_beginning(*tps)
    end: dict[KafkaTopicPartition, int] = await consumer.end_offsets(tps)
    records: list[InboundRecord] = []
    remaining = [tp for tp in tps if await consumer.position(tp) < end[tp]]
    deadline = time.monotonic() + READ_ALL_TIMEOUT_S
    while remaining:
        if time.monotonic() > deadline:
            raise KafkaError(f"reading {tps[0].topic} to its end timed out")
        batches = await consumer.getmany(*remaining, timeout_ms=500)
        for tp, messages in batches.items():
            records.extend(
                _inbound(tp.topic, tp.partition, m.offset, m.key, m.value, m.headers or ())
                for m in messages
                if m.offset < end[tp]
            )
        remaining = [tp for tp in remaining if await consumer.position(tp) < end[tp]]
    records.sort(key=lambda r: (r.partition, r.offset))
    return records

"""Operators' view of dead letters: count, list and replay them onto their original topic.

Every replay, `jams dlq replay` and the operators' API alike, reads as one consumer group,
`REPLAY_GROUP`, whose committed offsets are what has been replayed: counting compares them
with the `.dlq` topics' end offsets and never reads a letter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog

from infra.bus.bus import DLQ_HEADER_PREFIX
from infra.bus.codec import headers_without
from infra.bus.port import InboundRecord, OutboundRecord, TopicPartition, Transport
from schemas.events.topics import DLQ_SUFFIX, dead_letter_topic

log = structlog.get_logger(__name__)

REPLAY_GROUP = "jams.dlq-replay"


@dataclass(frozen=True)
class DeadLetterView:
    """One dead letter as an operator reads it."""

    offset: int
    original_topic: str
    original_partition: int
    original_offset: int
    consumer_group: str
    event_type: str
    event_id: str
    reason: str
    exception: str
    attempts: int
    failed_at: str

    @classmethod
    def of(cls, record: InboundRecord) -> DeadLetterView:
        def text(name: str) -> str:
            raw = record.header(name)
            return raw.decode("utf-8", errors="replace") if raw is not None else ""

        def number(name: str) -> int:
            value = text(name)
            return int(value) if value.lstrip("-").isdigit() else -1

        return cls(
            offset=record.offset,
            original_topic=text("dlq_original_topic"),
            original_partition=number("dlq_original_partition"),
            original_offset=number("dlq_original_offset"),
            consumer_group=text("dlq_consumer_group"),
            event_type=text("ce_type") or "?",
            event_id=text("ce_id") or "?",
            reason=text("dlq_reason"),
            exception=text("dlq_exception"),
            attempts=number("dlq_attempts"),
            failed_at=text("dlq_failed_at"),
        )


@dataclass(frozen=True)
class DeadLetterCount:
    """A dead-letter topic's letters, from offsets: held now, and how many wait for replay."""

    held: int
    waiting: int

    @property
    def replayed(self) -> int:
        """Of the letters held, those replayed (by whichever path)."""
        return self.held - self.waiting


async def count_dead_letters(transport: Transport,
                             topics: Sequence[str]) -> dict[str, DeadLetterCount]:
    """Each topic's (or `.dlq` topic's) dead letters, keyed as given; none if never created."""
    names = {topic: _dlq_name(topic) for topic in topics}
    offsets = await transport.offsets(sorted(set(names.values())), REPLAY_GROUP)
    held: dict[str, int] = dict.fromkeys(names.values(), 0)
    waiting: dict[str, int] = dict.fromkeys(names.values(), 0)
    for tp, partition in offsets.items():
        held[tp.topic] += partition.held
        waiting[tp.topic] += partition.unread
    return {topic: DeadLetterCount(held[dlq], waiting[dlq]) for topic, dlq in names.items()}


def _dlq_name(topic: str) -> str:
    return topic if topic.endswith(DLQ_SUFFIX) else dead_letter_topic(topic)


async def list_dead_letters(transport: Transport, topic: str) -> list[DeadLetterView]:
    """Every dead letter of `topic` (or of the `.dlq` topic named directly)."""
    return [DeadLetterView.of(r) for r in await transport.read_all(_dlq_name(topic))]


async def replay_dead_letters(
    transport: Transport,
    topic: str,
    *,
    on_progress: Callable[[int], None] | None = None,
    idle_timeout_s: float = 2.0,
) -> int:
    """Publish each not-yet-replayed dead letter back to its original topic.

    The replayer is a consumer group of its own, committing after each batch is
    re-published, so a replay that is interrupted resumes without replaying twice.
    """
    dlq = _dlq_name(topic)
    await transport.ensure_topics([dlq])
    subscription = await transport.subscribe(REPLAY_GROUP, [dlq])
    replayed = 0
    try:
        while True:
            records = await subscription.fetch(500, idle_timeout_s)
            if not records:
                log.info("dead letters replayed", topic=dlq, replayed=replayed)
                return replayed
            await transport.send(_originals(records))
            positions: dict[TopicPartition, int] = {}
            for record in records:
                positions[record.topic_partition] = record.offset + 1
            await subscription.commit(positions)
            replayed += len(records)
            if on_progress is not None:
                on_progress(len(records))
    finally:
        await subscription.close()


def _originals(records: Sequence[InboundRecord]) -> list[OutboundRecord]:
    outbound = []
    for record in records:
        original = record.header("dlq_original_topic")
        target = original.decode() if original else record.topic.removesuffix(DLQ_SUFFIX)
        headers = (*headers_without(record.headers, DLQ_HEADER_PREFIX),
                   ("dlq_replayed_from", f"{record.topic}@{record.offset}".encode()))
        outbound.append(OutboundRecord(target, record.key, record.value, headers))
    return outbound

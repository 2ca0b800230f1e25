"""The transport port: what a log-based broker must offer for the event bus to work on it.

Two adapters implement it: Kafka (`infra.bus.kafka`) and a PostgreSQL log
(`infra.bus.embedded`). Retries, dead letters and envelope handling live above it in
`infra.bus.bus.EventBus`, written once for both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

Headers = tuple[tuple[str, bytes], ...]


@dataclass(frozen=True, slots=True)
class TopicPartition:
    topic: str
    partition: int


@dataclass(frozen=True, slots=True)
class OutboundRecord:
    """A record to append; records with the same key land in one partition, in order."""

    topic: str
    key: bytes | None
    value: bytes
    headers: Headers = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class InboundRecord:
    """A record as read back, with its position in the log."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Headers = field(default_factory=tuple)

    @property
    def topic_partition(self) -> TopicPartition:
        return TopicPartition(self.topic, self.partition)

    def header(self, name: str) -> bytes | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Offsets:
    """One partition's log bounds, and one consumer group's committed position in it."""

    start: int  # the first offset still held (retention may have removed earlier ones)
    end: int  # the offset the next record will get
    committed: int | None  # the group's next offset to read; None if it never committed

    @property
    def held(self) -> int:
        return self.end - self.start

    @property
    def unread(self) -> int:
        """Records the group has not committed past."""
        return self.end - max(self.start, self.committed or 0)


class Subscription(Protocol):
    """One consumer-group member reading a set of topics."""

    async def fetch(self, max_records: int, timeout_s: float) -> Sequence[InboundRecord]:
        """Next records of the partitions this member holds, in log order per partition.

        Returns an empty sequence when nothing arrives within `timeout_s`. Reading moves
        only this member's in-memory position; the group's committed offsets move only
        through `commit`.
        """
        ...

    async def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        """Durably record, per partition, the offset of the next record to read."""
        ...

    async def close(self) -> None:
        """Leave the group; uncommitted records are delivered again to whoever reads next."""
        ...


class Transport(Protocol):
    """A partitioned, replayable log with consumer groups."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise unless the log answers now (readiness)."""
        ...

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create missing topics with the configured partition count."""
        ...

    async def send(self, records: Sequence[OutboundRecord]) -> None:
        """Append records; when this returns they are durable (acks=all / committed)."""
        ...

    async def subscribe(
        self, group: str, topics: Sequence[str], *, max_poll_interval_s: float | None = None
    ) -> Subscription:
        """Join `group` on `topics`; a new group starts at the earliest offset.

        `max_poll_interval_s`: the longest a member may go between two fetches before the
        broker counts it as failed and hands its partitions to another member (whose reads
        start again from the last commit). None keeps the transport's default.
        """
        ...

    async def read_all(self, topic: str) -> Sequence[InboundRecord]:
        """Every record currently in `topic`, for operator tools (dead-letter listing)."""
        ...

    async def offsets(self, topics: Sequence[str], group: str) -> Mapping[TopicPartition, Offsets]:
        """Every partition of `topics` that exists, with `group`'s position in it.

        Reads offsets only, never records: cheap enough to ask every few seconds.
        """
        ...

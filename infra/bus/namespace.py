"""Run several independent systems (tests, tenants) on one broker: prefix topics and groups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from infra.bus.port import (
    InboundRecord,
    Offsets,
    OutboundRecord,
    Subscription,
    TopicPartition,
    Transport,
)


class NamespacedTransport:
    """Wraps a transport so `jobs.new` is `<ns>.jobs.new` on the wire and `jobs.new` above."""

    def __init__(self, inner: Transport, namespace: str) -> None:
        self._inner = inner
        self._prefix = f"{namespace}."

    def _wire(self, topic: str) -> str:
        return self._prefix + topic

    def _local(self, topic: str) -> str:
        return topic.removeprefix(self._prefix)

    async def start(self) -> None:
        await self._inner.start()

    async def close(self) -> None:
        await self._inner.close()

    async def ping(self) -> None:
        await self._inner.ping()

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        await self._inner.ensure_topics([self._wire(t) for t in topics])

    async def send(self, records: Sequence[OutboundRecord]) -> None:
        await self._inner.send([
            OutboundRecord(self._wire(r.topic), r.key, r.value, r.headers) for r in records
        ])

    async def subscribe(
        self, group: str, topics: Sequence[str], *, max_poll_interval_s: float | None = None
    ) -> Subscription:
        inner = await self._inner.subscribe(self._prefix + group, [self._wire(t) for t in topics],
                                            max_poll_interval_s=max_poll_interval_s)
        return _NamespacedSubscription(inner, self)

    async def read_all(self, topic: str) -> Sequence[InboundRecord]:
        return [self.localise(r) for r in await self._inner.read_all(self._wire(topic))]

    async def offsets(self, topics: Sequence[str], group: str) -> dict[TopicPartition, Offsets]:
        found = await self._inner.offsets([self._wire(t) for t in topics], self._prefix + group)
        return {TopicPartition(self._local(tp.topic), tp.partition): o for tp, o in found.items()}

    def localise(self, record: InboundRecord) -> InboundRecord:
        return InboundRecord(self._local(record.topic), record.partition, record.offset,
                             record.key, record.value, record.headers)


class _NamespacedSubscription:
    def __init__(self, inner: Subscription, transport: NamespacedTransport) -> None:
        self._inner = inner
        self._transport = transport

    async def fetch(self, max_records: int, timeout_s: float) -> Sequence[InboundRecord]:
        records = await self._inner.fetch(max_records, timeout_s)
        return [self._transport.localise(r) for r in records]

    async def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        await self._inner.commit({
            TopicPartition(self._transport._wire(tp.topic), tp.partition): offset
            for tp, offset in offsets.items()
        })

    async def close(self) -> None:
        await self._inner.close()

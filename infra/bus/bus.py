"""The event bus: envelopes in, handlers called, retries and dead letters, on any transport."""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import structlog

from infra import tracing
from infra.bus import codec
from infra.bus.metrics import BusMetrics
from infra.bus.outage import is_dependency_outage
from infra.bus.port import InboundRecord, OutboundRecord, TopicPartition, Transport
from infra.clock import Clock, sleep_unless_stopped
from infra.logging import event_context
from schemas.events.envelope import Envelope
from schemas.events.topics import dead_letter_topic

log = structlog.get_logger(__name__)

Handler = Callable[[Envelope], Awaitable[None]]

DLQ_HEADER_PREFIX = "dlq_"


class PermanentError(Exception):
    """A handler failure that no retry can fix: dead-letter at once."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failing handler is retried before dead-lettering."""

    max_attempts: int = 5
    initial_backoff_s: float = 0.2
    multiplier: float = 2.0
    max_backoff_s: float = 10.0
    # A dependency that is away (database restarting, cache unreachable) is not the event's
    # fault: its failures use up no attempts until the outage has lasted this long.
    outage_patience_s: float = 900.0

    def backoff_s(self, failed_attempts: int) -> float:
        delay = self.initial_backoff_s * self.multiplier ** (failed_attempts - 1)
        return float(min(delay, self.max_backoff_s))


@dataclass(frozen=True)
class DeadLetter:
    """Why a record could not be handled, as carried in `dlq_*` headers."""

    reason: str
    exception: str
    attempts: int


class EventBus:
    """Publishes envelopes and runs consumer groups with at-least-once delivery.

    A partition's records are handled strictly in order; a record is retried with
    backoff until it succeeds or is dead-lettered, and offsets are committed only past
    records that are done, so no failed record is ever skipped.
    """

    def __init__(
        self,
        transport: Transport,
        *,
        clock: Clock,
        retry: RetryPolicy | None = None,
        metrics: BusMetrics | None = None,
    ) -> None:
        self.transport = transport
        self._clock = clock
        self._retry = retry or RetryPolicy()
        self._metrics = metrics or BusMetrics.default()

    async def publish(self, *envelopes: Envelope) -> None:
        """Append envelopes to their topics; durable when this returns."""
        await self.publish_records([codec.encode(tracing.published(e)) for e in envelopes])

    async def publish_records(self, records: Sequence[OutboundRecord]) -> None:
        if records:
            await self.transport.send(records)
            for record in records:
                self._metrics.published.labels(record.topic).inc()
                headers = dict(record.headers)  # the event's type and source ride in headers
                self._metrics.emitted.labels(
                    tracing.service_of(headers.get("ce_source", b"").decode()),
                    headers.get("ce_type", b"").decode()).inc()

    async def consume(
        self,
        group: str,
        topics: Sequence[str],
        handler: Handler,
        *,
        stop: asyncio.Event,
        batch_size: int = 500,
        poll_timeout_s: float = 0.5,
        ready: asyncio.Event | None = None,
        max_poll_interval_s: float | None = None,
    ) -> None:
        """Run one member of `group` until `stop` is set; then finish the batch and commit.

        Fetches happen only between batches, so the time between two of them is that of one
        batch: keep `batch_size` times the slowest handling of one record (its retries
        included) under `max_poll_interval_s`, or Kafka hands the partitions on mid-batch, the
        commit is refused and the batch is delivered again.
        """
        await self.transport.ensure_topics([*topics, *(dead_letter_topic(t) for t in topics)])
        subscription = await self.transport.subscribe(group, topics,
                                                      max_poll_interval_s=max_poll_interval_s)
        if ready is not None:
            ready.set()
        try:
            while not stop.is_set():
                records = await subscription.fetch(batch_size, poll_timeout_s)
                if not records:
                    continue
                done = await self._handle_batch(group, records, handler, stop)
                if done:
                    await subscription.commit(done)
        finally:
            await subscription.close()

    async def _handle_batch(
        self,
        group: str,
        records: Sequence[InboundRecord],
        handler: Handler,
        stop: asyncio.Event,
    ) -> dict[TopicPartition, int]:
        by_partition: dict[TopicPartition, list[InboundRecord]] = {}
        for record in records:
            by_partition.setdefault(record.topic_partition, []).append(record)
        positions = await asyncio.gather(
            *(self._drain(group, recs, handler, stop) for recs in by_partition.values())
        )
        return {
            tp: position
            for tp, position in zip(by_partition, positions, strict=True)
            if position is not None
        }

    async def _drain(
        self,
        group: str,
        records: list[InboundRecord],
        handler: Handler,
        stop: asyncio.Event,
    ) -> int | None:
        """Handle one partition's records in order; the offset to commit, if any moved."""
        next_offset: int | None = None
        for record in records:
            if not await self._handle_one(group, record, handler, stop):
                break  # interrupted by shutdown: stop here, redeliver the rest
            next_offset = record.offset + 1
        return next_offset

    async def _handle_one(
        self, group: str, record: InboundRecord, handler: Handler, stop: asyncio.Event
    ) -> bool:
        """True once the record is done (handled or dead-lettered)."""
        try:
            envelope = codec.decode(record)
        except codec.UndecodableRecord as exc:
            await self._dead_letter(group, record, DeadLetter(str(exc), "UndecodableRecord", 0))
            return True

        with event_context(
            event_id=str(envelope.id),
            correlation_id=str(envelope.correlation_id),
            event_type=envelope.type,
            group=group,
        ), tracing.handling(envelope, group=group, topic=record.topic):
            attempt = 0
            outage_waits = 0
            outage_waited_s = 0.0
            started = time.perf_counter()
            while True:
                attempt += 1
                try:
                    await handler(envelope)
                except Exception as exc:
                    self._metrics.failures.labels(record.topic, group).inc()
                    tracing.record_failure(exc)
                    permanent = isinstance(exc, PermanentError)
                    if not permanent and is_dependency_outage(exc) \
                            and outage_waited_s < self._retry.outage_patience_s:
                        attempt -= 1
                        outage_waits += 1
                        delay = self._retry.backoff_s(outage_waits)
                        outage_waited_s += delay
                        log.warning("dependency away, retrying", delay_s=delay, error=repr(exc))
                        if await sleep_unless_stopped(self._clock, delay, stop):
                            return False
                        continue
                    if permanent or attempt >= self._retry.max_attempts:
                        log.warning("event dead-lettered", attempts=attempt, error=repr(exc))
                        await self._dead_letter(group, record, _dead_letter_of(exc, attempt))
                        self._metrics.handle_seconds.labels(record.topic, group).observe(
                            time.perf_counter() - started)
                        return True
                    delay = self._retry.backoff_s(attempt)
                    log.info("handler failed, retrying", attempt=attempt, delay_s=delay,
                             error=repr(exc))
                    if await sleep_unless_stopped(self._clock, delay, stop):
                        return False
                else:
                    self._metrics.handled.labels(record.topic, group).inc()
                    self._metrics.handle_seconds.labels(record.topic, group).observe(
                        time.perf_counter() - started)
                    return True

    async def _dead_letter(self, group: str, record: InboundRecord, letter: DeadLetter) -> None:
        headers = (
            *codec.headers_without(record.headers, DLQ_HEADER_PREFIX),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_consumer_group", group.encode()),
            ("dlq_reason", letter.reason.encode()[:4000]),
            ("dlq_exception", letter.exception.encode()[:8000]),
            ("dlq_attempts", str(letter.attempts).encode()),
            ("dlq_failed_at", self._clock.now().isoformat().encode()),
        )
        dlq = OutboundRecord(dead_letter_topic(record.topic), record.key, record.value, headers)
        await self.transport.send([dlq])
        self._metrics.dead_lettered.labels(record.topic, group).inc()


def _dead_letter_of(exc: BaseException, attempts: int) -> DeadLetter:
    summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return DeadLetter(reason=f"handler failed after {attempts} attempt(s)", exception=summary,
                      attempts=attempts)

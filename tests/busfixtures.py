"""Building blocks for bus tests: transports on the real servers, events, a consumer runner."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

from infra.bus import codec
from infra.bus.bus import EventBus, Handler, RetryPolicy
from infra.bus.port import Transport
from infra.clock import SystemClock
from infra.db import libpq_conninfo
from schemas.events.envelope import Envelope
from schemas.events.jobs import JobPublished

ADAPTERS = ("kafka", "embedded")


def make_transport(adapter: str, *, kafka_bootstrap: str = "", database_url: str = "",
                   partitions: int = 3) -> Transport:
    if adapter == "kafka":
        from infra.bus.kafka import KafkaTransport

        return KafkaTransport(kafka_bootstrap, partitions=partitions)
    from infra.bus.embedded import PostgresLogTransport

    return PostgresLogTransport(libpq_conninfo(database_url), partitions=partitions)


class InstantClock(SystemClock):
    """Real time, but back-off sleeps return at once and are recorded."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(0)


def job_event(key: str, n: int = 0, *, size: int = 200) -> Envelope:
    """A valid JobPublished whose subject (partition key) is `key`."""
    job = JobPublished(
        job_id=uuid.uuid5(uuid.NAMESPACE_URL, key),
        company="Acme",
        title=f"Job {n}",
        description="x" * size,
        apply_url="https://jobs.example.com/apply",
        sources=[f"test:{key}"],
    )
    return Envelope.wrap(job, source="tests", time=datetime.now(UTC))


def unique_topic(prefix: str = "contract") -> str:
    return f"{prefix}.{uuid.uuid4().hex[:12]}"


async def publish_to(bus: EventBus, topic: str, envelopes: list[Envelope]) -> None:
    await bus.publish_records([codec.encode(e, topic=topic) for e in envelopes])


class Consumer:
    """Runs `EventBus.consume` in a task; `crash()` cancels it without a final commit."""

    def __init__(self, bus: EventBus, group: str, topic: str, handler: Handler) -> None:
        self.stop = asyncio.Event()
        self.ready = asyncio.Event()
        self.task = asyncio.create_task(
            bus.consume(group, [topic], handler, stop=self.stop, ready=self.ready,
                        poll_timeout_s=0.2)
        )

    async def started(self) -> Consumer:
        await asyncio.wait_for(self.ready.wait(), 60)
        return self

    async def shutdown(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 60)

    async def crash(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def wait_until(condition: Callable[[], bool], timeout_s: float = 60.0) -> None:
    """Poll until `condition` holds; a guard against hanging, not a timing assertion."""
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def running_bus(transport: Transport, clock: SystemClock | None = None,
                      retry: RetryPolicy | None = None) -> AsyncIterator[EventBus]:
    await transport.start()
    try:
        yield EventBus(transport, clock=clock or InstantClock(), retry=retry)
    finally:
        await transport.close()


Recorder = Callable[[Envelope], Awaitable[None]]

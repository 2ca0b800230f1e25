"""Bus throughput: raw aiokafka, then EventBus on Kafka and on the embedded PostgreSQL log.

`python -m bench.bench_bus [--events N]`. Each phase produces and consumes the same events with
the same client settings, timed from the first send to the last record handled. Raw and Kafka
phases alternate for `--rounds` rounds and the medians are reported, so a noisy round on a
small machine does not decide the ratio. The last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import importlib
import json
import logging
import os
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.partitioner import DefaultPartitioner
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from infra.bus import codec
from infra.bus.bus import EventBus
from infra.bus.kafka import KafkaTransport, consumer_config, producer_config
from infra.bus.port import OutboundRecord, Transport
from infra.clock import SystemClock
from infra.logging import configure_logging
from schemas.events.envelope import Envelope
from schemas.events.jobs import JobPublished
from tests.servers import ENV_FILE, load_dev_env, scratch_database

T = TypeVar("T")

DESCRIPTION_CHARS = 900
TARGET_KAFKA_RATIO = 0.5
TARGET_EMBEDDED_EVENTS_PER_S = 2_000.0
PROGRESS_EVERY = 1_000

stderr = Console(stderr=True)


# ---------------------------------------------------------------- options


@dataclass(frozen=True)
class Options:
    """The command line, checked (its defaults are the parser's)."""

    events: int
    rounds: int
    chunk: int
    publishers: int
    partitions: int
    warmup: int
    bootstrap: str
    database_url: str | None
    skip_embedded: bool
    profile: str | None
    check: bool


def parse_args(argv: Sequence[str] | None = None) -> Options:
    load_dev_env()
    p = argparse.ArgumentParser(prog="python -m bench.bench_bus", description=__doc__)
    p.add_argument("--events", type=int, default=100_000, help="events per phase")
    p.add_argument("--rounds", type=int, default=3, help="rounds per phase; medians reported")
    p.add_argument("--chunk", type=int, default=1_000, help="records per publish call")
    p.add_argument("--publishers", type=int, default=4, help="publish calls in flight")
    p.add_argument("--partitions", type=int, default=3)
    p.add_argument("--warmup", type=int, default=10_000, help="untimed raw records first")
    p.add_argument("--bootstrap", default=os.environ.get("JAMS_KAFKA_BOOTSTRAP"))
    p.add_argument("--database-url", default=os.environ.get("JAMS_DATABASE_URL"))
    p.add_argument("--skip-embedded", action="store_true")
    p.add_argument(
        "--profile",
        choices=["raw", "kafka", "embedded"],
        help="profile that phase's first round with pyinstrument (on stderr)",
    )
    p.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = p.parse_args(argv)
    if not args.bootstrap:
        p.error(f"no Kafka: set JAMS_KAFKA_BOOTSTRAP or run `make services-up` ({ENV_FILE})")
    if min(args.events, args.rounds, args.chunk, args.publishers, args.partitions) < 1:
        p.error("--events, --rounds, --chunk, --publishers and --partitions must be positive")
    return Options(**{**vars(args), "warmup": max(0, args.warmup)})


# ---------------------------------------------------------------- workload


def build_envelopes(n: int, progress: Progress) -> list[Envelope]:
    """`n` JobPublished envelopes of ~1 KB, one job (so one partition key) each."""
    task = progress.add_task("build envelopes", total=n)
    description = ("Senior Python engineer for an event-driven platform. " * 20)[:DESCRIPTION_CHARS]
    now = datetime.now(UTC)
    envelopes = []
    for i in range(n):
        job = JobPublished(
            job_id=uuid.uuid4(),
            company=f"Company {i % 997}",
            title="Senior Python Engineer",
            location="Remote, EU",
            description=description,
            apply_url=f"https://jobs.example.com/apply/{i}",
            sources=[f"board:{i}"],
        )
        envelopes.append(Envelope.wrap(job, source="bench", time=now))
        if i % PROGRESS_EVERY == 0:
            progress.update(task, completed=i)
    progress.update(task, completed=n)
    return envelopes


def record_bytes(record: OutboundRecord) -> int:
    key = len(record.key) if record.key is not None else 0
    return key + len(record.value) + sum(len(k) + len(v) for k, v in record.headers)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------- measurement


@dataclass
class Tally:
    """Counts first deliveries of timed keys and their publish-to-handled latency."""

    total: int
    progress: Progress
    task: TaskID
    sent_at: dict[str, float] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    count: int = 0
    last_at: float = 0.0
    done: asyncio.Event = field(default_factory=asyncio.Event)
    warm: asyncio.Event = field(default_factory=asyncio.Event)

    def stamp(self, keys: Sequence[str]) -> None:
        now = time.perf_counter()
        for key in keys:
            self.sent_at[key] = now

    def hit(self, key: str) -> None:
        now = time.perf_counter()
        sent = self.sent_at.pop(key, None)  # pop: a redelivered duplicate is not counted twice
        if sent is None:  # the untimed warm-up event (or a duplicate)
            self.warm.set()
            return
        self.latencies_ms.append((now - sent) * 1000.0)
        self.count += 1
        if self.count % PROGRESS_EVERY == 0 or self.count >= self.total:
            self.progress.update(self.task, completed=self.count)
        if self.count >= self.total:
            self.last_at = now
            self.done.set()


@dataclass(frozen=True)
class Result:
    """One phase over its rounds: median throughput, latencies pooled."""

    name: str
    events: int
    rates: list[float]
    latencies_ms: list[float]

    @property
    def events_per_s(self) -> float:
        return statistics.median(self.rates)

    def percentile_ms(self, q: int) -> float:
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[q - 1]

    def merged(self, other: Result) -> Result:
        return Result(
            self.name, self.events, self.rates + other.rates, self.latencies_ms + other.latencies_ms
        )


async def publish_all(
    items: Sequence[T],
    opts: Options,
    send: Callable[[Sequence[T]], Awaitable[None]],
    keys: Callable[[Sequence[T]], list[str]],
    tally: Tally,
    task: TaskID,
) -> None:
    """Publish in chunks with `opts.publishers` calls in flight, stamping each chunk's send."""
    pending = iter(chunks(items, opts.chunk))
    sent = 0

    async def worker() -> None:
        nonlocal sent
        for chunk in pending:  # one shared iterator: workers take chunks in order
            tally.stamp(keys(chunk))
            await send(chunk)
            sent += len(chunk)
            tally.progress.update(task, completed=sent)

    await asyncio.gather(*(worker() for _ in range(opts.publishers)))


async def until(
    event: asyncio.Event, consumer: asyncio.Task[Any], timeout_s: float, what: str
) -> None:
    """Wait for `event`; a consumer that dies or a stall fails the phase."""
    waiter = asyncio.ensure_future(event.wait())
    try:
        finished, _ = await asyncio.wait(
            {waiter, consumer}, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        waiter.cancel()
    if consumer in finished and not event.is_set():
        consumer.result()  # raises what killed it
        raise RuntimeError(f"consumer stopped before {what}")
    if not finished:
        raise TimeoutError(f"no {what} after {timeout_s:.0f}s")


class Phase:
    """A phase's progress bars and tally; `timed` measures first send to last handled."""

    def __init__(self, label: str, total: int, progress: Progress) -> None:
        self.label, self.total, self.progress = label, total, progress
        self.publish_task = self.progress.add_task(f"{self.label} publish", total=self.total)
        self.consume_task = self.progress.add_task(f"{self.label} consume", total=self.total)
        self.tally = Tally(self.total, self.progress, self.consume_task)

    async def timed(
        self, publish: Callable[[], Awaitable[None]], consumer: asyncio.Task[Any]
    ) -> float:
        started = time.perf_counter()
        await publish()
        await until(
            self.tally.done, consumer, max(120.0, self.total / 200.0), f"{self.total:,} events"
        )
        return self.tally.last_at - started

    def result(self, seconds: float) -> Result:
        self.progress.remove_task(self.publish_task)
        self.progress.remove_task(self.consume_task)
        return Result(self.label, self.total, [self.total / seconds], self.tally.latencies_ms)


@contextlib.asynccontextmanager
async def profiled(enabled: bool, name: str) -> AsyncIterator[None]:
    """pyinstrument around a phase; imported only when asked for (it is not a dependency)."""
    if not enabled:
        yield
        return
    try:
        pyinstrument = importlib.import_module("pyinstrument")
    except ImportError:
        stderr.print("[yellow]pyinstrument is not installed: pip install pyinstrument[/]")
        yield
        return
    profiler = pyinstrument.Profiler(async_mode="enabled")
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        stderr.print(f"[bold]profile of {name}[/]")
        stderr.print(profiler.output_text(unicode=True, color=False))


# ---------------------------------------------------------------- phases


async def new_topic(bootstrap: str, partitions: int) -> str:
    """A fresh topic whose partitions all have a leader (setup, not timed)."""
    topic = f"bench-{uuid.uuid4().hex[:12]}"
    transport = KafkaTransport(bootstrap, partitions=partitions, client_id="jams-bench")
    await transport.start()
    try:
        await transport.ensure_topics([topic])
    finally:
        await transport.close()
    return topic


async def delete_topics(bootstrap: str, topics: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="jams-bench")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        if doomed := [t for t in topics if t in existing]:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()


def _record_keys(chunk: Sequence[OutboundRecord]) -> list[str]:
    return [r.key.decode() if r.key is not None else "" for r in chunk]


def _envelope_keys(chunk: Sequence[Envelope]) -> list[str]:
    return [e.subject for e in chunk]


async def run_raw(
    records: Sequence[OutboundRecord],
    opts: Options,
    progress: Progress,
    label: str = "raw",
    batched: bool = False,
) -> Result:
    """Plain aiokafka with the transport's settings: the baseline our layer is held to.

    Per-record `producer.send()` is the usual way and the reported baseline; `batched` uses
    aiokafka's batch API (as KafkaTransport does), shown beside it for a fair reading.
    """
    topic = await new_topic(opts.bootstrap, opts.partitions)
    phase = Phase(label, len(records), progress)
    tally = phase.tally
    producer = AIOKafkaProducer(
        bootstrap_servers=opts.bootstrap, client_id="jams-bench", **producer_config()
    )
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=opts.bootstrap,
        client_id="jams-bench",
        **consumer_config(f"bench-{uuid.uuid4().hex[:12]}"),
    )
    await producer.start()
    await consumer.start()

    async def consume() -> None:
        while not tally.done.is_set():
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            for messages in batches.values():
                for message in messages:
                    tally.hit(message.key.decode())
            if batches:  # commit per batch, after handling, as the bus does
                await consumer.commit({tp: m[-1].offset + 1 for tp, m in batches.items()})

    async def send(chunk: Sequence[OutboundRecord]) -> None:
        futures = [
            await producer.send(topic, r.value, key=r.key, headers=list(r.headers)) for r in chunk
        ]
        await asyncio.gather(*futures)

    partitioner = DefaultPartitioner()

    async def send_batched(chunk: Sequence[OutboundRecord]) -> None:
        partitions = sorted(producer.client.cluster.partitions_for_topic(topic))
        builders: dict[int, Any] = {}
        futures = []
        for r in chunk:
            partition = partitioner(r.key, partitions, partitions)
            builder = builders.get(partition)
            headers = list(r.headers)
            if builder is None or not builder.append(
                key=r.key, value=r.value, timestamp=None, headers=headers
            ):
                if builder is not None:
                    futures.append(await producer.send_batch(builder, topic, partition=partition))
                builder = builders[partition] = producer.create_batch()
                builder.append(key=r.key, value=r.value, timestamp=None, headers=headers)
        for partition, builder in builders.items():
            futures.append(await producer.send_batch(builder, topic, partition=partition))
        await asyncio.gather(*futures)

    consuming = asyncio.create_task(consume())
    try:
        await producer.send_and_wait(topic, b"{}", key=b"warm-up")
        await until(tally.warm, consuming, 60.0, "warm-up event")

        async def publish() -> None:
            sender = send_batched if batched else send
            await publish_all(records, opts, sender, _record_keys, tally, phase.publish_task)

        async with profiled(opts.profile == label, label):
            seconds = await phase.timed(publish, consuming)
    finally:
        consuming.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consuming
        await consumer.stop()
        await producer.stop()
        await delete_topics(opts.bootstrap, [topic])
    return phase.result(seconds)


async def run_bus(
    transport: Transport,
    envelopes: Sequence[Envelope],
    warmup: Envelope,
    opts: Options,
    progress: Progress,
    label: str,
) -> Result:
    """EventBus on `transport`: encode, publish, fetch, decode and validate, handle, commit."""
    bus = EventBus(transport, clock=SystemClock())
    topic = f"bench-{uuid.uuid4().hex[:12]}"
    phase = Phase(label, len(envelopes), progress)
    tally = phase.tally
    stop, ready = asyncio.Event(), asyncio.Event()

    async def handler(envelope: Envelope) -> None:
        tally.hit(envelope.subject)
        if tally.done.is_set():
            stop.set()

    async def send(chunk: Sequence[Envelope]) -> None:
        # publish() routes by event type; the bench needs its own topic, so encode here.
        await bus.publish_records([codec.encode(e, topic) for e in chunk])

    group = f"bench-{uuid.uuid4().hex[:12]}"
    consuming = asyncio.create_task(bus.consume(group, [topic], handler, stop=stop, ready=ready))
    try:
        await until(ready, consuming, 60.0, "subscription")
        await send([warmup])
        await until(tally.warm, consuming, 60.0, "warm-up event")

        async def publish() -> None:
            await publish_all(envelopes, opts, send, _envelope_keys, tally, phase.publish_task)

        async with profiled(opts.profile == label, label):
            seconds = await phase.timed(publish, consuming)
    finally:
        stop.set()
        await consuming
    if isinstance(transport, KafkaTransport):
        await delete_topics(opts.bootstrap, [topic, f"{topic}.dlq"])
    return phase.result(seconds)


async def run_kafka(
    envelopes: Sequence[Envelope], warmup: Envelope, opts: Options, progress: Progress
) -> Result:
    transport = KafkaTransport(opts.bootstrap, partitions=opts.partitions, client_id="jams-bench")
    await transport.start()
    try:
        return await run_bus(transport, envelopes, warmup, opts, progress, "kafka")
    finally:
        await transport.close()


@contextlib.contextmanager
def bus_database(server_url: str) -> Iterator[str]:
    """A fresh database holding the bus tables, dropped afterwards."""
    from infra.db import metadata

    with scratch_database(server_url) as url:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            metadata.create_all(engine)
        finally:
            engine.dispose()
        yield url


async def run_embedded(
    envelopes: Sequence[Envelope], warmup: Envelope, opts: Options, progress: Progress
) -> Result:
    # By name, so the Kafka figures still come where the embedded log is absent or broken.
    embedded = importlib.import_module("infra.bus.embedded")  # registers the bus tables
    from infra.db import libpq_conninfo

    assert opts.database_url is not None
    with bus_database(opts.database_url) as url:
        transport = embedded.PostgresLogTransport(libpq_conninfo(url), partitions=opts.partitions)
        await transport.start()
        try:
            return await run_bus(transport, envelopes, warmup, opts, progress, "embedded")
        finally:
            await transport.close()


# ---------------------------------------------------------------- report


def summary(
    opts: Options,
    envelopes: Sequence[Envelope],
    raw: Result,
    kafka: Result,
    embedded: Result | None,
    embedded_error: str | None,
) -> dict[str, Any]:
    sample = [codec.encode(e) for e in envelopes[:1000]]
    ratio = kafka.events_per_s / raw.events_per_s

    def rounded(value: float | None, digits: int = 1) -> float | None:
        return None if value is None else round(value, digits)

    report: dict[str, Any] = {
        "events": opts.events,
        "event_bytes": round(statistics.fmean(record_bytes(r) for r in sample)),
        "value_bytes": round(statistics.fmean(len(r.value) for r in sample)),
        "rounds": opts.rounds,
        "partitions": opts.partitions,
        "raw_aiokafka_events_per_s": rounded(raw.events_per_s),
        "kafka_events_per_s": rounded(kafka.events_per_s),
        "kafka_ratio": rounded(ratio, 3),
        "embedded_events_per_s": rounded(embedded.events_per_s if embedded else None),
        "raw_aiokafka_p99_ms": rounded(raw.percentile_ms(99)),
        "kafka_p50_ms": rounded(kafka.percentile_ms(50)),
        "kafka_p99_ms": rounded(kafka.percentile_ms(99)),
        "embedded_p50_ms": rounded(embedded.percentile_ms(50) if embedded else None),
        "embedded_p99_ms": rounded(embedded.percentile_ms(99) if embedded else None),
        "raw_aiokafka_rounds": [round(r) for r in raw.rates],
        "kafka_rounds": [round(r) for r in kafka.rates],
        "embedded_rounds": [round(r) for r in embedded.rates] if embedded else None,
    }
    report["targets_met"] = ratio >= TARGET_KAFKA_RATIO and (
        embedded is not None and embedded.events_per_s >= TARGET_EMBEDDED_EVENTS_PER_S
    )
    if embedded_error:
        report["embedded_error"] = embedded_error
    return report


def print_table(results: list[Result], raw: Result) -> None:
    table = Table(title="event bus throughput, first send → last handled (median of rounds)")
    for column in ("phase", "events", "rounds", "events/s", "vs raw", "p50 ms", "p99 ms"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    for r in results:
        table.add_row(
            r.name,
            f"{r.events:,}",
            str(len(r.rates)),
            f"{r.events_per_s:,.0f}",
            f"{r.events_per_s / raw.events_per_s:.2f}",
            f"{r.percentile_ms(50):.1f}",
            f"{r.percentile_ms(99):.1f}",
        )
    stderr.print(table)
    stderr.print("latency is publish call → handled, under a saturating load (queueing included)")


def _merge(results: list[Result]) -> Result:
    merged = results[0]
    for result in results[1:]:
        merged = merged.merged(result)
    return merged


async def main_async(opts: Options) -> dict[str, Any]:
    with Progress(
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=stderr,
        refresh_per_second=4,
    ) as progress:
        envelopes = build_envelopes(opts.events + 2, progress)
        warmups, envelopes = envelopes[:2], envelopes[2:]
        records = [codec.encode(e) for e in envelopes]  # raw sends the bus's exact bytes
        use_embedded = not opts.skip_embedded and bool(opts.database_url)
        phases = progress.add_task("phases", total=opts.rounds * (3 + use_embedded))
        if opts.warmup:  # a cold broker JIT would penalise whichever phase runs first
            warm = await run_raw(records[: opts.warmup], opts, progress, label="broker warm-up")
            del warm
        raws: list[Result] = []
        batched: list[Result] = []
        kafkas: list[Result] = []
        for round_ in range(opts.rounds):
            profile = opts if round_ == 0 else dataclasses.replace(opts, profile=None)
            raws.append(await run_raw(records, profile, progress))
            progress.advance(phases)
            batched.append(await run_raw(records, profile, progress, "raw batch", batched=True))
            progress.advance(phases)
            kafkas.append(await run_kafka(envelopes, warmups[0], profile, progress))
            progress.advance(phases)
        embedded: Result | None = None
        embedded_error: str | None = None
        if opts.skip_embedded:
            embedded_error = "skipped (--skip-embedded)"
        elif not opts.database_url:
            embedded_error = "no JAMS_DATABASE_URL"
        else:
            try:
                runs = []
                for round_ in range(opts.rounds):
                    profile = opts if round_ == 0 else dataclasses.replace(opts, profile=None)
                    runs.append(await run_embedded(envelopes, warmups[1], profile, progress))
                    progress.advance(phases)
                embedded = _merge(runs)
            except ImportError as exc:
                embedded_error = f"embedded transport unavailable: {exc}"
    raw, raw_batch, kafka = _merge(raws), _merge(batched), _merge(kafkas)
    if embedded_error:
        stderr.print(f"[yellow]embedded phase: {embedded_error}[/]")
    print_table([r for r in (raw, raw_batch, kafka, embedded) if r is not None], raw)
    report = summary(opts, envelopes, raw, kafka, embedded, embedded_error)
    report["raw_aiokafka_batch_api_events_per_s"] = round(raw_batch.events_per_s, 1)
    report["kafka_ratio_vs_batch_api"] = round(kafka.events_per_s / raw_batch.events_per_s, 3)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_args(argv)
    configure_logging("WARNING")
    # Produce retries while a fresh topic's leader settles are expected, not news.
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    report = asyncio.run(main_async(opts))
    print(json.dumps(report), flush=True)
    if opts.check and not report["targets_met"]:
        stderr.print(
            f"[red]targets missed: kafka_ratio >= {TARGET_KAFKA_RATIO}, "
            f"embedded >= {TARGET_EMBEDDED_EVENTS_PER_S:,.0f} events/s[/]"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Kill -9 a consumer and an outbox relay mid-stream; nothing may be lost or applied twice."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from infra.clock import SystemClock
from infra.db import create_engine
from infra.outbox import add_to_outbox, outbox
from infra.uow import UnitOfWork
from tests.busfixtures import Consumer, job_event, make_transport, publish_to, running_bus
from tests.crash.ledger import (
    CrashReport,
    build_report,
    create_ledger,
    effect_handler,
    effects,
)

pytestmark = [pytest.mark.integration, pytest.mark.kafka, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EVENTS = 10_000
KEYS = 50


def sample_events() -> list:  # type: ignore[type-arg]
    """EVENTS events over KEYS keys; each title holds the event's position within its key."""
    per_key = [0] * KEYS
    events = []
    for i in range(EVENTS):
        k = i % KEYS
        envelope = job_event(f"crash-key-{k}", size=300)
        envelope = envelope.model_copy(update={"data": {**envelope.data, "title": str(per_key[k])}})
        per_key[k] += 1
        events.append(envelope)
    return events


def spawn(module: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def count_effects(database_url: str) -> int:
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        total = conn.scalar(sa.select(sa.func.count()).select_from(effects)) or 0
    engine.dispose()
    return int(total)


async def wait_for_effects(database_url: str, at_least: int, process: subprocess.Popen[bytes],
                           timeout_s: float = 300) -> None:
    async with asyncio.timeout(timeout_s):
        while count_effects(database_url) < at_least:
            assert process.poll() is None, process.stderr.read().decode()[-3000:]  # type: ignore[union-attr]
            await asyncio.sleep(0.1)


def show(report: CrashReport, title: str, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\n" + report.render(title))


async def test_consumer_killed_mid_stream_applies_every_event_once(
    kafka_bootstrap: str, database_url: str, processes: list[subprocess.Popen[bytes]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    create_ledger(database_url)
    topic, group = f"crash.{uuid.uuid4().hex[:10]}", f"crash-{uuid.uuid4().hex[:10]}"
    events = sample_events()
    async with running_bus(make_transport("kafka", kafka_bootstrap=kafka_bootstrap)) as bus:
        await bus.transport.ensure_topics([topic])
        await publish_to(bus, topic, events)  # returns once every record is acknowledged
    worker_args = ["--bootstrap", kafka_bootstrap, "--database-url", database_url,
                   "--topic", topic, "--group", group]

    first = spawn("tests.crash.consumer_worker", *worker_args)
    processes.append(first)
    await wait_for_effects(database_url, EVENTS // 3, first)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = count_effects(database_url)
    assert killed_at < EVENTS, "the consumer finished before it could be killed"

    second = spawn("tests.crash.consumer_worker", *worker_args)
    processes.append(second)
    await wait_for_effects(database_url, EVENTS, second)
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=60) == 0

    sent = {e.id: (e.subject, int(e.data["title"])) for e in events}
    report = build_report(database_url, sent, acknowledged=len(events))
    show(report, f"consumer SIGKILL after {killed_at} effects (Kafka)", capsys)
    assert report.lost == report.unexpected == 0
    assert report.duplicate_effects == report.order_violations == 0


async def test_relay_killed_between_publish_and_mark_loses_nothing(
    kafka_bootstrap: str, database_url: str, processes: list[subprocess.Popen[bytes]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    create_ledger(database_url)
    topic, group = f"crash.{uuid.uuid4().hex[:10]}", f"crash-{uuid.uuid4().hex[:10]}"
    events = sample_events()
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await add_to_outbox(conn, events, SystemClock().now(), topic=topic)

    async with running_bus(make_transport("kafka", kafka_bootstrap=kafka_bootstrap)) as bus:
        await bus.transport.ensure_topics([topic])
        relay_args = ["--bootstrap", kafka_bootstrap, "--database-url", database_url,
                      "--batch-size", "500"]
        dying = spawn("tests.crash.relay_worker", *relay_args, "--die-after-batches", "3")
        processes.append(dying)
        assert dying.wait(timeout=120) == -signal.SIGKILL
        async with engine.connect() as conn:
            marked = await conn.scalar(
                sa.select(sa.func.count()).where(outbox.c.published_at.is_not(None)))
        assert marked == 1_000, "the third batch was published but must not be marked done"

        relay = spawn("tests.crash.relay_worker", *relay_args)
        processes.append(relay)
        uow = UnitOfWork(engine, SystemClock(), "tests/crash")
        consumer = await Consumer(bus, group, topic,
                                  effect_handler(engine, uow, group)).started()
        async with asyncio.timeout(300):
            while count_effects(database_url) < EVENTS:
                await asyncio.sleep(0.1)
        relay.send_signal(signal.SIGTERM)
        assert relay.wait(timeout=60) == 0
        await consumer.shutdown()
        delivered = len(await bus.transport.read_all(topic))
    await engine.dispose()

    sent = {e.id: (e.subject, int(e.data["title"])) for e in events}
    report = build_report(database_url, sent, acknowledged=delivered)
    show(report, "outbox relay SIGKILL between publish and mark (Kafka)", capsys)
    assert delivered == EVENTS + 500, "the unmarked batch should have been published twice"
    assert report.duplicate_deliveries == 500
    assert report.lost == report.unexpected == 0
    assert report.duplicate_effects == report.order_violations == 0


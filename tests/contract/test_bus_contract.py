"""The bus contract: the same guarantees on real Kafka and on the embedded PostgreSQL log."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator

import pytest

from infra.bus import codec
from infra.bus.bus import EventBus, PermanentError, RetryPolicy
from infra.bus.deadletters import (
    DeadLetterCount,
    count_dead_letters,
    list_dead_letters,
    replay_dead_letters,
)
from infra.bus.port import OutboundRecord, Transport
from schemas.events.envelope import Envelope
from schemas.events.topics import dead_letter_topic
from tests.busfixtures import (
    ADAPTERS,
    Consumer,
    InstantClock,
    job_event,
    make_transport,
    publish_to,
    running_bus,
    unique_topic,
    wait_until,
)

pytestmark = [pytest.mark.integration]


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest) -> str:
    if request.param == "kafka":
        request.applymarker(pytest.mark.kafka)
    return str(request.param)


@pytest.fixture
def transport_factory(adapter: str, request: pytest.FixtureRequest):
    """Makes transports on one private backend: a fresh database, or uuid topics on Kafka."""
    if adapter == "kafka":
        bootstrap = request.getfixturevalue("kafka_bootstrap")
        return lambda: make_transport("kafka", kafka_bootstrap=bootstrap)
    database_url = request.getfixturevalue("database_url")
    return lambda: make_transport("embedded", database_url=database_url)


@pytest.fixture
async def bus(transport_factory) -> AsyncIterator[EventBus]:
    async with running_bus(transport_factory(),
                           retry=RetryPolicy(max_attempts=3, initial_backoff_s=0.2)) as bus:
        yield bus


async def test_order_is_kept_per_key(bus: EventBus) -> None:
    topic = unique_topic()
    await bus.transport.ensure_topics([topic])
    keys = [f"job-{k}" for k in range(8)]
    sent = [job_event(keys[n % len(keys)], n) for n in range(400)]
    await publish_to(bus, topic, sent)
    seen: dict[str, list[uuid.UUID]] = defaultdict(list)

    async def record(envelope: Envelope) -> None:
        seen[envelope.subject].append(envelope.id)

    consumer = await Consumer(bus, f"g-{uuid.uuid4()}", topic, record).started()
    await wait_until(lambda: sum(map(len, seen.values())) >= len(sent))
    await consumer.shutdown()
    for key in keys:
        assert seen[key] == [e.id for e in sent if e.subject == key], f"order broken for {key}"


async def test_every_group_gets_every_event(bus: EventBus) -> None:
    topic = unique_topic()
    await bus.transport.ensure_topics([topic])
    sent = [job_event(f"k{n % 5}", n) for n in range(100)]
    await publish_to(bus, topic, sent)
    received: dict[str, Counter[uuid.UUID]] = {"a": Counter(), "b": Counter()}
    consumers = []
    for name, counter in received.items():
        async def record(envelope: Envelope, counter: Counter[uuid.UUID] = counter) -> None:
            counter[envelope.id] += 1

        consumers.append(await Consumer(bus, f"{name}-{uuid.uuid4()}", topic, record).started())
    await wait_until(lambda: all(len(c) == len(sent) for c in received.values()))
    for consumer in consumers:
        await consumer.shutdown()
    for counter in received.values():
        assert set(counter) == {e.id for e in sent}


async def test_a_crash_before_commit_redelivers(bus: EventBus, transport_factory) -> None:
    topic, group = unique_topic(), f"g-{uuid.uuid4()}"
    await bus.transport.ensure_topics([topic])
    sent = [job_event("one-key", n) for n in range(20)]
    await publish_to(bus, topic, sent)
    stuck_on = sent[10].id
    first_run: list[uuid.UUID] = []
    never = asyncio.Event()

    async def hang_on_eleventh(envelope: Envelope) -> None:
        first_run.append(envelope.id)
        if envelope.id == stuck_on:
            await never.wait()  # the process "dies" while handling this event

    consumer = await Consumer(bus, group, topic, hang_on_eleventh).started()
    await wait_until(lambda: stuck_on in first_run)
    await consumer.crash()

    async with running_bus(transport_factory()) as second_bus:
        second_run: list[uuid.UUID] = []

        async def record(envelope: Envelope) -> None:
            second_run.append(envelope.id)

        consumer = await Consumer(second_bus, group, topic, record).started()
        await wait_until(lambda: bool(second_run) and second_run[-1] == sent[-1].id)
        await consumer.shutdown()
    assert stuck_on in second_run, "the event being handled at the crash was not redelivered"
    assert set(first_run) | set(second_run) == {e.id for e in sent}
    assert second_run == [e.id for e in sent][len(sent) - len(second_run):], "order broken"


async def test_failures_are_retried_with_backoff_then_dead_lettered(
    transport_factory,
) -> None:
    clock = InstantClock()
    retry = RetryPolicy(max_attempts=3, initial_backoff_s=0.2, multiplier=2.0)
    async with running_bus(transport_factory(), clock=clock, retry=retry) as bus:
        topic, group = unique_topic(), f"g-{uuid.uuid4()}"
        await bus.transport.ensure_topics([topic])
        sent = [job_event("same-key", n) for n in range(5)]
        await publish_to(bus, topic, sent)
        poison = sent[2].id
        calls: Counter[uuid.UUID] = Counter()
        order: list[uuid.UUID] = []

        async def fail_on_poison(envelope: Envelope) -> None:
            calls[envelope.id] += 1
            if envelope.id == poison:
                raise RuntimeError("boom: cannot handle this one")
            order.append(envelope.id)

        consumer = await Consumer(bus, group, topic, fail_on_poison).started()
        await wait_until(lambda: len(order) == 4)
        await consumer.shutdown()
        letters = await list_dead_letters(bus.transport, topic)

    assert calls[poison] == 3
    assert clock.sleeps == [0.2, 0.4]
    assert order == [e.id for e in sent if e.id != poison]
    assert len(letters) == 1
    letter = letters[0]
    assert letter.event_id == str(poison)
    assert letter.original_topic == topic
    assert letter.original_offset >= 0 and letter.original_partition >= 0
    assert letter.attempts == 3
    assert "RuntimeError: boom" in letter.exception
    assert letter.consumer_group == group


async def test_a_permanent_error_is_dead_lettered_without_retries(bus: EventBus) -> None:
    topic = unique_topic()
    await bus.transport.ensure_topics([topic])
    await publish_to(bus, topic, [job_event("k")])
    calls = 0

    async def reject(envelope: Envelope) -> None:
        nonlocal calls
        calls += 1
        raise PermanentError("not for us")

    consumer = await Consumer(bus, f"g-{uuid.uuid4()}", topic, reject).started()
    await wait_until_dead_letters(bus.transport, topic, 1)
    await consumer.shutdown()
    assert calls == 1


async def test_a_transient_failure_holds_its_partition_until_it_succeeds(bus: EventBus) -> None:
    topic = unique_topic()
    await bus.transport.ensure_topics([topic])
    sent = [job_event("k", n) for n in range(4)]
    await publish_to(bus, topic, sent)
    flaky = sent[1].id
    failures_left = 2
    order: list[uuid.UUID] = []

    async def flaky_handler(envelope: Envelope) -> None:
        nonlocal failures_left
        if envelope.id == flaky and failures_left:
            failures_left -= 1
            raise ConnectionError("database briefly away")
        order.append(envelope.id)

    consumer = await Consumer(bus, f"g-{uuid.uuid4()}", topic, flaky_handler).started()
    await wait_until(lambda: len(order) == 4)
    await consumer.shutdown()
    assert order == [e.id for e in sent]
    assert await list_dead_letters(bus.transport, topic) == []


@pytest.mark.parametrize(
    "value, headers, reason",
    [
        (b"\xff not json", None, "undecodable"),
        (b'{"job_id": "not-a-uuid"}', None, "schema-invalid"),
        (b"{}", [("ce_type", b"jams.nothing.Unknown")], "unknown-type"),
    ],
)
async def test_poison_goes_straight_to_the_dlq_and_never_blocks(
    bus: EventBus, value: bytes, headers: list[tuple[str, bytes]] | None, reason: str
) -> None:
    topic = unique_topic()
    await bus.transport.ensure_topics([topic])
    good_before, good_after = job_event("k", 1), job_event("k", 2)
    template = codec.encode(good_before, topic=topic)
    poison_headers = tuple(
        (k, v) for k, v in template.headers if not headers or k not in dict(headers)
    ) + tuple(headers or ())
    await publish_to(bus, topic, [good_before])
    await bus.transport.send([OutboundRecord(topic, b"k", value, poison_headers)])
    await publish_to(bus, topic, [good_after])
    handled: list[uuid.UUID] = []

    async def record(envelope: Envelope) -> None:
        handled.append(envelope.id)

    consumer = await Consumer(bus, f"g-{uuid.uuid4()}", topic, record).started()
    await wait_until(lambda: len(handled) == 2)
    await consumer.shutdown()
    letters = await list_dead_letters(bus.transport, topic)
    assert handled == [good_before.id, good_after.id]
    assert len(letters) == 1 and letters[0].attempts == 0
    assert letters[0].reason.startswith(reason), letters[0].reason


async def test_a_failing_event_is_never_committed_past(
    bus: EventBus, transport_factory
) -> None:
    """While an event is being retried, later ones on its partition wait; a crash then
    redelivers the failed one instead of skipping it."""
    topic, group = unique_topic(), f"g-{uuid.uuid4()}"
    await bus.transport.ensure_topics([topic])
    sent = [job_event("k", n) for n in range(3)]
    await publish_to(bus, topic, sent)
    attempts: Counter[uuid.UUID] = Counter()
    gate = asyncio.Event()

    async def failing_first(envelope: Envelope) -> None:
        attempts[envelope.id] += 1
        if envelope.id == sent[0].id:
            if attempts[envelope.id] == 2:
                await gate.wait()  # crash during the second attempt
            raise RuntimeError("not yet")

    consumer = await Consumer(bus, group, topic, failing_first).started()
    await wait_until(lambda: attempts[sent[0].id] == 2)
    assert attempts[sent[1].id] == 0, "a later event ran while an earlier one was failing"
    await consumer.crash()

    async with running_bus(transport_factory()) as second_bus:
        redelivered: list[uuid.UUID] = []

        async def record(envelope: Envelope) -> None:
            redelivered.append(envelope.id)

        consumer = await Consumer(second_bus, group, topic, record).started()
        await wait_until(lambda: len(redelivered) == 3)
        await consumer.shutdown()
    assert redelivered == [e.id for e in sent]


async def test_dead_letters_can_be_listed_and_replayed(bus: EventBus) -> None:
    topic, group = unique_topic(), f"g-{uuid.uuid4()}"
    await bus.transport.ensure_topics([topic])
    sent = [job_event(f"k{n}", n) for n in range(3)]
    await publish_to(bus, topic, sent)
    broken = True
    handled: Counter[uuid.UUID] = Counter()

    async def handler(envelope: Envelope) -> None:
        if broken:
            raise PermanentError("dependency missing")
        handled[envelope.id] += 1

    consumer = await Consumer(bus, group, topic, handler).started()
    await wait_until_dead_letters(bus.transport, topic, 3)
    broken = False
    assert await count_dead_letters(bus.transport, [topic, "never.created"]) == {
        topic: DeadLetterCount(held=3, waiting=3), "never.created": DeadLetterCount(0, 0)}
    assert await replay_dead_letters(bus.transport, topic, idle_timeout_s=1.0) == 3
    assert await replay_dead_letters(bus.transport, topic, idle_timeout_s=0.5) == 0
    # From offsets alone: the replay group's commits are what was replayed.
    [count] = (await count_dead_letters(bus.transport, [dead_letter_topic(topic)])).values()
    assert (count.held, count.waiting, count.replayed) == (3, 0, 3)
    await wait_until(lambda: len(handled) == 3)
    await consumer.shutdown()
    assert set(handled) == {e.id for e in sent}
    assert all(count == 1 for count in handled.values())


async def wait_until_dead_letters(transport: Transport, topic: str, count: int) -> None:
    async with asyncio.timeout(60):
        while len(await transport.read_all(dead_letter_topic(topic))) < count:
            await asyncio.sleep(0.05)


def test_dead_letter_headers_are_json_safe() -> None:
    """Dead-letter views serialise for the CLI's --json output."""
    from infra.bus.deadletters import DeadLetterView

    view = DeadLetterView(0, "t", 0, 1, "g", "x", "id", "r", "e", 1, "now")
    assert json.loads(json.dumps(view.__dict__))["original_offset"] == 1

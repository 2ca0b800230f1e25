"""A database that is away longer than an event's retry budget (a PostgreSQL restart) must not
send good events to the dead-letter topic: they wait for it; a real poison event still goes."""

from __future__ import annotations

import asyncio
import uuid

import psycopg
import pytest
import sqlalchemy.exc

from infra.bus.bus import RetryPolicy
from infra.bus.deadletters import list_dead_letters
from schemas.events.envelope import Envelope
from tests.busfixtures import (
    Consumer,
    InstantClock,
    job_event,
    make_transport,
    publish_to,
    running_bus,
    unique_topic,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.kafka]


def database_gone() -> sqlalchemy.exc.OperationalError:
    return sqlalchemy.exc.OperationalError(
        "SELECT 1", {}, psycopg.OperationalError("connection to server on socket failed"))


async def test_an_outage_longer_than_the_retry_budget_dead_letters_nothing(
    kafka_bootstrap: str,
) -> None:
    clock = InstantClock()
    retry = RetryPolicy(max_attempts=3, initial_backoff_s=0.2, max_backoff_s=1.0)
    async with running_bus(make_transport("kafka", kafka_bootstrap=kafka_bootstrap),
                           clock=clock, retry=retry) as bus:
        topic = unique_topic("outage")
        await bus.transport.ensure_topics([topic])
        sent = [job_event("k", n) for n in range(3)]
        await publish_to(bus, topic, sent)
        outage_left = 10  # far more failures than max_attempts
        handled: list[uuid.UUID] = []

        async def handler(envelope: Envelope) -> None:
            nonlocal outage_left
            if outage_left:
                outage_left -= 1
                raise database_gone()
            handled.append(envelope.id)

        consumer = await Consumer(bus, f"g-{uuid.uuid4()}", topic, handler).started()
        await wait_until(lambda: len(handled) == 3)
        await consumer.shutdown()
        letters = await list_dead_letters(bus.transport, topic)
    assert letters == [], "a good event was dead-lettered because the database was away"
    assert handled == [e.id for e in sent]
    assert max(clock.sleeps) == 1.0  # backed off, capped


async def test_an_outage_that_never_ends_is_dead_lettered_after_the_patience(
    kafka_bootstrap: str,
) -> None:
    clock = InstantClock()
    retry = RetryPolicy(max_attempts=2, initial_backoff_s=1, max_backoff_s=1,
                        outage_patience_s=5)
    async with running_bus(make_transport("kafka", kafka_bootstrap=kafka_bootstrap),
                           clock=clock, retry=retry) as bus:
        topic = unique_topic("outage")
        await bus.transport.ensure_topics([topic])
        await publish_to(bus, topic, [job_event("k")])
        calls = 0

        async def handler(envelope: Envelope) -> None:
            nonlocal calls
            calls += 1
            raise database_gone()

        consumer = await Consumer(bus, f"g-{uuid.uuid4()}", topic, handler).started()
        await wait_until(lambda: calls >= 7)
        async with asyncio.timeout(60):
            while not await list_dead_letters(bus.transport, topic):
                await asyncio.sleep(0.2)
        await consumer.shutdown()
    assert calls == 5 + 2  # five waits of 1 s (the patience), then the two ordinary attempts

"""The bot's small consumer batch against Kafka's max.poll.interval, on the real broker.

Kafka counts only the time between two fetches. The bus fetches between batches, so a batch
of N records each handled in T seconds keeps the member silent for about N*T: past the poll
interval the member is put out of the group mid-batch, its commit is refused and the whole
batch is delivered again. A batch of one keeps the silence at T.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest

from infra.bus.kafka import KafkaTransport
from schemas.events.envelope import Envelope
from services.application_bot.settings import ApplicationBotSettings
from tests.busfixtures import job_event, publish_to, running_bus, unique_topic, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.kafka, pytest.mark.slow]

HANDLER_S = 1.0  # a browser application: seconds per record
POLL_INTERVAL_S = 5.0  # a tiny max.poll.interval: five records' handling
EVENTS = 8


MEMBERS = 2  # a member put out of the group hands its partition to the other
SETTLE_S = 6.0  # for both members to join before anything is published


async def _consume(kafka_bootstrap: str, batch_size: int, *, until_duplicate: bool
                   ) -> Counter[uuid.UUID]:
    """How often each of EVENTS slow records (one partition, in order) reached a handler."""
    calls: Counter[uuid.UUID] = Counter()
    topic, group = unique_topic("bot-poll"), f"bot-poll-{uuid.uuid4().hex[:8]}"

    async def slow(envelope: Envelope) -> None:
        calls[envelope.id] += 1
        await asyncio.sleep(HANDLER_S)

    async with running_bus(KafkaTransport(kafka_bootstrap, partitions=1)) as bus:
        stop = asyncio.Event()
        readies = [asyncio.Event() for _ in range(MEMBERS)]
        members = [asyncio.create_task(bus.consume(
            group, [topic], slow, stop=stop, ready=ready, batch_size=batch_size,
            poll_timeout_s=0.2, max_poll_interval_s=POLL_INTERVAL_S)) for ready in readies]
        try:
            for ready in readies:
                await asyncio.wait_for(ready.wait(), 60)
            await asyncio.sleep(SETTLE_S)
            await publish_to(bus, topic, [job_event("one-key", n) for n in range(EVENTS)])
            if until_duplicate:
                await wait_until(lambda: any(n > 1 for n in calls.values()), timeout_s=120)
            else:
                await wait_until(lambda: len(calls) == EVENTS, timeout_s=120)
                # Long enough for a put-out member's batch to reach the other member.
                await asyncio.sleep(POLL_INTERVAL_S + 2 * HANDLER_S)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*members), 120)
    return calls


async def test_a_batch_of_one_keeps_slow_handlers_inside_the_poll_interval(
    kafka_bootstrap: str,
) -> None:
    calls = await _consume(kafka_bootstrap, batch_size=1, until_duplicate=False)
    assert len(calls) == EVENTS
    assert set(calls.values()) == {1}, "a record was delivered again after a rebalance"


async def test_a_large_batch_of_slow_handlers_outlives_the_poll_interval_and_repeats(
    kafka_bootstrap: str,
) -> None:
    # The failure the small batch prevents: every record of the batch is handled again.
    calls = await _consume(kafka_bootstrap, batch_size=EVENTS, until_duplicate=True)
    assert max(calls.values()) > 1


def test_the_bot_fetches_a_few_records_at_a_time_with_room_for_each() -> None:
    settings = ApplicationBotSettings()
    assert settings.consumer_batch_size <= 8
    assert settings.consumer_max_poll_interval_s is not None
    assert settings.consumer_max_poll_interval_s >= (
        settings.consumer_batch_size * settings.worst_visit_s)

"""A reviewer socket that floods the gateway with messages is closed with 1008 once it passes
its budget: 100 status messages no longer become 102 bus events. A page's own pace (a
heartbeat every few seconds, a message per click) never comes near it."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from schemas.events import topics
from schemas.events.review import ReviewerPresenceChanged
from services.gateway.settings import GatewaySettings
from services.gateway.socket_limits import CLOSE_POLICY_VIOLATION, MessageBudget
from tests.integration.test_gateway_ws import (
    ALICE,
    SECRET,
    WAIT_S,
    Gateway,
    running_gateway,
    token_of,
)

FLOOD = 100
BURST = 20


def test_a_budget_allows_its_burst_then_its_rate() -> None:
    budget = MessageBudget(per_s=2, burst=3)
    assert [budget.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert budget.take(0.4) is False  # 0.8 of a message refilled
    assert budget.take(0.5) is True
    assert budget.take(10.0) and budget.take(10.0) and budget.take(10.0)  # refills to burst
    assert budget.take(10.0) is False


def test_a_page_that_keeps_its_pace_is_never_refused() -> None:
    budget = MessageBudget(per_s=5, burst=30)
    # A heartbeat every second and a click every 0.3 s for ten minutes.
    times = sorted([float(s) for s in range(600)] + [0.3 * n for n in range(2000)])
    assert all(budget.take(t) for t in times)


@pytest.fixture
def limited(database_url: str, redis_url: str, tmp_path: Path) -> GatewaySettings:
    """The gateway on the embedded bus, with a small budget per socket."""
    return GatewaySettings(
        bus="embedded", database_url=database_url, redis_url=redis_url, mongo_url=None,
        blob_dir=tmp_path, presence_namespace=f"limit-{uuid.uuid4().hex[:12]}",
        # A slow refill: however long the flood takes here, it adds next to nothing.
        shutdown_grace_s=5, jwt_secret=SECRET, socket_message_burst=BURST,
        socket_messages_per_s=0.1)


async def presence_events(gateway: Gateway) -> list[ReviewerPresenceChanged]:
    events = await gateway.published(topics.REVIEWERS, ReviewerPresenceChanged)
    return [e for e in events if e.reviewer_id == ALICE]


@pytest.mark.integration
async def test_a_flood_of_status_messages_closes_the_socket_before_the_bus_sees_it(
    limited: GatewaySettings,
) -> None:
    async with running_gateway(limited) as gateway:
        url = gateway.socket_url(ALICE, token_of(ALICE))
        async with connect(url) as socket:
            for n in range(FLOOD):
                status = "away" if n % 2 else "available"
                try:
                    await socket.send(json.dumps({"type": "status", "status": status}))
                except ConnectionClosed:
                    break
            with pytest.raises(ConnectionClosed):
                async with asyncio.timeout(WAIT_S):
                    while True:
                        await socket.recv()
        assert socket.close_code == CLOSE_POLICY_VIOLATION
        async with asyncio.timeout(WAIT_S):  # the gateway saw the client leave
            while not [e for e in await presence_events(gateway) if e.status == "offline"]:
                await asyncio.sleep(0.1)
        events = await presence_events(gateway)
        # Connecting, the burst (plus what refilled meanwhile), leaving: not one per message.
        assert len(events) <= BURST + 4, len(events)


@pytest.mark.integration
async def test_a_burst_within_the_budget_is_served_in_full(limited: GatewaySettings) -> None:
    async with running_gateway(limited) as gateway, \
            connect(gateway.socket_url(ALICE, token_of(ALICE))) as socket:
        for _ in range(BURST - 1):
            await socket.send(json.dumps({"type": "heartbeat"}))
        await socket.send(json.dumps({"type": "bogus"}))  # the last of the burst
        answers: list[dict[str, str]] = []
        async with asyncio.timeout(WAIT_S):
            while len(answers) < BURST:
                message = json.loads(await socket.recv())
                if message["type"] in ("ack", "error"):
                    answers.append(message)
        assert answers[:-1] == [{"type": "ack", "of": "heartbeat"}] * (BURST - 1)
        assert answers[-1]["type"] == "error"


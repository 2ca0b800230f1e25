"""The presence port's contract, run on the Valkey adapter and on the in-memory fake."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest
from redis.asyncio import Redis

from infra.bus.outage import is_dependency_outage
from infra.clock import FakeClock
from infra.presence import Presence, PresenceUnavailable, ValkeyPresence, presence_key
from services.workflow.policy import is_available
from tests.fakes.presence import InMemoryPresence
from tests.servers import server_url

TTL = timedelta(seconds=45)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def namespace(redis: Redis) -> AsyncIterator[str]:
    """A key prefix of this test's own, deleted afterwards."""
    ns = f"test-{uuid.uuid4().hex[:12]}"
    yield ns
    keys = [key async for key in redis.scan_iter(match=f"{ns}:*")]
    if keys:
        await redis.delete(*keys)


@pytest.fixture(params=["memory", pytest.param("valkey", marks=pytest.mark.integration)])
async def presence(request: pytest.FixtureRequest) -> AsyncIterator[Presence]:
    if request.param == "memory":
        yield InMemoryPresence()
        return
    # Asked for here, not as a parameter, so the in-memory run needs no server.
    client = Redis.from_url(server_url("JAMS_REDIS_URL"))
    ns = f"test-{uuid.uuid4().hex[:12]}"
    try:
        yield ValkeyPresence(client, ns)
    finally:
        await client.delete(presence_key(ns))
        await client.aclose()


async def test_connect_marks_available(presence: Presence, fake_clock: FakeClock) -> None:
    reviewer = uuid.uuid4()
    assert await presence.get(reviewer) is None
    await presence.connect(reviewer, "c1", fake_clock.now())
    entry = await presence.get(reviewer)
    assert entry is not None
    assert (entry.status, entry.since, entry.heartbeat_at, entry.connection) == (
        "available", fake_clock.now(), fake_clock.now(), "c1"
    )


@pytest.mark.parametrize("status", ["available", "away"])
async def test_heartbeat_refreshes_and_keeps_the_status_without_reannouncing(
    presence: Presence, fake_clock: FakeClock, status: Literal["available", "away"]
) -> None:
    reviewer = uuid.uuid4()
    await presence.connect(reviewer, "c1", fake_clock.now())
    fake_clock.advance(10)
    said_so = fake_clock.now()
    await presence.set_status(reviewer, "c1", status, said_so)
    fake_clock.advance(15)
    assert await presence.touch(reviewer, "c1", fake_clock.now()) is False
    entry = await presence.get(reviewer)
    assert entry is not None
    assert (entry.status, entry.since, entry.heartbeat_at) == (status, said_so, fake_clock.now())


async def test_only_the_owning_connection_goes_offline(
    presence: Presence, fake_clock: FakeClock
) -> None:
    reviewer = uuid.uuid4()
    await presence.connect(reviewer, "tab-1", fake_clock.now())
    await presence.connect(reviewer, "tab-2", fake_clock.now())  # the last to connect owns it
    assert await presence.release(reviewer, "tab-1", fake_clock.now()) is False
    entry = await presence.get(reviewer)
    assert entry is not None and entry.status == "available"
    fake_clock.advance(3)
    assert await presence.release(reviewer, "tab-2", fake_clock.now()) is True
    entry = await presence.get(reviewer)
    assert entry is not None
    assert (entry.status, entry.since) == ("offline", fake_clock.now())
    assert await presence.release(reviewer, "tab-2", fake_clock.now()) is False


async def test_heartbeat_brings_an_offline_reviewer_back(
    presence: Presence, fake_clock: FakeClock
) -> None:
    reviewer = uuid.uuid4()
    await presence.connect(reviewer, "tab-1", fake_clock.now())
    await presence.connect(reviewer, "tab-2", fake_clock.now())
    await presence.release(reviewer, "tab-2", fake_clock.now())
    fake_clock.advance(5)
    # tab-1 is still open: its next heartbeat marks the reviewer available and owns the entry.
    assert await presence.touch(reviewer, "tab-1", fake_clock.now()) is True
    entry = await presence.get(reviewer)
    assert entry is not None
    assert (entry.status, entry.connection, entry.since, entry.heartbeat_at) == (
        "available", "tab-1", fake_clock.now(), fake_clock.now()
    )


async def test_heartbeat_of_an_unknown_reviewer_creates_the_entry(
    presence: Presence, fake_clock: FakeClock
) -> None:
    reviewer = uuid.uuid4()
    assert await presence.touch(reviewer, "c1", fake_clock.now()) is True
    entry = await presence.get(reviewer)
    assert entry is not None and entry.status == "available"


async def test_release_of_an_unknown_reviewer_does_nothing(
    presence: Presence, fake_clock: FakeClock
) -> None:
    reviewer = uuid.uuid4()
    assert await presence.release(reviewer, "c1", fake_clock.now()) is False
    assert await presence.get(reviewer) is None


async def test_away_as_of_turns_away_whoever_was_available_before_the_decision(
    presence: Presence, fake_clock: FakeClock
) -> None:
    reviewer = uuid.uuid4()
    await presence.connect(reviewer, "c1", fake_clock.now())
    fake_clock.advance(60)
    decided_at = fake_clock.now()
    fake_clock.advance(1)
    await presence.touch(reviewer, "c1", fake_clock.now())  # a heartbeat is no coming back
    assert await presence.away_as_of(reviewer, decided_at) is True
    entry = await presence.get(reviewer)
    assert entry is not None
    assert (entry.status, entry.since, entry.heartbeat_at) == (
        "away", decided_at, fake_clock.now()
    )
    # Applied again (a redelivered event): still away, nothing changes.
    assert await presence.away_as_of(reviewer, decided_at) is True
    assert await presence.get(reviewer) == entry


async def test_away_as_of_spares_whoever_came_back_after_the_decision(
    presence: Presence, fake_clock: FakeClock
) -> None:
    reviewer, reconnected = uuid.uuid4(), uuid.uuid4()
    decided_at = fake_clock.now()
    await presence.connect(reviewer, "c1", decided_at - timedelta(minutes=5))
    fake_clock.advance(2)
    await presence.set_status(reviewer, "c1", "available", fake_clock.now())
    await presence.connect(reconnected, "c2", fake_clock.now())
    assert await presence.away_as_of(reviewer, decided_at) is False
    assert await presence.away_as_of(reconnected, decided_at) is False
    for who in (reviewer, reconnected):
        entry = await presence.get(who)
        assert entry is not None
        assert (entry.status, entry.since) == ("available", fake_clock.now())


async def test_away_as_of_leaves_offline_and_unknown_reviewers_alone(
    presence: Presence, fake_clock: FakeClock
) -> None:
    gone, unknown = uuid.uuid4(), uuid.uuid4()
    await presence.connect(gone, "c1", fake_clock.now())
    await presence.release(gone, "c1", fake_clock.now())
    fake_clock.advance(1)
    assert await presence.away_as_of(gone, fake_clock.now()) is False
    assert await presence.away_as_of(unknown, fake_clock.now()) is False
    entry = await presence.get(gone)
    assert entry is not None and entry.status == "offline"
    assert await presence.get(unknown) is None


async def test_entries_hold_every_reviewer(presence: Presence, fake_clock: FakeClock) -> None:
    online, gone, away = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await presence.connect(online, "c1", fake_clock.now())
    await presence.connect(gone, "c2", fake_clock.now())
    await presence.release(gone, "c2", fake_clock.now())
    await presence.set_status(away, "c3", "away", fake_clock.now())
    entries = await presence.entries()
    assert {rid: e.status for rid, e in entries.items()} == {
        online: "available", gone: "offline", away: "away"}
    assert entries[online] == await presence.get(online)


async def test_availability_is_judged_from_the_heartbeat(
    presence: Presence, fake_clock: FakeClock
) -> None:
    online, gone = uuid.uuid4(), uuid.uuid4()
    await presence.connect(online, "c1", fake_clock.now())
    await presence.connect(gone, "c2", fake_clock.now())
    await presence.release(gone, "c2", fake_clock.now())
    assert is_available(await presence.get(online), fake_clock.now(), TTL)
    assert not is_available(await presence.get(gone), fake_clock.now(), TTL)
    fake_clock.advance(TTL.total_seconds() + 1)  # no heartbeat: stale, whatever it says
    assert not is_available(await presence.get(online), fake_clock.now(), TTL)


@pytest.mark.integration
async def test_valkey_skips_entries_it_cannot_read(
    redis: Redis, namespace: str, fake_clock: FakeClock
) -> None:
    reviewer, broken, naive = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    presence = ValkeyPresence(redis, namespace)
    await presence.connect(reviewer, "c1", fake_clock.now())
    await redis.hset(presence_key(namespace), mapping={
        "not-a-uuid": '{"status": "available", "heartbeat_at": "2026-01-01T00:00:00+00:00"}',
        str(broken): "{broken json",
        str(naive): '{"status": "available", "heartbeat_at": "2026-01-01T00:00:00"}',
    })
    assert set(await presence.entries()) == {reviewer}
    assert await presence.get(broken) is None
    assert await presence.get(naive) is None
    # A broken entry is nobody's presence: a heartbeat replaces it, an away leaves it.
    assert await presence.away_as_of(broken, fake_clock.now()) is False
    assert await presence.touch(broken, "c2", fake_clock.now()) is True
    entry = await presence.get(broken)
    assert entry is not None and entry.status == "available"


@pytest.mark.integration
async def test_valkey_reads_an_entry_without_since_as_dated_by_its_heartbeat(
    redis: Redis, namespace: str
) -> None:
    reviewer = uuid.uuid4()
    beat = "2026-01-01T00:00:10.000000+00:00"
    await redis.hset(presence_key(namespace), str(reviewer),
                     f'{{"status": "available", "heartbeat_at": "{beat}", "connection": "c"}}')
    presence = ValkeyPresence(redis, namespace)
    entry = await presence.get(reviewer)
    assert entry is not None
    assert entry.since == entry.heartbeat_at == datetime.fromisoformat(beat)
    assert await presence.away_as_of(reviewer, datetime(2026, 1, 1, 0, 0, 5, tzinfo=UTC)) is False
    assert await presence.away_as_of(reviewer, datetime(2026, 1, 1, 0, 0, 11, tzinfo=UTC))


@pytest.mark.integration
async def test_valkey_namespaces_do_not_see_each_other(
    redis: Redis, namespace: str, fake_clock: FakeClock
) -> None:
    reviewer = uuid.uuid4()
    await ValkeyPresence(redis, namespace).connect(reviewer, "c1", fake_clock.now())
    other = ValkeyPresence(redis, f"{namespace}-other")
    assert await other.get(reviewer) is None
    assert await other.entries() == {}


async def test_valkey_out_of_reach_is_presence_unavailable(fake_clock: FakeClock) -> None:
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    presence = ValkeyPresence(client, "nowhere")
    try:
        with pytest.raises(PresenceUnavailable) as unavailable:
            await presence.entries()
        assert is_dependency_outage(unavailable.value)  # an event waits, not dead-lettered
        with pytest.raises(PresenceUnavailable):
            await presence.connect(uuid.uuid4(), "c1", fake_clock.now())
        with pytest.raises(PresenceUnavailable):
            await presence.away_as_of(uuid.uuid4(), fake_clock.now())
    finally:
        await client.aclose()

"""The presence store contract, run on every adapter; and the workflow reads what it writes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from infra.clock import FakeClock
from services.gateway.adapters.presence import (
    InMemoryPresenceStore,
    PresenceStore,
    RedisPresenceStore,
    presence_key,
)
from services.workflow.adapters.presence import RedisPresence
from services.workflow.policy import is_available
from tests.servers import server_url

TTL = timedelta(seconds=45)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def namespace(redis_url: str) -> AsyncIterator[str]:
    """A key prefix of this test's own, deleted afterwards."""
    ns = f"test-{uuid.uuid4().hex[:12]}"
    yield ns
    client = Redis.from_url(redis_url)
    keys = [key async for key in client.scan_iter(match=f"{ns}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.integration)])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[PresenceStore]:
    if request.param == "memory":
        yield InMemoryPresenceStore()
        return
    # Asked for here, not as a parameter, so the in-memory run needs no server.
    redis_url = server_url("JAMS_REDIS_URL")
    ns = f"test-{uuid.uuid4().hex[:12]}"
    client = Redis.from_url(redis_url)
    try:
        yield RedisPresenceStore(client, ns)
    finally:
        await client.delete(presence_key(ns))
        await client.aclose()


async def test_connect_marks_available(store: PresenceStore, fake_clock: FakeClock) -> None:
    reviewer = uuid.uuid4()
    assert await store.get(reviewer) is None
    await store.connect(reviewer, "c1", fake_clock.now())
    entry = await store.get(reviewer)
    assert entry is not None
    assert (entry.status, entry.heartbeat_at, entry.connection) == (
        "available", fake_clock.now(), "c1"
    )


async def test_heartbeat_refreshes_without_reannouncing(
    store: PresenceStore, fake_clock: FakeClock
) -> None:
    reviewer = uuid.uuid4()
    await store.connect(reviewer, "c1", fake_clock.now())
    fake_clock.advance(15)
    assert await store.touch(reviewer, "c1", fake_clock.now()) is False
    entry = await store.get(reviewer)
    assert entry is not None
    assert (entry.status, entry.heartbeat_at) == ("available", fake_clock.now())


async def test_only_the_owning_connection_goes_offline(
    store: PresenceStore, fake_clock: FakeClock
) -> None:
    reviewer = uuid.uuid4()
    await store.connect(reviewer, "tab-1", fake_clock.now())
    await store.connect(reviewer, "tab-2", fake_clock.now())  # the last to connect owns it
    assert await store.release(reviewer, "tab-1", fake_clock.now()) is False
    entry = await store.get(reviewer)
    assert entry is not None and entry.status == "available"
    assert await store.release(reviewer, "tab-2", fake_clock.now()) is True
    entry = await store.get(reviewer)
    assert entry is not None and entry.status == "offline"
    assert await store.release(reviewer, "tab-2", fake_clock.now()) is False


async def test_heartbeat_brings_an_offline_reviewer_back(
    store: PresenceStore, fake_clock: FakeClock
) -> None:
    reviewer = uuid.uuid4()
    await store.connect(reviewer, "tab-1", fake_clock.now())
    await store.connect(reviewer, "tab-2", fake_clock.now())
    await store.release(reviewer, "tab-2", fake_clock.now())
    fake_clock.advance(5)
    # tab-1 is still open: its next heartbeat marks the reviewer available and owns the entry.
    assert await store.touch(reviewer, "tab-1", fake_clock.now()) is True
    entry = await store.get(reviewer)
    assert entry is not None
    assert (entry.status, entry.connection, entry.heartbeat_at) == (
        "available", "tab-1", fake_clock.now()
    )


async def test_heartbeat_of_an_unknown_reviewer_creates_the_entry(
    store: PresenceStore, fake_clock: FakeClock
) -> None:
    reviewer = uuid.uuid4()
    assert await store.touch(reviewer, "c1", fake_clock.now()) is True
    entry = await store.get(reviewer)
    assert entry is not None and entry.status == "available"


async def test_release_of_an_unknown_reviewer_does_nothing(
    store: PresenceStore, fake_clock: FakeClock
) -> None:
    assert await store.release(uuid.uuid4(), "c1", fake_clock.now()) is False


@pytest.mark.integration
async def test_workflow_reads_what_the_gateway_writes(
    redis: Redis, namespace: str, fake_clock: FakeClock
) -> None:
    writer = RedisPresenceStore(redis, namespace)
    reader = RedisPresence(redis, namespace)
    online, gone = uuid.uuid4(), uuid.uuid4()
    await writer.connect(online, "c1", fake_clock.now())
    await writer.connect(gone, "c2", fake_clock.now())
    await writer.release(gone, "c2", fake_clock.now())

    entries = await reader.entries()
    assert set(entries) == {online, gone}
    assert entries[online].heartbeat_at == fake_clock.now()
    assert is_available(await reader.entry(online), fake_clock.now(), TTL)
    assert not is_available(await reader.entry(gone), fake_clock.now(), TTL)
    fake_clock.advance(TTL.total_seconds() + 1)  # no heartbeat: stale, whatever it says
    assert not is_available(await reader.entry(online), fake_clock.now(), TTL)


@pytest.mark.integration
async def test_reader_skips_entries_it_cannot_read(
    redis: Redis, namespace: str, fake_clock: FakeClock
) -> None:
    reviewer = uuid.uuid4()
    await RedisPresenceStore(redis, namespace).connect(reviewer, "c1", fake_clock.now())
    await redis.hset(presence_key(namespace), mapping={
        "not-a-uuid": '{"status": "available", "heartbeat_at": "2026-01-01T00:00:00+00:00"}',
        str(uuid.uuid4()): "{broken json",
        str(uuid.uuid4()): '{"status": "available", "heartbeat_at": "2026-01-01T00:00:00"}',
    })
    assert set(await RedisPresence(redis, namespace).entries()) == {reviewer}


@pytest.mark.integration
async def test_namespaces_do_not_see_each_other(
    redis: Redis, namespace: str, fake_clock: FakeClock
) -> None:
    reviewer = uuid.uuid4()
    await RedisPresenceStore(redis, namespace).connect(reviewer, "c1", fake_clock.now())
    other = f"{namespace}-other"
    assert await RedisPresenceStore(redis, other).get(reviewer) is None
    assert await RedisPresence(redis, other).entries() == {}

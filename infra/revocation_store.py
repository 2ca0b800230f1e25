"""Revocations kept in Redis and fanned out to every replica through pub/sub.

Each revocation is a key living as long as the tokens it refuses (a replica that starts later
reads them all) and a message on one channel (replicas already running apply it at once, and
close the sockets it ends).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from infra.clock import Clock
from infra.revocation import Revocation, RevocationList

log = structlog.get_logger(__name__)

OnRevoked = Callable[[Revocation], Awaitable[None]]


def revocation_channel(namespace: str) -> str:
    return f"{namespace}:auth:revoked"


class RedisRevocations:
    """Publishes revocations and keeps this replica's RevocationList up to date."""

    def __init__(self, redis: Redis, namespace: str, clock: Clock) -> None:
        self._redis = redis
        self._namespace = namespace
        self._clock = clock
        self.list = RevocationList(clock)
        self._listeners: list[OnRevoked] = []
        self.listening = asyncio.Event()

    def on_revoked(self, listener: OnRevoked) -> None:
        """Call `listener` with every revocation this replica learns of (to close sockets)."""
        self._listeners.append(listener)

    async def revoke(self, revocation: Revocation) -> None:
        """Refuse the tokens `revocation` names, on every replica."""
        ttl_ms = int((revocation.until - self._clock.now()).total_seconds() * 1000)
        if ttl_ms <= 0:
            return
        text = revocation.to_json()
        await self._redis.set(self._key(revocation.key), text, px=ttl_ms)
        # Applied here too, so the request that revoked is answered with it in force.
        await self._apply(revocation)
        await self._redis.publish(revocation_channel(self._namespace), text)

    async def load(self) -> None:
        """Every revocation still in force (at start, and after the subscription was lost)."""
        async for key in self._redis.scan_iter(match=self._key("*"), count=500):
            text = await self._redis.get(key)
            if text is not None:
                self._read(text)

    async def run(self, stop: asyncio.Event) -> None:
        """Apply revocations as they are published until `stop`; resubscribe after outages."""
        while not stop.is_set():
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(revocation_channel(self._namespace))
                    # Subscribed first, then loaded: none published in between is missed.
                    await self.load()
                    self.listening.set()
                    while not stop.is_set():
                        message = await pubsub.get_message(ignore_subscribe_messages=True,
                                                           timeout=0.5)
                        if message is not None and (found := self._read(message["data"])):
                            await self._notify(found)
            except RedisError:
                self.listening.clear()
                log.exception("revocation subscription lost; resubscribing")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)

    def _key(self, key: str) -> str:
        return f"{self._namespace}:auth:revoked:{key}"

    def _read(self, text: str | bytes) -> Revocation | None:
        try:
            revocation = Revocation.from_json(text)
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable revocation ignored")
            return None
        self.list.add(revocation)
        return revocation

    async def _apply(self, revocation: Revocation) -> None:
        self.list.add(revocation)
        await self._notify(revocation)

    async def _notify(self, revocation: Revocation) -> None:
        for listener in self._listeners:
            try:
                await listener(revocation)
            except Exception:  # one listener's fault must not keep the others from hearing
                log.exception("revocation listener failed")

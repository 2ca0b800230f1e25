"""Fan-out through Redis pub/sub: any replica publishes, the one holding the socket delivers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)

Deliver = Callable[[uuid.UUID, dict[str, Any]], Awaitable[None]]


def reviewer_channel(namespace: str, reviewer_id: uuid.UUID) -> str:
    return f"{namespace}:reviewer:{reviewer_id}:push"


class RedisFanout:
    """One channel per reviewer; each replica listens on the pattern and keeps its own sockets'.

    A pattern subscription per replica is simple and reconnect-safe; every replica sees every
    push, which is fine for a staff of reviewers. Per-channel subscriptions are the upgrade if
    that ever becomes thousands of pushes a second.
    """

    def __init__(self, redis: Redis, namespace: str, deliver: Deliver) -> None:
        self._redis = redis
        self._namespace = namespace
        self._deliver = deliver
        self.listening = asyncio.Event()

    async def push(self, reviewer_id: uuid.UUID, message: dict[str, Any]) -> None:
        """Send `message` to the reviewer's sockets, wherever they are connected."""
        await self._redis.publish(reviewer_channel(self._namespace, reviewer_id),
                                  json.dumps(message))

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver pushes to local sockets until `stop`; reconnect after Redis outages."""
        while not stop.is_set():
            try:
                await self._listen(stop)
            except RedisError:
                self.listening.clear()
                log.exception("fan-out subscription lost; resubscribing")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)

    async def _listen(self, stop: asyncio.Event) -> None:
        pattern = f"{self._namespace}:reviewer:*:push"  # every reviewer_channel()
        async with self._redis.pubsub() as pubsub:
            await pubsub.psubscribe(pattern)
            self.listening.set()
            while not stop.is_set():
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
                if message is not None:
                    await self._dispatch(message)

    async def _dispatch(self, message: dict[str, Any]) -> None:
        channel = message["channel"]
        channel = channel.decode() if isinstance(channel, bytes) else str(channel)
        try:
            reviewer_id = uuid.UUID(channel.split(":")[-2])
            payload = json.loads(message["data"])
        except (ValueError, IndexError):
            log.warning("unreadable push ignored")
            return
        if isinstance(payload, dict):
            await self._deliver(reviewer_id, payload)

"""Live figures: recompute after events, push through Redis, deliver to local sockets.

Every replica subscribes to one Redis channel and forwards what arrives to the operators'
sockets it holds, so all replicas show the same figures whichever one computed them. A
replica that handled events publishes fresh figures after a short debounce; the periodic
push (for figures that move with time alone) is done by one replica per interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from fastapi import WebSocket, WebSocketDisconnect
from redis.exceptions import RedisError

from infra.clock import sleep_unless_stopped
from services.analytics.repository import FiguresReader
from services.analytics.shared import Shared
from services.analytics.tables import analytics_counts

log = structlog.get_logger(__name__)
SEND_TIMEOUT_S = 5.0
PUSH_CHANNEL = "push"


class SocketHub:
    """The operators' sockets this replica holds."""

    def __init__(self) -> None:
        self._sockets: set[WebSocket] = set()

    def __len__(self) -> int:
        return len(self._sockets)

    def add(self, socket: WebSocket) -> None:
        self._sockets.add(socket)

    def discard(self, socket: WebSocket) -> None:
        self._sockets.discard(socket)

    async def broadcast(self, text: str) -> None:
        async def send(socket: WebSocket) -> None:
            try:
                await asyncio.wait_for(socket.send_text(text), SEND_TIMEOUT_S)
            except Exception:  # a slow or gone client loses its place, not the others
                self._sockets.discard(socket)

        await asyncio.gather(*(send(s) for s in list(self._sockets)))


class LiveFigures:
    """Debounced recomputation and the Redis fan-out of the figures."""

    def __init__(self, reader: FiguresReader, shared: Shared, *, debounce_s: float,
                 tick_interval_s: float, retention_days: int) -> None:
        self._reader = reader
        self._shared = shared
        self._debounce_s = debounce_s
        self._tick_s = tick_interval_s
        self._retention = timedelta(days=retention_days)
        self._dirty = asyncio.Event()
        self.hub = SocketHub()
        self.listening = asyncio.Event()

    def changed(self) -> None:
        """Figures moved here; push them soon."""
        self._dirty.set()

    async def message(self) -> str:
        summary = await self._reader.summary(self._shared.clock.now())
        return json.dumps({"type": "summary", "summary": summary})

    async def publish(self) -> None:
        await self._shared.redis.publish(self._shared.redis_key(PUSH_CHANNEL),
                                         await self.message())

    async def run_pusher(self, stop: asyncio.Event) -> None:
        """Push after changes (debounced) and on every tick this replica wins."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._dirty.wait(), self._tick_s)
            if stop.is_set():
                return
            try:
                if self._dirty.is_set():
                    # Let the handler's transaction commit and more events gather.
                    if await sleep_unless_stopped(self._shared.clock, self._debounce_s, stop):
                        return
                    self._dirty.clear()
                    await self.publish()
                elif await self._won("tick", self._tick_s):
                    await self._prune()
                    await self.publish()
            except (RedisError, OSError, sa.exc.SQLAlchemyError):
                log.exception("analytics push failed; retrying at the next tick")

    async def _won(self, work: str, interval_s: float) -> bool:
        """True for the one replica that takes `work` for this interval."""
        return bool(await self._shared.redis.set(self._shared.redis_key(work), "1", nx=True,
                                                 px=max(1, int(interval_s * 1000 * 0.9))))

    async def _prune(self) -> None:
        cutoff = self._shared.clock.now() - self._retention
        async with self._shared.engine.begin() as conn:
            await conn.execute(sa.delete(analytics_counts)
                               .where(analytics_counts.c.bucket < cutoff))

    async def run_periodic(self, stop: asyncio.Event, key: str, interval_s: float,
                           action: Callable[[], Awaitable[Any]]) -> None:
        """Run `action` every `interval_s` on one replica, then push the figures."""
        while not stop.is_set():
            try:
                if await self._won(key, interval_s):
                    await action()
                    self.changed()
            except Exception:  # counting may fail while a broker restarts; try again later
                log.exception("periodic analytics work failed", work=key)
            if await sleep_unless_stopped(self._shared.clock, interval_s, stop):
                return

    async def run_listener(self, stop: asyncio.Event) -> None:
        """Deliver pushes to this replica's sockets until `stop`; resubscribe after outages."""
        while not stop.is_set():
            try:
                async with self._shared.redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._shared.redis_key(PUSH_CHANNEL))
                    self.listening.set()
                    while not stop.is_set():
                        message = await pubsub.get_message(ignore_subscribe_messages=True,
                                                           timeout=0.5)
                        if message is not None:
                            data = message["data"]
                            await self.hub.broadcast(
                                data.decode() if isinstance(data, bytes) else str(data))
            except RedisError:
                self.listening.clear()
                log.exception("analytics fan-out lost; resubscribing")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)

    async def serve(self, socket: WebSocket) -> None:
        """An authorised operator's socket: the figures now, then every push."""
        await socket.accept()
        try:
            await socket.send_text(await self.message())
            self.hub.add(socket)
            while True:  # the client only listens; reading notices it leave
                await socket.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            self.hub.discard(socket)

"""Simulated reviewers on the gateway's WebSocket: each accepts what it is offered and completes
it at once, reconnects when the gateway goes away, and sends again what was not yet taken."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import websockets

from bench.e2e_system import Reviewer

RESEND_AFTER_S = 15.0
HEARTBEAT_S = 10.0


@dataclass
class ReviewerStats:
    offers: int = 0
    commands: int = 0
    reconnects: int = 0
    errors: int = 0


@dataclass
class SimulatedReviewer:
    reviewer: Reviewer
    url: str
    is_terminal: Callable[[uuid.UUID], bool]
    stats: ReviewerStats
    headers: dict[str, str] = field(default_factory=dict)
    # task -> when the commands were last sent; resent while the task is not terminal
    open_tasks: dict[uuid.UUID, float] = field(default_factory=dict)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                async with websockets.connect(self.url, additional_headers=self.headers,
                                              open_timeout=10, ping_interval=None) as socket:
                    await self._session(socket, stop)
            except (OSError, websockets.WebSocketException, TimeoutError):
                self.stats.reconnects += 1
                await asyncio.sleep(1)

    async def _session(self, socket: websockets.ClientConnection, stop: asyncio.Event) -> None:
        beat = asyncio.create_task(self._heartbeat(socket))
        try:
            while not stop.is_set():
                try:
                    text = await asyncio.wait_for(socket.recv(), timeout=1)
                except TimeoutError:
                    await self._resend(socket)
                    continue
                message: dict[str, Any] = json.loads(text)
                kind = message.get("type")
                if kind in ("task_offered", "task_assigned"):
                    self.stats.offers += kind == "task_offered"
                    await self._work(socket, uuid.UUID(message["task_id"]),
                                     accept=kind == "task_offered")
                elif kind == "error":
                    self.stats.errors += 1
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat

    async def _work(self, socket: websockets.ClientConnection, task_id: uuid.UUID,
                    *, accept: bool) -> None:
        if accept:
            await socket.send(json.dumps({"type": "accept", "task_id": str(task_id)}))
        await socket.send(json.dumps({"type": "complete", "task_id": str(task_id)}))
        self.stats.commands += 1 + accept
        self.open_tasks[task_id] = time.monotonic()

    async def _resend(self, socket: websockets.ClientConnection) -> None:
        """A command lost with a gateway or a broker is sent again (the workflow refuses
        what no longer applies)."""
        now = time.monotonic()
        for task_id, sent in list(self.open_tasks.items()):
            if self.is_terminal(task_id):
                del self.open_tasks[task_id]
            elif now - sent > RESEND_AFTER_S:
                await self._work(socket, task_id, accept=True)

    async def _heartbeat(self, socket: websockets.ClientConnection) -> None:
        while True:
            await socket.send(json.dumps({"type": "heartbeat"}))
            await asyncio.sleep(HEARTBEAT_S)


def reviewer_url(gateway_port: int, reviewer: Reviewer) -> str:
    return f"ws://127.0.0.1:{gateway_port}/ws/reviewers/{reviewer.reviewer_id}" \
           f"?access_token={reviewer.token}&token={reviewer.token}"


async def run_reviewers(gateway_port: int, reviewers: list[Reviewer],
                        is_terminal: Callable[[uuid.UUID], bool], stop: asyncio.Event,
                        stats: ReviewerStats) -> None:
    sims = [SimulatedReviewer(r, reviewer_url(gateway_port, r), is_terminal, stats,
                              headers={"Authorization": f"Bearer {r.token}"})
            for r in reviewers]
    await asyncio.gather(*(s.run(stop) for s in sims))

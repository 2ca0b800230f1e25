"""The reviewer sockets this replica holds, and safe sending to them."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import structlog
from fastapi import WebSocket

from infra.auth import VerifiedToken
from infra.revocation import Revocation

log = structlog.get_logger(__name__)

# A stuck client must not hold up pushes to everyone else on this replica.
SEND_TIMEOUT_S = 5.0


class ReviewerConnection:
    """One open socket; sends are serialised because replies and pushes come from two tasks.

    It holds the token it was opened with: once that is revoked the socket is `ended` and
    gets nothing more, while its session closes it.
    """

    def __init__(self, reviewer_id: uuid.UUID, websocket: WebSocket,
                 token: VerifiedToken) -> None:
        self.reviewer_id = reviewer_id
        self.token = token
        self.id = uuid.uuid4().hex
        self.ended = asyncio.Event()
        self._websocket = websocket
        self._lock = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        async with self._lock:
            if not self.ended.is_set():
                await self._websocket.send_json(message)


class ReviewerHub:
    """Local registry: reviewer id -> their sockets on this replica."""

    def __init__(self) -> None:
        self._connections: dict[uuid.UUID, dict[str, ReviewerConnection]] = {}

    def add(self, connection: ReviewerConnection) -> None:
        self._connections.setdefault(connection.reviewer_id, {})[connection.id] = connection

    def remove(self, connection: ReviewerConnection) -> None:
        held = self._connections.get(connection.reviewer_id, {})
        held.pop(connection.id, None)
        if not held:
            self._connections.pop(connection.reviewer_id, None)

    async def revoked(self, revocation: Revocation) -> None:
        """End this replica's sockets whose token `revocation` refuses."""
        for connection in list(self._connections.get(revocation.user_id, {}).values()):
            if revocation.refuses(connection.token):
                connection.ended.set()

    async def deliver(self, reviewer_id: uuid.UUID, message: dict[str, Any]) -> None:
        """Send to every local socket of the reviewer; a dead socket never blocks the others."""
        for connection in list(self._connections.get(reviewer_id, {}).values()):
            try:
                await asyncio.wait_for(connection.send(message), SEND_TIMEOUT_S)
            except Exception:  # closing socket: its own handler cleans up
                log.info("push to a closing socket dropped", reviewer_id=str(reviewer_id))

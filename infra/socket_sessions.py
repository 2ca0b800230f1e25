"""Sockets that end with the session they were opened in: when its access token expires, or is
revoked (logout, disable, lock, role or password change), the socket is closed with 4401."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import structlog
from starlette.websockets import WebSocket

from infra.auth import VerifiedToken
from infra.clock import Clock
from infra.revocation import Revocation

log = structlog.get_logger(__name__)

# Private-use WebSocket close code mirroring HTTP 401: the page refreshes its session or logs in.
SESSION_ENDED = 4401


@dataclass(eq=False)
class SessionSocket:
    """One open socket and the token it was opened with; `ended` once that token is refused."""

    token: VerifiedToken
    ended: asyncio.Event = field(default_factory=asyncio.Event)


class SessionSockets:
    """This replica's open sockets by user, so a revocation finds the ones it ends."""

    def __init__(self) -> None:
        self._open: dict[uuid.UUID, set[SessionSocket]] = {}

    @contextlib.contextmanager
    def holding(self, token: VerifiedToken) -> Iterator[SessionSocket]:
        """Register a socket opened with `token` for as long as the block runs."""
        held = SessionSocket(token)
        user_id = token.principal.user_id
        self._open.setdefault(user_id, set()).add(held)
        try:
            yield held
        finally:
            mine = self._open.get(user_id, set())
            mine.discard(held)
            if not mine:
                self._open.pop(user_id, None)

    async def revoked(self, revocation: Revocation) -> None:
        """End the sockets whose token `revocation` refuses."""
        for held in list(self._open.get(revocation.user_id, ())):
            if revocation.refuses(held.token):
                held.ended.set()


async def close_when_ended(ended: asyncio.Event, token: VerifiedToken, clock: Clock,
                           websocket: WebSocket) -> None:
    """Close `websocket` with 4401 when `token` expires or `ended` is set, whichever is first."""
    left = (token.expires_at - clock.now()).total_seconds()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(ended.wait(), max(left, 0))
    ended.set()
    log.info("socket closed: its session ended", user_id=str(token.principal.user_id))
    with contextlib.suppress(Exception):  # the client may have gone already
        await websocket.close(code=SESSION_ENDED, reason="session ended")

"""A message rate limit on each WebSocket: a socket that sends faster than its budget refills
is closed with 1008 (policy violation) before the flood reaches the handlers and the bus."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# RFC 6455's "policy violation": the client broke a rule and should not simply resend.
CLOSE_POLICY_VIOLATION = 1008


@dataclass
class MessageBudget:
    """A token bucket: `burst` messages at once, refilled at `per_s` messages a second."""

    per_s: float
    burst: int
    _tokens: float = field(init=False)
    _at: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._tokens = float(self.burst)

    def take(self, now: float) -> bool:
        """Spend one message at monotonic time `now`; False when the budget is empty."""
        if self._at is not None:
            self._tokens = min(float(self.burst), self._tokens + (now - self._at) * self.per_s)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


class SocketMessageLimit:
    """ASGI middleware giving every WebSocket its own MessageBudget."""

    def __init__(self, app: ASGIApp, *, per_s: float, burst: int,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.per_s = per_s
        self.burst = burst
        self.monotonic = monotonic

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        budget = MessageBudget(self.per_s, self.burst)

        async def receive_limited() -> Message:
            message = await receive()
            if message["type"] == "websocket.receive" and not budget.take(self.monotonic()):
                await send({"type": "websocket.close", "code": CLOSE_POLICY_VIOLATION,
                            "reason": "too many messages; slow down"})
                # The app sees the client gone and cleans up as for any disconnect.
                return {"type": "websocket.disconnect", "code": CLOSE_POLICY_VIOLATION}
            return message

        await self.app(scope, receive_limited, send)

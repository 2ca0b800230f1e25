"""What a channel adapter reports: delivered, or failed for now or for good."""

from __future__ import annotations

from typing import Any, Protocol


class DeliveryFailed(Exception):
    """The channel did not take the message; `permanent` when no retry can help;
    `retry_after_s` when the channel said how long to wait (HTTP Retry-After)."""

    def __init__(self, reason: str, *, permanent: bool = False,
                 retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after_s = retry_after_s


class Sender(Protocol):
    async def send(self, payload: dict[str, Any]) -> None:
        """Deliver one message (the delivery row's payload), or raise DeliveryFailed."""
        ...

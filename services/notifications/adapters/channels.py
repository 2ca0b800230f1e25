"""What a channel adapter reports: delivered, or failed for now or for good."""

from __future__ import annotations

from typing import Any, Protocol


class DeliveryFailed(Exception):
    """The channel did not take the message; `permanent` when no retry can help."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Sender(Protocol):
    async def send(self, payload: dict[str, Any]) -> None:
        """Deliver one message (the delivery row's payload), or raise DeliveryFailed."""
        ...

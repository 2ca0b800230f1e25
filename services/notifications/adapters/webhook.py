"""Signed webhooks: HMAC-SHA256 over the timestamp and body, in the X-JAMS-Signature header."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from infra.clock import Clock
from services.notifications.adapters.http import call, refusal

SIGNATURE_HEADER = "X-JAMS-Signature"
TIMESTAMP_HEADER = "X-JAMS-Timestamp"
DELIVERY_HEADER = "X-JAMS-Delivery"  # the notification id: receivers drop repeats by it


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>." + body)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, header: str, *, now_s: float,
           tolerance_s: float = 300) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent."""
    try:
        fresh = abs(now_s - int(timestamp)) <= tolerance_s
    except ValueError:
        return False
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), header)


class WebhookSender:
    """POSTs the message as JSON to the recipient's URL, signed with their secret."""

    def __init__(self, clock: Clock, *, timeout_s: float,
                 client: httpx.AsyncClient | None = None) -> None:
        self._clock = clock
        self._timeout_s = timeout_s
        self._client = client

    async def send(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload["message"], sort_keys=True, separators=(",", ":")).encode()
        timestamp = str(int(self._clock.now().timestamp()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(payload["secret"], timestamp, body),
            DELIVERY_HEADER: str(payload["notification_id"]),
        }
        response = await call(self._client, "POST", payload["url"], content=body,
                              headers=headers, timeout_s=self._timeout_s)
        if not response.is_success:
            raise refusal(response, self._clock.now())

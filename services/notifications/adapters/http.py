"""One HTTP call of a channel, and what its answer means: taken, retry later, or never."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from infra.politeness.client import parse_retry_after
from services.notifications.adapters.channels import DeliveryFailed


async def call(client: httpx.AsyncClient | None, method: str, url: str, *, timeout_s: float,
               **kwargs: Any) -> httpx.Response:
    """The answer, or DeliveryFailed (worth retrying) when none came."""
    try:
        if client is not None:
            return await client.request(method, url, timeout=timeout_s, **kwargs)
        async with httpx.AsyncClient(timeout=timeout_s) as own:
            return await own.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}") from exc


def refusal(response: httpx.Response, now: datetime, detail: str = "") -> DeliveryFailed:
    """Why an answer that is not a success failed; client errors other than "try later" will
    not change by retrying."""
    status = response.status_code
    permanent = 400 <= status < 500 and status not in (408, 429)
    retry_after = parse_retry_after(response.headers.get("retry-after"), now)
    reason = f"HTTP {status}" + (f": {detail}" if detail else "")
    return DeliveryFailed(reason, permanent=permanent, retry_after_s=retry_after)

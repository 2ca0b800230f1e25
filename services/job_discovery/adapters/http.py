"""JSON over HTTP for adapters, through the fleet's politeness client."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import httpx

from infra.politeness import PoliteClient, PortalPolicy
from infra.politeness.client import Attempt
from infra.politeness.pinning import PinnedTransport
from services.job_discovery.adapters.base import LayoutChanged, SourceNotFound


def make_http_client(timeout_s: float, allow_private: Collection[str] = ()) -> httpx.AsyncClient:
    """An HTTP client with bounded connect and read times, for a worker to own.

    Every request is checked and pinned to the address checked (private hosts in
    `allow_private` aside).
    """
    return httpx.AsyncClient(timeout=httpx.Timeout(timeout_s, connect=min(5.0, timeout_s)),
                             transport=PinnedTransport(allow=allow_private))


class PortalHttp:
    """One portal's requests: its policy, its observer, and JSON answers or typed errors."""

    def __init__(self, client: PoliteClient, portal: str, policy: PortalPolicy,
                 observer: Callable[[Attempt], None] | None = None) -> None:
        self._client = client
        self.portal = portal
        self.policy = policy
        self.observer = observer
        self.requests = 0

    async def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        return await self._json("GET", url, params=params)

    async def post_json(self, url: str, body: dict[str, Any]) -> Any:
        return await self._json("POST", url, json=body)

    async def _json(self, method: str, url: str, **kwargs: Any) -> Any:
        self.requests += 1
        response = await self._client.request(
            self.portal, self.policy, method, url, observer=self.observer,
            headers={"Accept": "application/json"}, **kwargs,
        )
        if response.status_code == 404:
            raise SourceNotFound(f"{url}: not found (HTTP 404)")
        if response.status_code >= 400:
            raise LayoutChanged(f"{url}: unexpected HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            kind = response.headers.get("content-type", "no content type")
            raise LayoutChanged(
                f"{url}: answer is not JSON ({kind}): {response.text[:80]!r}"
            ) from None

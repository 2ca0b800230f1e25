"""An httpx transport that checks every request's URL and connects to the address it checked.

Each request (each redirect hop included, since httpx sends those through the transport too)
is resolved once by `check_url`; the connection goes to that address, with the Host header and
the TLS server name (SNI, and so the certificate check) still the URL's host.
"""

from __future__ import annotations

from collections.abc import Collection

import httpx

from infra.politeness.urls import Resolver, check_url, resolve_host


class PinnedTransport(httpx.AsyncBaseTransport):
    """Refuses (UnsafeUrl) requests to non-public hosts not in `allow`; pins the rest."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | None = None,
        *,
        allow: Collection[str] = (),
        resolve: Resolver = resolve_host,
    ) -> None:
        self._inner = inner or httpx.AsyncHTTPTransport()
        self._allow = allow
        self._resolve = resolve

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        destination = await check_url(str(request.url), self._allow, resolve=self._resolve)
        if destination.addresses:
            # httpx set Host from the URL when it built the request; it stays as it is.
            request.url = request.url.copy_with(host=str(destination.addresses[0]))
            if request.url.scheme == "https":
                request.extensions = {**request.extensions, "sni_hostname": destination.host}
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def pinned_client(
    *, allow: Collection[str] = (), resolve: Resolver = resolve_host,
    inner: httpx.AsyncBaseTransport | None = None, timeout: httpx.Timeout | float = 15.0,
    follow_redirects: bool = False,
) -> httpx.AsyncClient:
    """An httpx client whose every request (and redirect) goes through PinnedTransport."""
    return httpx.AsyncClient(
        transport=PinnedTransport(inner, allow=allow, resolve=resolve), timeout=timeout,
        follow_redirects=follow_redirects)

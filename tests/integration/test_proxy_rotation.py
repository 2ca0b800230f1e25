"""Portal proxies: requests and browser pages go through the real local forwarding proxy
(`make services-up`'s proxy.py, whose access log is read back), and move away from a proxy
that blocks."""

from __future__ import annotations

import asyncio
import ipaddress
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from infra.clock import FakeClock, SystemClock
from infra.politeness import PoliteClient, PortalPolicy
from infra.politeness.egress import EgressProxy, Upstream
from infra.politeness.pinning import PinnedTransport
from infra.politeness.urls import IpAddress
from services.application_bot.adapters.browser import OutboundGuard, PlaywrightBrowser
from services.application_bot.politeness import PortalUnavailable, RedisPortalGate
from tests.servers import server_url

pytestmark = pytest.mark.integration


class Server:
    """A loopback server that answers every request with one status, counting them."""

    def __init__(self, status: int, body: bytes = b"") -> None:
        self.status = status
        self.body = body
        self.requests: list[str] = []
        self.url = ""
        self.port = 0
        self._server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            writer.close()
            return
        self.requests.append(head.split(b"\r\n", 1)[0].decode("latin-1"))
        writer.write(b"HTTP/1.1 %d X\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
                     b"Connection: close\r\n\r\n%s" % (self.status, len(self.body), self.body))
        await writer.drain()
        writer.close()

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


@pytest.fixture
def forward_proxy() -> tuple[str, Path]:
    return server_url("JAMS_FORWARD_PROXY_URL"), Path(server_url("JAMS_FORWARD_PROXY_LOG"))


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client: Redis = Redis.from_url(redis_url)
    yield client
    await client.aclose()


def _log_text(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


async def logged(log: Path, line: str) -> bool:
    """Whether the proxy's access log shows `line` (it writes its log a moment later)."""
    for _ in range(50):
        if line in await asyncio.to_thread(_log_text, log):
            return True
        await asyncio.sleep(0.1)
    return False


async def test_scraping_rotates_away_from_a_blocking_proxy_to_the_real_one(
    redis: Redis, forward_proxy: tuple[str, Path]
) -> None:
    proxy_url, access_log = forward_proxy
    async with Server(200, b'{"jobs": []}') as portal, Server(403) as blocking:
        allow = [f"127.0.0.1:{portal.port}"]
        http = httpx.AsyncClient(transport=PinnedTransport(allow=allow))
        client = PoliteClient(http, redis, FakeClock(), prefix=f"test:proxy:{uuid.uuid4().hex}",
                              allow_private=allow)
        policy = PortalPolicy(rate_per_s=1000, burst=100, breaker_failures=10,
                              proxies=(blocking.url, proxy_url))
        first, second = f"/jobs/{uuid.uuid4().hex}", f"/jobs/{uuid.uuid4().hex}"
        try:
            answer = await client.request("board", policy, "GET", f"{portal.url}{first}",
                                          session="ada")
            again = await client.request("board", policy, "GET", f"{portal.url}{second}",
                                         session="ada")
        finally:
            await client.aclose()
            await http.aclose()
    assert answer.status_code == 200 and again.status_code == 200
    assert len(blocking.requests) == 1  # blocked once, then cooling down: not asked again
    assert client.pool.health("board", blocking.url).blocks == 1
    assert portal.requests == [f"GET {first} HTTP/1.1", f"GET {second} HTTP/1.1"]
    assert await logged(access_log, f"GET 127.0.0.1:{portal.port}{first}")
    assert await logged(access_log, f"GET 127.0.0.1:{portal.port}{second}")


@pytest.mark.browser
async def test_the_bots_browser_tunnels_through_the_pool_and_leaves_a_refusing_proxy(
    redis: Redis, forward_proxy: tuple[str, Path], chromium_path: str
) -> None:
    proxy_url, access_log = forward_proxy

    async def answers(host: str, port: int) -> list[IpAddress]:
        return [ipaddress.ip_address("127.0.0.1")]

    marker = uuid.uuid4().hex
    async with Server(200, f"<p>posting {marker}</p>".encode()) as portal, \
            Server(403) as refusing:
        # The name resolves only in the egress proxy: the upstream is asked for the address.
        allowed = [f"portal.test:{portal.port}"]
        policy = PortalPolicy(rate_per_s=1000, burst=100, breaker_failures=10,
                              proxies=(refusing.url, proxy_url))
        gate = RedisPortalGate(redis, SystemClock(), policies={"portal": policy},
                               default=policy, prefix=f"test:proxy:{uuid.uuid4().hex}",
                               breaker_wait_max_s=0)

        def egress(upstream: Upstream | None) -> EgressProxy:
            return EgressProxy(allow=allowed, resolve=answers, upstream=upstream)

        chromium = PlaywrightBrowser(Path(chromium_path), timeout_s=10,
                                     guard=OutboundGuard(allowed), egress=egress)
        texts: list[str] = []
        upstreams: list[str | None] = []
        try:
            for _ in range(3):
                async with gate.visit("portal", session="ada") as ticket:
                    upstreams.append(None if ticket.upstream is None else ticket.upstream.url)
                    async with chromium.page(upstream=ticket.upstream) as page:
                        await page.open(f"http://portal.test:{portal.port}/job")
                        texts.append(await page.text())
        finally:
            await chromium.close()
    assert upstreams == [refusing.url, proxy_url, proxy_url]  # rotated, then sticky
    assert "refused" in texts[0] and marker not in texts[0]
    assert marker in texts[1] and marker in texts[2]
    assert refusing.requests == [f"CONNECT 127.0.0.1:{portal.port} HTTP/1.1"]
    assert gate.pool.health("portal", refusing.url).blocks == 1
    assert portal.requests == ["GET /job HTTP/1.1"] * 2
    assert await logged(access_log, f"CONNECT 127.0.0.1:{portal.port}")


async def test_a_visit_waits_while_every_proxy_of_the_portal_cools_down(redis: Redis) -> None:
    clock = FakeClock()
    policy = PortalPolicy(rate_per_s=1000, burst=100, proxies=("http://127.0.0.1:9",),
                          proxy_cooldown_s=300)
    gate = RedisPortalGate(redis, clock, policies={}, default=policy,
                           prefix=f"test:proxy:{uuid.uuid4().hex}", breaker_wait_max_s=0)
    async with gate.visit("portal", session="ada") as ticket:
        assert ticket.upstream is not None
        ticket.upstream.refused(403)
    with pytest.raises(PortalUnavailable, match="cooling down"):
        async with gate.visit("portal", session="ada"):
            pass
    clock.advance(301)
    async with gate.visit("portal", session="ada") as ticket:
        assert ticket.upstream is not None and ticket.upstream.url == "http://127.0.0.1:9"

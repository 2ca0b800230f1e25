"""The browser's egress proxy connects only to the address it checked (DNS rebinding refused)."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY

from infra.politeness.egress import EgressProxy
from infra.politeness.urls import IpAddress, Resolver
from services.application_bot.adapters.browser import OutboundGuard, PlaywrightBrowser

PUBLIC_STAND_IN = "127.0.0.1"  # allow-listed by CIDR below: the check's "public" answer
PRIVATE = "127.0.0.2"  # not allow-listed: what the rebinding name turns into


@dataclass
class Origin:
    """A server on one loopback address that counts connections and records Host headers."""

    address: str
    connections: int = 0
    hosts: list[str] = field(default_factory=list)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        except asyncio.IncompleteReadError:  # a connection opened ahead of a request
            writer.close()
            return
        host = next(line.split(":", 1)[1].strip() for line in head.split("\r\n")
                    if line.lower().startswith("host:"))
        self.hosts.append(host)
        body = f"served by {self.address}".encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
                     % (len(body), body))
        await writer.drain()
        writer.close()


@asynccontextmanager
async def origins() -> AsyncIterator[tuple[Origin, Origin, int]]:
    """The stand-in public origin and the private one, on the same port of two addresses."""
    public, private = Origin(PUBLIC_STAND_IN), Origin(PRIVATE)
    inside = await asyncio.start_server(private.serve, PRIVATE, 0)
    port = inside.sockets[0].getsockname()[1]
    outside = await asyncio.start_server(public.serve, PUBLIC_STAND_IN, port)
    try:
        yield public, private, port
    finally:
        for server in (inside, outside):
            server.close()
            await server.wait_closed()


def rebinding(name: str) -> tuple[list[str], Resolver]:
    """A resolver that answers `name` with the public stand-in once, then the private one."""
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[IpAddress]:
        assert host == name
        asked.append(host)
        return [ipaddress.ip_address(PUBLIC_STAND_IN if len(asked) == 1 else PRIVATE)]

    return asked, resolve


def refused_count(kind: str) -> float:
    return REGISTRY.get_sample_value("jams_egress_refused_total", {"reason": kind}) or 0.0


@pytest.fixture
async def proxy_and_origins() -> AsyncIterator[tuple[EgressProxy, Origin, Origin, int]]:
    _, resolve = rebinding("rebind.test")
    proxy = EgressProxy(allow=[f"{PUBLIC_STAND_IN}/32"], resolve=resolve)
    await proxy.start()
    async with origins() as (public, private, port):
        yield proxy, public, private, port
    await proxy.stop()


async def test_a_name_that_rebinds_to_a_private_address_is_refused_over_plain_http(
    proxy_and_origins: tuple[EgressProxy, Origin, Origin, int],
) -> None:
    proxy, public, private, port = proxy_and_origins
    before = refused_count("unsafe")
    async with httpx.AsyncClient(proxy=proxy.url, trust_env=False) as client:
        first = await client.get(f"http://rebind.test:{port}/")
        second = await client.get(f"http://rebind.test:{port}/")
    assert first.status_code == 200 and first.text == f"served by {PUBLIC_STAND_IN}"
    assert public.hosts == [f"rebind.test:{port}"]  # the checked address, the browser's Host
    assert second.status_code == 403
    assert f"non-public address {PRIVATE}" in second.text
    assert private.connections == 0
    assert refused_count("unsafe") == before + 1


async def connect(proxy: EgressProxy, authority: str) -> tuple[str, bytes]:
    """A CONNECT through the proxy and one request in the tunnel: status line, tunnel's answer."""
    port = int(proxy.url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n".encode())
    head = (await reader.readuntil(b"\r\n\r\n")).decode()
    answer = b""
    if " 200 " in head.split("\r\n")[0]:
        writer.write(f"GET / HTTP/1.1\r\nHost: {authority}\r\n\r\n".encode())
        answer = await reader.read()
    else:
        answer = await reader.read()
    writer.close()
    return head.split("\r\n")[0], answer


async def test_a_tunnel_goes_to_the_checked_address_and_a_rebound_one_is_refused(
    proxy_and_origins: tuple[EgressProxy, Origin, Origin, int],
) -> None:
    proxy, public, private, port = proxy_and_origins
    first_status, first_answer = await connect(proxy, f"rebind.test:{port}")
    second_status, second_answer = await connect(proxy, f"rebind.test:{port}")
    assert " 200 " in first_status
    assert first_answer.endswith(f"served by {PUBLIC_STAND_IN}".encode())
    assert public.hosts == [f"rebind.test:{port}"]
    assert " 403 " in second_status
    assert f"non-public address {PRIVATE}".encode() in second_answer
    assert private.connections == 0


@pytest.mark.parametrize("target", [
    "http://{private}:{port}/",  # a literal private address
    "http://[::ffff:{private}]:{port}/",  # the same, written as IPv6
])
async def test_private_literals_are_refused(target: str) -> None:
    proxy = EgressProxy()
    await proxy.start()
    try:
        async with origins() as (_, private, port), \
                httpx.AsyncClient(proxy=proxy.url, trust_env=False) as client:
            answer = await client.get(target.format(private=PRIVATE, port=port))
            assert answer.status_code == 403
            assert private.connections == 0
    finally:
        await proxy.stop()


async def test_a_request_that_is_not_for_a_proxy_is_refused() -> None:
    proxy = EgressProxy()
    await proxy.start()
    try:
        async with httpx.AsyncClient(trust_env=False) as client:
            answer = await client.get(f"{proxy.url}/")
        assert answer.status_code == 400
    finally:
        await proxy.stop()


@pytest.mark.integration
@pytest.mark.browser
async def test_a_page_in_chromium_cannot_reach_a_name_that_rebinds_to_a_private_address(
    chromium_path: str,
) -> None:
    # The route check hears a public address; Chromium's own resolver (host-resolver-rules)
    # and the egress proxy's hear the private one, as after a rebinding. Without the proxy
    # Chromium would connect to the private origin itself.
    async def check_answers(host: str, port: int) -> list[IpAddress]:
        return [ipaddress.ip_address("93.184.216.34")]

    async def connect_answers(host: str, port: int) -> list[IpAddress]:
        return [ipaddress.ip_address(PRIVATE if host == "rebind.test" else PUBLIC_STAND_IN)]

    async with origins() as (_, private, port):
        page_hosts: list[str] = []

        async def portal(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            page_hosts.append(head.split("\r\n", 1)[0])
            body = (f'<p>posting</p><img src="http://rebind.test:{port}/pixel">'
                    f'<script src="http://rebind.test:{port}/leak.js"></script>').encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
                         b"Connection: close\r\n\r\n%s" % (len(body), body))
            await writer.drain()
            writer.close()

        site = await asyncio.start_server(portal, PUBLIC_STAND_IN, 0)
        site_port = site.sockets[0].getsockname()[1]
        allowed = [f"portal.test:{site_port}"]
        chromium = PlaywrightBrowser(
            Path(chromium_path), timeout_s=10, guard=OutboundGuard(allowed, check_answers),
            egress=lambda upstream: EgressProxy(allow=allowed, resolve=connect_answers,
                                                upstream=upstream),
            extra_args=[f"--host-resolver-rules=MAP rebind.test {PRIVATE}, "
                        f"MAP portal.test {PUBLIC_STAND_IN}"])
        before = refused_count("unsafe")
        try:
            async with chromium.page() as page:
                # portal.test resolves only in the egress proxy: the page came through it.
                assert await page.open(f"http://portal.test:{site_port}/") == 200
                assert "posting" in await page.text()
                await asyncio.sleep(1)  # room for the image and the script to go out
        finally:
            await chromium.close()
            site.close()
    assert page_hosts == ["GET / HTTP/1.1"]
    assert private.connections == 0
    assert refused_count("unsafe") >= before + 2

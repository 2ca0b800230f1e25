"""Outbound URLs: only global addresses, checked once and connected to as checked."""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from infra.politeness import UnsafeUrl, check_url
from infra.politeness.pinning import pinned_client
from infra.politeness.urls import IpAddress, Resolver

PUBLIC = "93.184.215.14"


def answering(*answers: str) -> tuple[list[str], Resolver]:
    """A resolver giving each answer in turn (the last one from then on), and its questions."""
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[IpAddress]:
        answer = answers[min(len(asked), len(answers) - 1)]
        asked.append(host)
        return [ipaddress.ip_address(answer)]

    return asked, resolve


@pytest.mark.parametrize("url", [
    "http://100.64.0.1/",  # CGNAT: not private, not global
    "http://100.127.255.254/",
    "http://198.18.0.1/",  # benchmarking
    "http://192.0.0.170/",
    "http://240.0.0.1/",
    "http://224.0.0.1/",
    "http://[::1]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",  # unique local
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://2130706433/",  # 127.0.0.1 in decimal
    "http://0x7f000001/",
    "http://0177.0.0.1/",  # octal
    "http://0x7f.1/",
    "http://127.1/",
    "http://0/",
    "http://017700000001/",
])
async def test_non_global_addresses_in_any_notation_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        await check_url(url)


async def test_a_cgnat_answer_from_dns_is_refused() -> None:
    _, resolve = answering("100.64.12.1")
    with pytest.raises(UnsafeUrl, match=r"100\.64\.12\.1"):
        await check_url("https://jobs.example.org/apply", resolve=resolve)


async def test_public_addresses_pass_and_are_returned_for_pinning() -> None:
    _, resolve = answering(PUBLIC)
    destination = await check_url("https://jobs.example.org/a", resolve=resolve)
    assert destination.addresses == (ipaddress.ip_address(PUBLIC),)
    assert (await check_url("http://[2606:4700::1]/")).addresses


async def test_the_allow_list_still_admits_the_sandbox() -> None:
    assert (await check_url("http://127.0.0.1:8700/x", ["127.0.0.1:8700"])).addresses == ()
    with pytest.raises(UnsafeUrl):
        await check_url("http://127.0.0.1:8701/x", ["127.0.0.1:8700"])


def recording() -> tuple[list[httpx.Request], httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/moved":
            return httpx.Response(302, headers={"location": "http://intranet.example.org/"})
        return httpx.Response(200, text="ok")

    return seen, httpx.MockTransport(handle)


async def test_a_rebinding_name_is_connected_to_at_the_address_that_was_checked() -> None:
    asked, resolve = answering(PUBLIC, "127.0.0.1")
    seen, inner = recording()
    async with pinned_client(resolve=resolve, inner=inner) as client:
        response = await client.get("https://rebind.example.org/jobs")
        assert response.status_code == 200
        # The name is asked once per request; the connection goes where that answer pointed.
        assert asked == ["rebind.example.org"]
        [request] = seen
        assert request.url.host == PUBLIC
        assert request.headers["host"] == "rebind.example.org"
        assert request.extensions["sni_hostname"] == "rebind.example.org"
        # The next request asks again and gets the private answer: refused, never sent.
        with pytest.raises(UnsafeUrl):
            await client.get("https://rebind.example.org/jobs")
    assert len(seen) == 1


async def test_a_redirect_to_a_private_host_is_refused() -> None:
    answers = {"jobs.example.org": PUBLIC, "intranet.example.org": "10.1.2.3"}

    async def resolve(host: str, port: int) -> list[IpAddress]:
        return [ipaddress.ip_address(answers[host])]

    seen, inner = recording()
    async with pinned_client(resolve=resolve, inner=inner, follow_redirects=True) as client:
        with pytest.raises(UnsafeUrl, match=r"10\.1\.2\.3"):
            await client.get("http://jobs.example.org/moved")
    assert [r.url.host for r in seen] == [PUBLIC]


async def test_allow_listed_hosts_go_through_unchanged() -> None:
    seen, inner = recording()
    async with pinned_client(allow=["portal.test"], inner=inner) as client:
        assert (await client.get("http://portal.test/x")).status_code == 200
    assert seen[0].url.host == "portal.test"

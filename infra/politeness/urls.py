"""Source URL safety: http(s) only; no private, loopback or link-local hosts unless allowed."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Collection
from urllib.parse import urlsplit

from infra.politeness.errors import UnsafeUrl

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _is_internal(address: IpAddress) -> bool:
    return (address.is_private or address.is_loopback or address.is_link_local
            or address.is_reserved or address.is_multicast or address.is_unspecified)


def _allowed(host: str, port: int, addresses: list[IpAddress], allow: Collection[str]) -> bool:
    """Allow-list entries: a host name, `host:port`, an IP address or a CIDR network."""
    for entry in allow:
        if entry in {host, f"{host}:{port}"}:
            return True
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        if addresses and all(a in network for a in addresses):
            return True
    return False


async def check_url(url: str, allow: Collection[str] = ()) -> None:
    """Raise UnsafeUrl unless `url` is http(s) to public addresses or an allow-listed host.

    Every address the name resolves to is checked, so one private record is enough to refuse.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeUrl(f"{url!r} is not a valid URL: {exc}") from None
    if parts.scheme not in {"http", "https"}:
        raise UnsafeUrl(f"{url!r}: only http and https sources are allowed")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeUrl(f"{url!r} has no host")
    if parts.username or parts.password:
        raise UnsafeUrl(f"{url!r}: credentials in source URLs are not allowed")
    if host in allow or f"{host}:{port}" in allow:
        return
    try:
        addresses: list[IpAddress] = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = await _resolve(url, host, port)
    internal = [a for a in addresses if _is_internal(a)]
    if internal and not _allowed(host, port, addresses, allow):
        raise UnsafeUrl(
            f"{url!r} resolves to non-public address {internal[0]}; allow-list it to scrape it"
        )


async def _resolve(url: str, host: str, port: int) -> list[IpAddress]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        )
    except OSError as exc:
        raise UnsafeUrl(f"{url!r}: cannot resolve {host!r}: {exc}") from None
    # Scope ids ("fe80::1%eth0") are not part of the address.
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]

"""Outbound URL safety: http(s) only, to global addresses unless the host is allow-listed.

A URL is resolved once; the caller connects to the addresses checked here (see pinning.py), so
a name that answers a public address to the check and a private one to the connection
(DNS rebinding) never reaches the private one.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

from infra.politeness.errors import UnresolvedHost, UnsafeUrl

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IpAddress]]]

# NAT64's well-known prefix carries an IPv4 address in its last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Host names the WHATWG URL parser (and so Chromium) reads as IPv4: "2130706433", "0x7f.1",
# "0177.0.0.1". Each part decimal, 0x-hex or 0-octal; one to four parts.
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}\.?$")


@dataclass(frozen=True)
class Destination:
    """A checked URL's host and port, and the addresses a connection to it may use."""

    host: str
    port: int
    # Empty when the host is allow-listed by name: it is trusted, not resolved.
    addresses: tuple[IpAddress, ...]


def embedded_ipv4(address: IpAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, NAT64, 6to4, Teredo), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def is_public(address: IpAddress) -> bool:
    """Globally routable unicast: not private, loopback, link-local, CGNAT, reserved, ..."""
    inner = embedded_ipv4(address)
    if inner is not None:
        return is_public(inner)
    return address.is_global and not address.is_multicast


def literal_address(host: str) -> IpAddress | None:
    """The address a host written as an IP stands for, in any notation a browser accepts."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        pass
    if not _NUMERIC_HOST.match(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
    except OSError:
        raise UnsafeUrl(f"{host!r} is not a valid IPv4 address") from None


def _allowed(host: str, port: int, addresses: Collection[IpAddress],
             allow: Collection[str]) -> bool:
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


async def resolve_host(host: str, port: int) -> list[IpAddress]:
    """The system resolver's addresses for `host` (OSError when it has none)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # Scope ids ("fe80::1%eth0") are not part of the address.
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


async def check_url(
    url: str, allow: Collection[str] = (), *, resolve: Resolver = resolve_host
) -> Destination:
    """Where `url` may be fetched from; UnsafeUrl unless http(s) to public or allowed hosts.

    Every address the name resolves to is checked, so one private record is enough to refuse.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeUrl(f"{url!r} is not a valid URL: {exc}") from None
    if parts.scheme not in {"http", "https"}:
        raise UnsafeUrl(f"{url!r}: only http and https URLs are allowed")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeUrl(f"{url!r} has no host")
    if parts.username or parts.password:
        raise UnsafeUrl(f"{url!r}: credentials in URLs are not allowed")
    if host in allow or f"{host}:{port}" in allow:
        return Destination(host, port, ())
    literal = literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = await resolve(host, port)
        except OSError as exc:
            raise UnresolvedHost(f"{url!r}: cannot resolve {host!r}: {exc}") from None
        if not addresses:
            raise UnresolvedHost(f"{url!r}: {host!r} has no addresses")
    internal = [a for a in addresses if not is_public(a)]
    if internal and not _allowed(host, port, addresses, allow):
        raise UnsafeUrl(
            f"{url!r} resolves to non-public address {internal[0]}; allow-list it to reach it"
        )
    return Destination(host, port, tuple(addresses))

"""A local HTTP proxy that sends a browser's connections only to addresses the guard checked.

Chromium resolves names itself, so checking a URL before the browser fetches it does not bind
where it connects: a name can answer a public address to the check and a private one to the
connection (DNS rebinding). Launched with this proxy, Chromium resolves nothing: each CONNECT
(https, wss) or absolute-form request (http) names a host, which is resolved here once,
checked (`check_url`) and connected to at that very address. Through an upstream proxy the
tunnel asked of the upstream names the address, not the host, so the upstream cannot resolve
it again either. The Host header and TLS (SNI, the certificate check) stay the browser's.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import structlog
from prometheus_client import Counter

from infra.politeness.errors import UnsafeUrl
from infra.politeness.urls import IpAddress, Resolver, check_url, resolve_host

log = structlog.get_logger(__name__)

REFUSED = Counter("jams_egress_refused_total",
                  "Browser connections the egress proxy refused", ["reason"])

_HEAD_LIMIT = 64 * 1024
# Hop-by-hop headers of the browser's request to us; the origin gets `Connection: close`, so
# one connection carries one request and the next (maybe to another host) is checked afresh.
_HOP_HEADERS = frozenset({"proxy-connection", "proxy-authorization", "connection", "keep-alive"})


@dataclass(frozen=True)
class Upstream:
    """An upstream proxy to tunnel through, and whom to tell when it refuses a tunnel."""

    url: str
    refused: Callable[[int], None] = lambda status: None


class _Refused(Exception):
    def __init__(self, status: int, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.kind = kind


class EgressProxy:
    """Listens on 127.0.0.1 (an ephemeral port) until stopped."""

    def __init__(self, *, allow: Collection[str] = (), resolve: Resolver = resolve_host,
                 upstream: Upstream | None = None, timeout_s: float = 15.0) -> None:
        self._allow = allow
        self._resolve = resolve
        self._upstream = upstream
        self._timeout_s = timeout_s
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the egress proxy is not running")
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def start(self) -> str:
        """Start listening; the proxy's URL."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0,
                                                  limit=_HEAD_LIMIT)
        return self.url

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        if server is not None:
            await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            await self._relay(reader, writer)
        except _Refused as exc:
            REFUSED.labels(exc.kind).inc()
            log.warning("browser connection refused", reason=str(exc)[:300], kind=exc.kind)
            body = f"refused by the egress proxy: {exc}\n".encode()
            writer.write(b"HTTP/1.1 %d Refused\r\nContent-Type: text/plain; charset=utf-8\r\n"
                         b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                         % (exc.status, len(body), body))
            with contextlib.suppress(OSError):
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                TimeoutError):
            pass  # the browser or the origin went away; nothing to answer
        finally:
            writer.close()
            self._handlers.discard(task)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self._timeout_s)
        request_line, *header_lines = head.decode("latin-1").split("\r\n")[:-2]
        try:
            method, target, _version = request_line.split(" ")
        except ValueError:
            raise _Refused(400, "bad_request", "not an HTTP request") from None
        if method == "CONNECT":
            url, host_port = f"https://{target}/", target
        else:
            parts = urlsplit(target)
            if parts.scheme != "http" or not parts.netloc:
                raise _Refused(400, "bad_request", f"{method} {target[:100]}: not a proxy request")
            url, host_port = target, parts.netloc
        addresses, port = await self._checked(url)
        origin_reader, origin_writer = await self._open(addresses, port, host_port)
        try:
            if method == "CONNECT":
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                origin_writer.write(_origin_form(method, target, header_lines))
            await _splice(reader, writer, origin_reader, origin_writer)
        finally:
            origin_writer.close()

    async def _checked(self, url: str) -> tuple[list[IpAddress], int]:
        """The addresses a connection for `url` may go to, checked; _Refused otherwise."""
        try:
            destination = await check_url(url, self._allow, resolve=self._resolve)
            if destination.addresses:
                return list(destination.addresses), destination.port
            # Allow-listed by name: trusted, but still connected to by the address found here.
            found = await self._resolve(destination.host, destination.port)
        except UnsafeUrl as exc:
            raise _Refused(403, "unsafe", str(exc)) from None
        except OSError as exc:
            raise _Refused(502, "unresolved", f"cannot resolve {url!r}: {exc}") from None
        if not found:
            raise _Refused(502, "unresolved", f"{url!r} has no addresses")
        return found, destination.port

    async def _open(self, addresses: list[IpAddress], port: int, named: str
                    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A connection to the first of the checked addresses that answers (`localhost` may
        be ::1 first for a server on 127.0.0.1 only)."""
        if self._upstream is not None:
            return await self._tunnel(self._upstream, addresses[0], port, named)
        error: Exception | None = None
        for address in addresses:
            try:
                return await asyncio.wait_for(
                    asyncio.open_connection(str(address), port), self._timeout_s)
            except (OSError, TimeoutError) as exc:
                error = exc
        raise _Refused(502, "connect", f"cannot connect to {named}: {error}")

    async def _tunnel(self, upstream: Upstream, address: IpAddress, port: int, named: str
                      ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A connection to `address` through the upstream proxy (a CONNECT naming the address)."""
        proxy = urlsplit(upstream.url)
        authority = f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}"
        request = f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n"
        if proxy.username is not None:
            secret = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}".encode()
            request += f"Proxy-Authorization: Basic {base64.b64encode(secret).decode()}\r\n"
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(proxy.hostname, proxy.port or 80), self._timeout_s)
        except (OSError, TimeoutError) as exc:
            upstream.refused(0)
            raise _Refused(502, "upstream", f"upstream proxy unreachable: {exc}") from None
        writer.write(request.encode("latin-1") + b"\r\n")
        answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self._timeout_s)
        status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
        status = int(status_line.split(" ")[1]) if status_line.count(" ") else 0
        if status != 200:
            writer.close()
            upstream.refused(status)
            raise _Refused(502, "upstream", f"upstream proxy answered {status_line[:100]!r} "
                                            f"for {named}")
        return reader, writer


def _origin_form(method: str, target: str, header_lines: list[str]) -> bytes:
    """The browser's absolute-form request as an origin would expect it, on its own connection."""
    parts = urlsplit(target)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kept = [line for line in header_lines
            if line.split(":", 1)[0].strip().lower() not in _HOP_HEADERS]
    lines = [f"{method} {path} HTTP/1.1", *kept, "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


async def _splice(browser_reader: asyncio.StreamReader, browser_writer: asyncio.StreamWriter,
                  origin_reader: asyncio.StreamReader, origin_writer: asyncio.StreamWriter
                  ) -> None:
    """Copy both ways until the origin is done: the browser may half-close before it."""
    upload = asyncio.create_task(_copy(browser_reader, origin_writer))
    try:
        await _copy(origin_reader, browser_writer)
    finally:
        upload.cancel()
        await asyncio.gather(upload, return_exceptions=True)


async def _copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
        if sink.can_write_eof():
            sink.write_eof()
    except OSError:
        sink.close()

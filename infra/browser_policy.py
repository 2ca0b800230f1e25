"""What browsers are told and refused: security headers on every response, and unsafe requests
that another origin's page sent with our cookies."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Pages load only their own scripts, styles, images and sockets; nothing may frame them.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

Header = tuple[bytes, bytes]


def security_headers(headers: list[Header], *, hsts_max_age_s: int = 0) -> list[Header]:
    """`headers` (a response's, lower-case names) with the security headers it lacks.

    A header the route chose itself is kept (the API docs relax the style policy). JSON is
    not stored by browsers or proxies unless the route set its own Cache-Control.
    """
    present = {name.lower() for name, _ in headers}
    wanted: list[Header] = [
        (b"content-security-policy", PAGE_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if hsts_max_age_s > 0:
        wanted.append((b"strict-transport-security", f"max-age={hsts_max_age_s}".encode()))
    content_type = next((value for name, value in headers if name.lower() == b"content-type"),
                        b"")
    if content_type.split(b";")[0].strip().lower().endswith(b"json"):
        wanted.append((b"cache-control", b"no-store"))
    return headers + [(name, value) for name, value in wanted if name not in present]


def same_origin(origin: str, host: str) -> bool:
    """True if `origin` (an Origin header) names the host and port the request was sent to."""
    try:
        parts = urlsplit(origin)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
        sent_to = urlsplit(f"{parts.scheme}://{host}")
        sent_port = sent_to.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return False
    return (parts.scheme in _DEFAULT_PORTS and parts.hostname is not None
            and parts.hostname == sent_to.hostname and port == sent_port)


def cross_origin_refusal(method: str, header: Callable[[str], str | None]) -> str | None:
    """Why an unsafe request is refused as another origin's, or None if it may go on.

    `header(name)` reads a request header (None if absent). SameSite cookies do not stop a page
    of the same site (another port, a sibling subdomain), so a POST, PUT, PATCH or DELETE must
    come from our own origin by the browser's word (Origin, Sec-Fetch-Site). A request that
    carries cookies but neither header cannot be vouched for; one with neither and no cookie
    is not a browser's (API clients send a bearer token).
    """
    if method.upper() in SAFE_METHODS:
        return None
    origin, site = header("origin"), header("sec-fetch-site")
    if origin is not None and not same_origin(origin, header("host") or ""):
        return "a page of another origin may not send this request"
    if site is not None and site != "same-origin":
        return "a page of another origin may not send this request"
    if origin is None and site is None and header("cookie") is not None:
        return "a request with cookies must say its origin"
    return None

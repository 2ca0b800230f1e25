"""What can go wrong fetching from a portal, as types the caller turns into events."""

from __future__ import annotations


class FetchError(RuntimeError):
    """A fetch did not produce a usable answer; `reason` is a short machine-readable word."""

    reason = "failed"

    def __init__(self, portal: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{portal}: {message}")
        self.portal = portal
        self.status = status


class FetchFailed(FetchError):
    """Errors, timeouts or 5xx answers outlasted every retry."""

    reason = "failed"


class Blocked(FetchError):
    """The portal refused us: HTTP 403 or a captcha page; retrying now would not help."""

    reason = "blocked"

    def __init__(self, portal: str, message: str, *, status: int | None = None,
                 kind: str = "forbidden") -> None:
        super().__init__(portal, message, status=status)
        self.kind = kind


class RateLimited(FetchError):
    """HTTP 429 outlasted every retry, or asked us to wait longer than we will."""

    reason = "rate_limited"

    def __init__(self, portal: str, message: str, *, retry_after_s: float | None) -> None:
        super().__init__(portal, message, status=429)
        self.retry_after_s = retry_after_s


class QuotaExhausted(FetchError):
    """The portal's daily quota is used up; the next run tries again tomorrow."""

    reason = "quota_exhausted"


class CircuitOpen(FetchError):
    """The portal's breaker is open: no request was sent."""

    reason = "circuit_open"

    def __init__(self, portal: str, retry_in_s: float) -> None:
        super().__init__(portal, f"circuit open; next probe in {retry_in_s:.1f}s")
        self.retry_in_s = retry_in_s


class ProxiesCooling(FetchError):
    """Every proxy of the portal is cooling down after blocks or failures: nothing was sent."""

    reason = "proxies_cooling"

    def __init__(self, portal: str, retry_in_s: float) -> None:
        super().__init__(portal, f"every proxy is cooling down; next in {retry_in_s:.0f}s")
        self.retry_in_s = retry_in_s


class UnsafeUrl(ValueError):
    """A source URL that is malformed or points at a private address not allow-listed."""


class UnresolvedHost(UnsafeUrl):
    """The URL's host did not resolve; refused for now, though it may resolve later."""

"""HTTP requests to a portal with every politeness rule applied, and blocks as typed errors."""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from redis.asyncio import Redis

from infra.clock import Clock
from infra.politeness.breaker import CircuitBreaker
from infra.politeness.concurrency import ConcurrencyCap
from infra.politeness.errors import Blocked, CircuitOpen, FetchFailed, ProxiesCooling, RateLimited
from infra.politeness.pinning import PinnedTransport
from infra.politeness.policy import PortalPolicy
from infra.politeness.proxy_pool import ProxyPool
from infra.politeness.ratelimit import TokenBucket
from infra.politeness.urls import check_url

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
_PROXY_REFUSED = "proxy_refused"


@dataclass(frozen=True)
class Attempt:
    """One failed attempt, reported to the observer so the sync log can say what happened."""

    portal: str
    url: str
    attempt: int
    reason: str
    status: int | None
    wait_s: float | None


@dataclass(frozen=True)
class Verdict:
    """What an answer means: fine, worth retrying, or a block."""

    kind: str  # "ok" | "retry" | "blocked"
    reason: str
    retry_after_s: float | None = None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a `Retry-After` header: delta-seconds or an HTTP date; None if absent/bad.

    Finite and never negative, but unbounded: each caller caps the wait by its own rule.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdecimal():
        seconds = float(value)  # hundreds of digits read as infinity
        return seconds if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def classify(response: httpx.Response, policy: PortalPolicy, now: datetime) -> Verdict:
    """Sort an answer; a captcha page served with 200 is a block, not an empty result."""
    status = response.status_code
    if status == 403:
        return Verdict("blocked", "forbidden")
    if status in RETRYABLE_STATUS:
        retry_after = parse_retry_after(response.headers.get("retry-after"), now)
        return Verdict("retry", "rate_limited" if status == 429 else f"http_{status}",
                       retry_after)
    content_type = response.headers.get("content-type", "")
    if "html" in content_type or "text/plain" in content_type:
        page = response.text[:200_000].casefold()
        if any(marker in page for marker in policy.captcha_markers):
            return Verdict("blocked", "captcha")
    return Verdict("ok", "ok")


Observer = Callable[[Attempt], None]


class PoliteClient:
    """Sends requests to portals through the shared token bucket, slot cap and breaker.

    A portal with proxies is reached through the one its pool chooses; a block (403, a
    captcha, 429, or the proxy refusing us) cools that proxy down and the request moves on
    to the next one, if any, as its next attempt.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        redis: Redis,
        clock: Clock,
        *,
        prefix: str = "jams:polite",
        allow_private: Collection[str] = (),
        rng: random.Random | None = None,
        proxied: Callable[[str], httpx.AsyncClient] | None = None,
        pool: ProxyPool | None = None,
    ) -> None:
        self._http = http
        self._clock = clock
        self.bucket = TokenBucket(redis, clock, prefix)
        self.slots = ConcurrencyCap(redis, clock, prefix)
        self.breaker = CircuitBreaker(redis, clock, prefix)
        self._allow_private = allow_private
        self._rng = rng or random.Random()
        self._proxied = proxied or self._open_proxied
        self._proxy_clients: dict[str, httpx.AsyncClient] = {}
        self.pool = pool or ProxyPool(clock)

    def _open_proxied(self, proxy: str) -> httpx.AsyncClient:
        # Checked and pinned like direct requests: the proxy is asked for the checked address.
        return httpx.AsyncClient(
            transport=PinnedTransport(httpx.AsyncHTTPTransport(proxy=proxy),
                                      allow=self._allow_private),
            timeout=self._http.timeout)

    def _client_for(self, proxy: str | None) -> httpx.AsyncClient:
        if proxy is None:
            return self._http
        if proxy not in self._proxy_clients:
            self._proxy_clients[proxy] = self._proxied(proxy)
        return self._proxy_clients[proxy]

    async def aclose(self) -> None:
        """Close the proxy clients this made (the caller owns the plain one)."""
        for client in self._proxy_clients.values():
            await client.aclose()
        self._proxy_clients.clear()

    def backoff_s(self, policy: PortalPolicy, attempt: int, retry_after_s: float | None) -> float:
        """Exponential with jitter (half to full step), never shorter than `Retry-After` up to
        the longest wait the policy allows."""
        step = min(policy.backoff_max_s, policy.backoff_base_s * 2.0 ** (attempt - 1))
        jittered = step * (0.5 + 0.5 * self._rng.random())
        return max(jittered, min(retry_after_s or 0.0, policy.max_retry_after_s))

    async def request(
        self,
        portal: str,
        policy: PortalPolicy,
        method: str,
        url: str,
        *,
        observer: Observer | None = None,
        session: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """The portal's answer (2xx or a client error like 404); typed errors otherwise.

        `session` keeps the requests of one candidate's session on one proxy.
        """
        await check_url(url, self._allow_private)
        headers = {"User-Agent": policy.user_agent, **kwargs.pop("headers", {})}
        for attempt in range(1, policy.max_attempts + 1):
            wait_s = await self.breaker.allow(portal, policy)
            if wait_s > 0:
                raise CircuitOpen(portal, wait_s)
            proxy = self.pool.choose(portal, policy, session)
            await self.bucket.take(portal, policy)
            started = time.monotonic()
            verdict, status = await self._send(portal, policy, proxy, method, url, headers,
                                               kwargs)
            if isinstance(verdict, httpx.Response):
                if proxy is not None:
                    self.pool.report_success(portal, proxy, time.monotonic() - started)
                await self.breaker.record_success(portal)
                return verdict
            await self.breaker.record_failure(portal, policy)
            if proxy is not None:
                self._report_to_pool(portal, policy, proxy, verdict)
            if verdict.kind == "blocked":
                if attempt < policy.max_attempts and self._another_proxy(portal, policy, session,
                                                                         proxy):
                    self._notify(observer, Attempt(portal, url, attempt, verdict.reason, status,
                                                   0.0))
                    continue
                self._notify(observer, Attempt(portal, url, attempt, verdict.reason, status, None))
                raise Blocked(portal, f"{verdict.reason} at {url}", status=status,
                              kind=verdict.reason)
            too_long = (verdict.retry_after_s or 0) > policy.max_retry_after_s
            last = attempt == policy.max_attempts or too_long
            delay = None if last else self.backoff_s(policy, attempt, verdict.retry_after_s)
            self._notify(observer, Attempt(portal, url, attempt, verdict.reason, status, delay))
            if delay is None:
                if verdict.reason == "rate_limited":
                    raise RateLimited(portal, f"HTTP 429 at {url} after {attempt} attempts",
                                      retry_after_s=verdict.retry_after_s)
                raise FetchFailed(portal, f"{verdict.reason} at {url} after {attempt} attempts",
                                  status=status)
            await self._clock.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _report_to_pool(self, portal: str, policy: PortalPolicy, proxy: str,
                        verdict: Verdict) -> None:
        if verdict.kind == "blocked" or verdict.reason in {"rate_limited", _PROXY_REFUSED}:
            self.pool.report_block(portal, proxy, policy)
        else:
            self.pool.report_failure(portal, proxy, policy)

    def _another_proxy(self, portal: str, policy: PortalPolicy, session: str | None,
                       blocked: str | None) -> bool:
        """Whether a proxy other than the one just blocked may take the next attempt."""
        if blocked is None:
            return False
        try:
            return self.pool.choose(portal, policy, session) not in {None, blocked}
        except ProxiesCooling:
            return False

    async def _send(
        self, portal: str, policy: PortalPolicy, proxy: str | None, method: str, url: str,
        headers: dict[str, str], kwargs: dict[str, Any],
    ) -> tuple[httpx.Response | Verdict, int | None]:
        async with self.slots.slot(portal, policy):
            try:
                response = await self._client_for(proxy).request(
                    method, url, headers=headers, timeout=policy.timeout_s, **kwargs
                )
            except httpx.TimeoutException:
                return Verdict("retry", "timeout"), None
            except httpx.ProxyError:
                return Verdict("retry", _PROXY_REFUSED), None
            except httpx.TransportError as exc:
                return Verdict("retry", f"network: {type(exc).__name__}"), None
        verdict = classify(response, policy, self._clock.now())
        if verdict.kind == "ok":
            return response, response.status_code
        return verdict, response.status_code

    @staticmethod
    def _notify(observer: Observer | None, attempt: Attempt) -> None:
        if observer is not None:
            observer(attempt)

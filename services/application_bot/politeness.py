"""Per-portal politeness for applying: discovery's Redis bucket, slots and breaker, shared.

The keys are the portal's name (`greenhouse`, `lever`, `linkedin`, ... or a career site's
host), exactly as discovery names them, under the same prefix: a visit to apply takes a token
from the bucket scraping draws from, holds one of the same fleet-wide slots, and an open
breaker stops both.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Protocol

import structlog
from redis.asyncio import Redis

from infra.clock import Clock
from infra.politeness import CircuitBreaker, ConcurrencyCap, PortalPolicy, TokenBucket
from infra.politeness.egress import Upstream
from infra.politeness.errors import ProxiesCooling, QuotaExhausted
from infra.politeness.proxy_pool import ProxyPool
from services.application_bot.domain import (
    Checkpoint,
    Confirmed,
    NotSent,
    Outcome,
    Rejected,
    Unconfirmed,
)

log = structlog.get_logger(__name__)

# How often a waiter looks at an open breaker again (it also learns the exact reopen time).
_BREAKER_POLL_MAX_S = 5.0


class PortalUnavailable(Exception):
    """The portal may not be visited now (breaker open, quota used up): nothing was sent."""

    def __init__(self, portal: str, reason: str) -> None:
        super().__init__(f"{portal}: {reason}")
        self.portal = portal


class VisitTicket(Protocol):
    @property
    def upstream(self) -> Upstream | None:
        """The proxy this visit goes through; None: out directly."""
        ...

    def report(self, outcome: Outcome) -> None:
        """What the portal did, for its breaker."""
        ...


class PortalGate(Protocol):
    def visit(self, portal: str, session: str | None = None
              ) -> contextlib.AbstractAsyncContextManager[VisitTicket]:
        """A token and a slot for one visit, once the breaker allows; else PortalUnavailable.

        The visits of one `session` (a candidate's) keep to one proxy while it is healthy.
        """
        ...


class _Ticket:
    def __init__(self, upstream: Upstream | None = None) -> None:
        self.upstream = upstream
        self.outcome: Outcome | None = None

    def report(self, outcome: Outcome) -> None:
        self.outcome = outcome


class OpenGate:
    """No limits: for tests and tools that apply on their own sandbox."""

    @contextlib.asynccontextmanager
    async def visit(self, portal: str, session: str | None = None) -> AsyncIterator[VisitTicket]:
        yield _Ticket()


def portal_failed(outcome: Outcome | None) -> bool | None:
    """Whether an outcome counts against the portal's breaker (None: it says nothing)."""
    if isinstance(outcome, Checkpoint):
        return True  # the portal is wary of us: the next visits should wait
    if isinstance(outcome, Confirmed | Rejected):
        return False  # the portal answered, whatever it answered
    if isinstance(outcome, NotSent | Unconfirmed):
        return True  # errors, timeouts, 429/5xx: the portal is struggling
    return None


class RedisPortalGate:
    """The shared politeness state in Redis, by portal name."""

    def __init__(
        self, redis: Redis, clock: Clock, *, policies: Mapping[str, PortalPolicy],
        default: PortalPolicy, prefix: str, breaker_wait_max_s: float,
        pool: ProxyPool | None = None,
    ) -> None:
        self._clock = clock
        self.pool = pool or ProxyPool(clock)
        self._policies = dict(policies)
        self._default = default
        self._bucket = TokenBucket(redis, clock, prefix)
        self._slots = ConcurrencyCap(redis, clock, prefix)
        self.breaker = CircuitBreaker(redis, clock, prefix)
        self._breaker_wait_max_s = breaker_wait_max_s

    def policy(self, portal: str) -> PortalPolicy:
        return self._policies.get(portal, self._default)

    @contextlib.asynccontextmanager
    async def visit(self, portal: str, session: str | None = None) -> AsyncIterator[VisitTicket]:
        policy = self.policy(portal)
        try:
            proxy = self.pool.choose(portal, policy, session)
        except ProxiesCooling as exc:
            raise PortalUnavailable(portal, str(exc)) from exc
        waited = 0.0
        # An open breaker is waited out (up to a bound); once its time is up this visit may
        # be the one half-open probe, and its outcome closes or reopens the breaker.
        while (wait_s := await self.breaker.allow(portal, policy)) > 0:
            if waited + wait_s > self._breaker_wait_max_s:
                raise PortalUnavailable(portal, f"circuit open; next probe in {wait_s:.1f}s")
            log.info("portal breaker open; waiting", portal=portal, wait_s=wait_s)
            step = min(wait_s, _BREAKER_POLL_MAX_S)
            await self._clock.sleep(step)
            waited += step
        try:
            await self._bucket.take(portal, policy)
        except QuotaExhausted as exc:
            raise PortalUnavailable(portal, str(exc)) from exc
        holder = uuid.uuid4().hex
        while (slot_wait_s := await self._slots.try_acquire(portal, policy, holder)) > 0:
            await self._clock.sleep(min(slot_wait_s, 0.05))
        ticket = _Ticket(None if proxy is None else self._upstream(portal, policy, proxy))
        started = time.monotonic()
        try:
            yield ticket
        finally:
            await self._slots.release(portal, holder)
            failed = portal_failed(ticket.outcome)
            if proxy is not None and failed is not None:
                if failed:
                    self.pool.report_failure(portal, proxy, policy)
                else:
                    self.pool.report_success(portal, proxy, time.monotonic() - started)
            if failed is True:
                state = await self.breaker.record_failure(portal, policy)
                if state == "open":
                    log.warning("portal breaker opened", portal=portal)
            elif failed is False:
                await self.breaker.record_success(portal)

    def _upstream(self, portal: str, policy: PortalPolicy, proxy: str) -> Upstream:
        """The proxy, and a block reported to the pool when it refuses a tunnel."""

        def refused(status: int) -> None:
            log.warning("upstream proxy refused a tunnel", portal=portal, status=status)
            self.pool.report_block(portal, proxy, policy)

        return Upstream(proxy, refused)

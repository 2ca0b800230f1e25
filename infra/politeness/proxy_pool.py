"""Each portal's upstream proxies, the healthiest chosen, a blocked one cooled down.

Health is per (portal, proxy): a portal that blocks an address says nothing of how another
portal treats it. A candidate's visits stick to one proxy (a portal sees a session come from
one address) until that proxy is blocked or cooling down; then the session moves on. The
state is in-process: each worker learns from its own requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from infra.clock import Clock
from infra.politeness.errors import ProxiesCooling
from infra.politeness.policy import PortalPolicy

log = structlog.get_logger(__name__)

# Weight of the newest sample in a proxy's latency average.
_LATENCY_WEIGHT = 0.3


@dataclass
class ProxyHealth:
    """What one portal's requests through one proxy have shown."""

    failures: int = 0  # consecutive network failures
    blocks: int = 0  # every block, for ordering: a proxy blocked before is tried last
    latency_s: float | None = None
    cool_until: datetime | None = None

    def cooling(self, now: datetime) -> bool:
        return self.cool_until is not None and now < self.cool_until


@dataclass
class _PortalPool:
    health: dict[str, ProxyHealth] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # session -> proxy


class ProxyPool:
    """Chooses a portal's proxy for a request and learns from how it went."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._portals: dict[str, _PortalPool] = {}

    def _pool(self, portal: str, policy: PortalPolicy) -> _PortalPool:
        pool = self._portals.setdefault(portal, _PortalPool())
        for proxy in policy.proxies:
            pool.health.setdefault(proxy, ProxyHealth())
        return pool

    def health(self, portal: str, proxy: str) -> ProxyHealth:
        return self._portals.get(portal, _PortalPool()).health.get(proxy, ProxyHealth())

    def choose(self, portal: str, policy: PortalPolicy, session: str | None = None) -> str | None:
        """The proxy for the next request; None when the portal has no proxies (direct).

        Raises ProxiesCooling when every proxy of the portal is cooling down.
        """
        if not policy.proxies:
            return None
        pool = self._pool(portal, policy)
        now = self._clock.now()
        if session is not None:
            stuck = pool.sessions.get(session)
            if stuck in policy.proxies and not pool.health[stuck].cooling(now):
                return stuck
        ready = [p for p in policy.proxies if not pool.health[p].cooling(now)]
        if not ready:
            soonest = min(h.cool_until for p in policy.proxies
                          if (h := pool.health[p]).cool_until is not None)
            raise ProxiesCooling(portal, (soonest - now).total_seconds())
        # Fewest blocks, then fewest failures, then fastest; an untried proxy counts as fast.
        chosen = min(ready, key=lambda p: (pool.health[p].blocks, pool.health[p].failures,
                                           pool.health[p].latency_s or 0.0))
        if session is not None:
            pool.sessions[session] = chosen
        return chosen

    def report_success(self, portal: str, proxy: str, latency_s: float) -> None:
        health = self._portals.setdefault(portal, _PortalPool()).health.setdefault(
            proxy, ProxyHealth())
        health.failures = 0
        health.latency_s = latency_s if health.latency_s is None else (
            _LATENCY_WEIGHT * latency_s + (1 - _LATENCY_WEIGHT) * health.latency_s)

    def report_failure(self, portal: str, proxy: str, policy: PortalPolicy) -> None:
        """A network failure through the proxy; enough in a row cool it down."""
        health = self._pool(portal, policy).health.setdefault(proxy, ProxyHealth())
        health.failures += 1
        if health.failures >= policy.proxy_failures_to_cool:
            self._cool(portal, proxy, health, policy, "failing")

    def report_block(self, portal: str, proxy: str, policy: PortalPolicy) -> None:
        """The portal (or the proxy itself) refused us through it: cool it down now."""
        health = self._pool(portal, policy).health.setdefault(proxy, ProxyHealth())
        health.blocks += 1
        self._cool(portal, proxy, health, policy, "blocked")

    def _cool(self, portal: str, proxy: str, health: ProxyHealth, policy: PortalPolicy,
              why: str) -> None:
        health.cool_until = self._clock.now() + timedelta(seconds=policy.proxy_cooldown_s)
        health.failures = 0
        pool = self._portals[portal]
        pool.sessions = {s: p for s, p in pool.sessions.items() if p != proxy}
        log.warning("proxy cooling down", portal=portal, proxy=_redacted(proxy), why=why,
                    cooldown_s=policy.proxy_cooldown_s)


def _redacted(proxy: str) -> str:
    """A proxy URL without its password, for logs."""
    scheme, _, rest = proxy.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"

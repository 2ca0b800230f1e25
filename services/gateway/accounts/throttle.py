"""How fast logins may fail: per account and address, per address, and in all, counted in Redis.

Wrong passwords for one account slow its logins down (a growing delay) instead of locking it:
whoever guesses cannot shut the owner out. Hard limits fall on the guesser's address, on the
pair of account and address, and on the whole gateway.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from redis.asyncio import Redis

from infra.http_conventions import ERR_RATE_LIMIT, ApiError

log = structlog.get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class LoginLimits:
    """Wrong passwords allowed per window, and the delay that grows with an account's count
    (the defaults are the gateway settings')."""

    per_account_and_address: int
    per_address: int
    overall: int
    free_failures: int
    delay_base_s: float
    delay_max_s: float
    window_s: int


def login_delay(account_failures: int, limits: LoginLimits) -> float:
    """Seconds a login of an account waits: none for its first few failures, then doubling."""
    beyond = account_failures - limits.free_failures
    if beyond < 0:
        return 0.0
    return min(limits.delay_max_s, limits.delay_base_s * (1 << min(beyond, 32)))


def _digest(*parts: str) -> str:
    # Hashed: the keys name no one in Redis.
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


class LoginThrottle:
    """Checks a login against the failure counts before its password is checked."""

    def __init__(self, redis: Redis, namespace: str, limits: LoginLimits,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.redis = redis
        self.namespace = namespace
        self.limits = limits
        self.sleep = sleep

    def _keys(self, email: str, address: str) -> dict[str, str]:
        prefix = f"{self.namespace}:login-failures"
        return {"account": f"{prefix}:account:{_digest(email)}",
                "pair": f"{prefix}:pair:{_digest(email, address)}",
                "address": f"{prefix}:address:{_digest(address)}",
                "overall": f"{prefix}:overall"}

    async def admit(self, email: str, address: str) -> None:
        """Wait out the account's delay; ApiError 429 if a hard limit is reached."""
        keys = self._keys(email, address)
        counts = dict(zip(keys, [int(count or 0) for count in
                                 await self.redis.mget(list(keys.values()))], strict=True))
        for scope, limit in (("pair", self.limits.per_account_and_address),
                             ("address", self.limits.per_address),
                             ("overall", self.limits.overall)):
            if counts[scope] >= limit:
                wait_s = await self._seconds_left(keys[scope])
                # The address is the peer's, or a trusted proxy's forwarded client.
                log.warning("login refused: too many failed logins", scope=scope,
                            address=address, retry_after_s=wait_s)
                raise ApiError(429, ERR_RATE_LIMIT, "too many failed logins; wait and try again",
                               {"scope": scope, "window_s": self.limits.window_s,
                                "retry_after_s": wait_s},
                               headers={"Retry-After": str(wait_s)})
        if delay := login_delay(counts["account"], self.limits):
            await self.sleep(delay)

    async def _seconds_left(self, key: str) -> int:
        """Whole seconds until the count at `key` ends (at least 1): when a retry may pass."""
        left_ms = int(await self.redis.pttl(key))
        if left_ms < 0:  # no expiry (cannot happen unless set by hand): a whole window
            return self.limits.window_s
        return max(1, math.ceil(left_ms / 1000))

    async def failed(self, email: str, address: str) -> None:
        """Count a wrong password; each count lives one window from its first failure."""
        pipe = self.redis.pipeline(transaction=False)
        for key in self._keys(email, address).values():
            pipe.incr(key)
            pipe.expire(key, self.limits.window_s, nx=True)
        await pipe.execute()

    async def succeeded(self, email: str, address: str) -> None:
        """The owner got in: the account's delay ends (the address's counts stay)."""
        keys = self._keys(email, address)
        await self.redis.delete(keys["account"], keys["pair"])

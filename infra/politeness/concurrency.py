"""A fleet-wide cap on requests in flight per portal: a Redis semaphore with leases."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

from redis.asyncio import Redis

from infra.clock import Clock
from infra.politeness.policy import PortalPolicy
from infra.politeness.ratelimit import epoch_ms

# Holders are members of a sorted set scored by lease expiry: a worker that dies holding a
# slot stops renewing it, and the next acquirer drops it once the lease has passed.
_ACQUIRE = """
local now = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
local lease = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < cap then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], lease * 2)
  return 0
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(first[2]) - now)
"""

# How often a waiter looks again: slots are usually released long before their lease ends.
POLL_S = 0.05


class ConcurrencyCap:
    """`async with cap.slot(portal, policy):` holds one of the portal's slots."""

    def __init__(self, redis: Redis, clock: Clock, prefix: str) -> None:
        self._redis = redis
        self._clock = clock
        self._prefix = prefix
        self._acquire = redis.register_script(_ACQUIRE)

    def _key(self, portal: str) -> str:
        return f"{self._prefix}:{portal}:slots"

    async def try_acquire(self, portal: str, policy: PortalPolicy, holder: str) -> float:
        """Take a slot for `holder` and return 0, or the seconds until the oldest lease ends."""
        wait_ms = int(await self._acquire(
            keys=[self._key(portal)],
            args=[holder, epoch_ms(self._clock.now()), policy.max_concurrency,
                  int(policy.lease_s * 1000)],
        ))
        return wait_ms / 1000

    async def release(self, portal: str, holder: str) -> None:
        await self._redis.zrem(self._key(portal), holder)

    async def in_flight(self, portal: str) -> int:
        """Slots held now, live leases only."""
        now = epoch_ms(self._clock.now())
        return int(await self._redis.zcount(self._key(portal), now + 1, "+inf"))

    @contextlib.asynccontextmanager
    async def slot(self, portal: str, policy: PortalPolicy) -> AsyncIterator[None]:
        holder = uuid.uuid4().hex
        while (wait_s := await self.try_acquire(portal, policy, holder)) > 0:
            await self._clock.sleep(min(wait_s, POLL_S))
        try:
            yield
        finally:
            await self.release(portal, holder)

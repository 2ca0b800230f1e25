"""A token bucket per portal in Redis, shared by every worker, with an optional daily quota."""

from __future__ import annotations

import math
from datetime import datetime

from redis.asyncio import Redis

from infra.clock import Clock
from infra.politeness.errors import QuotaExhausted
from infra.politeness.policy import PortalPolicy

# One atomic step: refill by elapsed time, then take a token or say how long to wait.
# Time comes from the caller (its injected clock) so tests are deterministic; a caller whose
# clock lags the last writer gets no refill, which errs on the polite side.
_TAKE = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local daily_limit = tonumber(ARGV[4])
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if daily_limit > 0 and used >= daily_limit then
  return -1
end
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(bucket[1])
local ts = tonumber(bucket[2])
if tokens == nil then
  tokens = capacity
  ts = now
end
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate)
  ts = now
end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  if daily_limit > 0 then
    redis.call('INCR', KEYS[2])
    redis.call('PEXPIRE', KEYS[2], 172800000)
  end
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 60000)
return wait
"""


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the epoch: the time unit of every politeness script."""
    return int(moment.timestamp() * 1000)


class TokenBucket:
    """`await bucket.take(portal, policy)` returns once a request may be sent."""

    def __init__(self, redis: Redis, clock: Clock, prefix: str) -> None:
        self._clock = clock
        self._prefix = prefix
        self._take = redis.register_script(_TAKE)

    async def try_take(self, portal: str, policy: PortalPolicy) -> float:
        """Take a token now and return 0, or return the seconds to wait before trying again."""
        now = self._clock.now()
        day = now.strftime("%Y%m%d")
        wait_ms = int(await self._take(
            keys=[f"{self._prefix}:{portal}:bucket", f"{self._prefix}:{portal}:day:{day}"],
            args=[policy.rate_per_s / 1000, policy.burst, epoch_ms(now),
                  policy.daily_limit or 0],
        ))
        if wait_ms < 0:
            raise QuotaExhausted(portal, f"daily quota of {policy.daily_limit} requests used up")
        return wait_ms / 1000

    async def take(self, portal: str, policy: PortalPolicy) -> None:
        """Wait (on the clock) until a token is ours."""
        while (wait_s := await self.try_take(portal, policy)) > 0:
            # Waking a hair late is harmless; waking early only costs one more round trip.
            await self._clock.sleep(math.ceil(wait_s * 1000) / 1000)

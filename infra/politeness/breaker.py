"""A circuit breaker per portal in Redis: closed, open after N failures, one half-open probe."""

from __future__ import annotations

from typing import Literal

from redis.asyncio import Redis

from infra.clock import Clock
from infra.politeness.policy import PortalPolicy
from infra.politeness.ratelimit import epoch_ms

State = Literal["closed", "open", "half_open"]

# 0: go ahead (when the breaker was open and its time is up, the caller is the one probe).
# >0: milliseconds until a request may be tried again.
_ALLOW = """
local now = tonumber(ARGV[1])
local open_ms = tonumber(ARGV[2])
local probe_ms = tonumber(ARGV[3])
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if state == 'closed' then
  return 0
end
if state == 'open' then
  local reopen = tonumber(redis.call('HGET', KEYS[1], 'opened_at')) + open_ms
  if now < reopen then
    return reopen - now
  end
else
  local probe_until = tonumber(redis.call('HGET', KEYS[1], 'probe_until'))
  if now < probe_until then
    return probe_until - now
  end
end
-- A probe whose worker died never reports back: its lease ends and another probe may go.
redis.call('HSET', KEYS[1], 'state', 'half_open', 'probe_until', now + probe_ms)
return 0
"""

_FAILURE = """
local now = tonumber(ARGV[1])
local threshold = tonumber(ARGV[2])
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if state == 'half_open' or (state == 'closed' and failures >= threshold) then
  redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', now)
  return 'open'
end
return state
"""


class CircuitBreaker:
    """Shared breaker state: every worker stops calling a portal that keeps failing."""

    def __init__(self, redis: Redis, clock: Clock, prefix: str) -> None:
        self._redis = redis
        self._clock = clock
        self._prefix = prefix
        self._allow = redis.register_script(_ALLOW)
        self._failure = redis.register_script(_FAILURE)

    def _key(self, portal: str) -> str:
        return f"{self._prefix}:{portal}:breaker"

    async def allow(self, portal: str, policy: PortalPolicy) -> float:
        """0 when a request may go now, else the seconds until one may."""
        wait_ms = int(await self._allow(
            keys=[self._key(portal)],
            args=[epoch_ms(self._clock.now()), int(policy.breaker_open_s * 1000),
                  int(policy.lease_s * 1000)],
        ))
        return wait_ms / 1000

    async def record_success(self, portal: str) -> None:
        await self._redis.hset(self._key(portal), mapping={"state": "closed", "failures": 0})

    async def record_failure(self, portal: str, policy: PortalPolicy) -> State:
        """Count a failure; the state afterwards."""
        state = await self._failure(
            keys=[self._key(portal)],
            args=[epoch_ms(self._clock.now()), policy.breaker_failures],
        )
        return _state(state)

    async def state(self, portal: str) -> State:
        return _state(await self._redis.hget(self._key(portal), "state") or b"closed")


def _state(value: object) -> State:
    text = value.decode() if isinstance(value, bytes) else str(value)
    if text == "open":
        return "open"
    if text == "half_open":
        return "half_open"
    return "closed"

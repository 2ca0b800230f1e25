"""Reading reviewer presence, which the gateway writes to Redis.

Layout (kept in sync by hand with services/gateway/adapters/presence.py, and checked by
tests/contract/test_presence_contract.py): hash `{namespace}:presence:reviewers`, field = the
reviewer id, value = JSON `{"status": ..., "heartbeat_at": ISO-8601 UTC, "connection": ...}`.
Entries are never trusted forever: the workflow ignores those whose heartbeat is stale.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Protocol

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from services.workflow.policy import PresenceEntry

log = structlog.get_logger(__name__)


class PresenceUnavailable(Exception):
    """Presence cannot be read right now; nobody counts as available."""


class Presence(Protocol):
    """Who the gateway last saw, and in which status."""

    async def entries(self) -> dict[uuid.UUID, PresenceEntry]:
        """Every reviewer the gateway has an entry for; PresenceUnavailable if unreadable."""
        ...

    async def entry(self, reviewer_id: uuid.UUID) -> PresenceEntry | None:
        """One reviewer's entry, if any; PresenceUnavailable if unreadable."""
        ...

    async def set_away(self, reviewer_id: uuid.UUID) -> bool:
        """Mark an available reviewer away (they come back by saying so); True if changed."""
        ...


def presence_key(namespace: str) -> str:
    return f"{namespace}:presence:reviewers"


# Only an available entry turns away; heartbeats keep the status, so it stays away until the
# reviewer says otherwise. Read-modify-write in one script so a heartbeat cannot interleave.
_SET_AWAY = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local ok, entry = pcall(cjson.decode, raw)
if not ok or type(entry) ~= 'table' or entry.status ~= 'available' then return 0 end
entry.status = 'away'
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
return 1
"""


class RedisPresence:
    """Presence read from the gateway's Redis hash."""

    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._key = presence_key(namespace)
        self._set_away = redis.register_script(_SET_AWAY)

    async def set_away(self, reviewer_id: uuid.UUID) -> bool:
        try:
            return bool(await self._set_away(keys=[self._key], args=[str(reviewer_id)]))
        except RedisError as exc:
            raise PresenceUnavailable(repr(exc)) from exc

    async def entries(self) -> dict[uuid.UUID, PresenceEntry]:
        try:
            raw = await self._redis.hgetall(self._key)
        except RedisError as exc:
            raise PresenceUnavailable(repr(exc)) from exc
        found: dict[uuid.UUID, PresenceEntry] = {}
        for field, value in raw.items():
            reviewer_id, entry = _reviewer_of(field), _parse(value)
            if reviewer_id is not None and entry is not None:
                found[reviewer_id] = entry
        return found

    async def entry(self, reviewer_id: uuid.UUID) -> PresenceEntry | None:
        try:
            value = await self._redis.hget(self._key, str(reviewer_id))
        except RedisError as exc:
            raise PresenceUnavailable(repr(exc)) from exc
        return None if value is None else _parse(value)


def _parse(value: bytes | str) -> PresenceEntry | None:
    # A malformed entry means "not available", never a crashed handler.
    try:
        data = json.loads(value)
        heartbeat_at = datetime.fromisoformat(data["heartbeat_at"])
        status = data["status"]
    except (ValueError, KeyError, TypeError):
        heartbeat_at, status = None, None
    if heartbeat_at is None or heartbeat_at.tzinfo is None or not isinstance(status, str):
        log.warning("unreadable presence entry ignored")
        return None
    return PresenceEntry(status=status, heartbeat_at=heartbeat_at)


def _reviewer_of(field: bytes | str) -> uuid.UUID | None:
    try:
        return uuid.UUID(field.decode() if isinstance(field, bytes) else field)
    except ValueError:
        return None

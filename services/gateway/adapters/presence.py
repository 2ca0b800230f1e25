"""Reviewer presence as the gateway records it: a port, a Redis adapter and an in-memory one.

Layout (kept in sync by hand with services/workflow/adapters/presence.py, which reads it, and
checked by tests/contract/test_presence_contract.py): hash `{namespace}:presence:reviewers`,
field = the reviewer id, value = JSON `{"status": ..., "heartbeat_at": ISO-8601 UTC,
"connection": ...}`. Readers judge freshness from `heartbeat_at`, so a crashed gateway's
entries simply go stale instead of needing cleanup.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from redis.asyncio import Redis

AVAILABLE = "available"
OFFLINE = "offline"


@dataclass(frozen=True)
class PresenceRecord:
    """One reviewer's presence entry."""

    status: str
    heartbeat_at: datetime
    connection: str

    def to_json(self) -> str:
        return json.dumps({"status": self.status, "heartbeat_at": self.heartbeat_at.isoformat(),
                           "connection": self.connection})

    @classmethod
    def from_json(cls, raw: bytes | str) -> PresenceRecord:
        data = json.loads(raw)
        return cls(data["status"], datetime.fromisoformat(data["heartbeat_at"]),
                   data["connection"])


class PresenceStore(Protocol):
    """Where the gateway says which reviewers are connected.

    Several sockets of one reviewer may exist (two tabs, two replicas); the last one to connect
    owns the entry, and only its owner's disconnect marks the reviewer offline. A heartbeat
    from any socket brings an offline reviewer back.
    """

    async def connect(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> None:
        """Mark available, owned by `connection`."""
        ...

    async def touch(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> bool:
        """Refresh the heartbeat; True if the reviewer had to be marked available again."""
        ...

    async def release(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> bool:
        """Mark offline if `connection` owns the entry; True if it did."""
        ...

    async def get(self, reviewer_id: uuid.UUID) -> PresenceRecord | None:
        """The current entry, if any."""
        ...

    async def set_status(self, reviewer_id: uuid.UUID, connection: str, status: str,
                         now: datetime) -> None:
        """The reviewer said which status they are in (available or away), from `connection`."""
        ...

    async def entries(self) -> dict[uuid.UUID, PresenceRecord]:
        """Every reviewer's entry, for the supervisor's view."""
        ...


def presence_key(namespace: str) -> str:
    return f"{namespace}:presence:reviewers"


# Read-modify-write in one script so a heartbeat and a disconnect never interleave.
_TOUCH = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw then
  local ok, entry = pcall(cjson.decode, raw)
  if ok and type(entry) == 'table' and entry.status ~= 'offline' then
    entry.heartbeat_at = ARGV[2]
    redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""

_RELEASE = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local ok, entry = pcall(cjson.decode, raw)
if ok and type(entry) == 'table' and
   (entry.connection ~= ARGV[2] or entry.status == 'offline') then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""


class RedisPresenceStore:
    """Presence in one Redis hash, shared by every gateway replica and read by the workflow."""

    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._key = presence_key(namespace)
        self._touch = redis.register_script(_TOUCH)
        self._release = redis.register_script(_RELEASE)

    async def connect(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> None:
        record = PresenceRecord(AVAILABLE, now, connection)
        await self._redis.hset(self._key, str(reviewer_id), record.to_json())

    async def touch(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> bool:
        fresh = PresenceRecord(AVAILABLE, now, connection).to_json()
        result = await self._touch(keys=[self._key],
                                   args=[str(reviewer_id), now.isoformat(), fresh])
        return bool(result)

    async def release(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> bool:
        gone = PresenceRecord(OFFLINE, now, connection).to_json()
        result = await self._release(keys=[self._key], args=[str(reviewer_id), connection, gone])
        return bool(result)

    async def get(self, reviewer_id: uuid.UUID) -> PresenceRecord | None:
        raw = await self._redis.hget(self._key, str(reviewer_id))
        return None if raw is None else PresenceRecord.from_json(raw)

    async def set_status(self, reviewer_id: uuid.UUID, connection: str, status: str,
                         now: datetime) -> None:
        record = PresenceRecord(status, now, connection)
        await self._redis.hset(self._key, str(reviewer_id), record.to_json())

    async def entries(self) -> dict[uuid.UUID, PresenceRecord]:
        found: dict[uuid.UUID, PresenceRecord] = {}
        for field, raw in (await self._redis.hgetall(self._key)).items():
            try:
                key = field.decode() if isinstance(field, bytes) else field
                found[uuid.UUID(key)] = PresenceRecord.from_json(raw)
            except (ValueError, KeyError, TypeError):
                continue  # a malformed entry is nobody's presence
        return found


class InMemoryPresenceStore:
    """Presence in a dict: for one-process use and tests of the gateway's own logic."""

    def __init__(self) -> None:
        self._entries: dict[uuid.UUID, PresenceRecord] = {}

    async def connect(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> None:
        self._entries[reviewer_id] = PresenceRecord(AVAILABLE, now, connection)

    async def touch(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> bool:
        entry = self._entries.get(reviewer_id)
        if entry is not None and entry.status != OFFLINE:
            self._entries[reviewer_id] = PresenceRecord(entry.status, now, entry.connection)
            return False
        self._entries[reviewer_id] = PresenceRecord(AVAILABLE, now, connection)
        return True

    async def release(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> bool:
        entry = self._entries.get(reviewer_id)
        if entry is None or entry.connection != connection or entry.status == OFFLINE:
            return False
        self._entries[reviewer_id] = PresenceRecord(OFFLINE, now, connection)
        return True

    async def get(self, reviewer_id: uuid.UUID) -> PresenceRecord | None:
        return self._entries.get(reviewer_id)

    async def set_status(self, reviewer_id: uuid.UUID, connection: str, status: str,
                         now: datetime) -> None:
        self._entries[reviewer_id] = PresenceRecord(status, now, connection)

    async def entries(self) -> dict[uuid.UUID, PresenceRecord]:
        return dict(self._entries)

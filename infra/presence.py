"""Reviewer presence: the port, and its one Valkey/Redis layout.

The gateway writes presence (sockets connect, beat, leave and change status) and applies the
workflow's "away" when the workflow's event reaches it; the workflow only reads. Layout: hash
`{namespace}:presence:reviewers`, field = the reviewer id, value = JSON `{"status", "since",
"heartbeat_at", "connection"}`, timestamps in UTC in one fixed-width ISO-8601 form, so the
scripts below may compare them as strings. Readers judge freshness from `heartbeat_at`, so a
crashed gateway's entries simply go stale instead of needing cleanup.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

import structlog
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = structlog.get_logger(__name__)

AVAILABLE = "available"
AWAY = "away"
OFFLINE = "offline"


@dataclass(frozen=True)
class PresenceEntry:
    """One reviewer's presence: the status, since when, the last heartbeat and its socket."""

    status: str
    since: datetime
    heartbeat_at: datetime
    connection: str


class PresenceUnavailable(ConnectionError):
    """Presence cannot be reached right now: a dependency outage, which an event waits out."""


class PresenceReader(Protocol):
    """Who was last seen, and in which status."""

    async def get(self, reviewer_id: uuid.UUID) -> PresenceEntry | None:
        """One reviewer's entry, if any; PresenceUnavailable if out of reach."""
        ...

    async def entries(self) -> dict[uuid.UUID, PresenceEntry]:
        """Every reviewer's entry; PresenceUnavailable if out of reach."""
        ...


class Presence(PresenceReader, Protocol):
    """Where the gateway says which reviewers are connected.

    Several sockets of one reviewer may exist (two tabs, two replicas); the last one to connect
    owns the entry, and only its owner's disconnect marks the reviewer offline. A heartbeat
    from any socket brings an offline reviewer back. Heartbeats keep the status and its
    `since`; every other write sets both.
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

    async def set_status(self, reviewer_id: uuid.UUID, connection: str,
                         status: Literal["available", "away"], now: datetime) -> None:
        """The reviewer said which status they are in, from `connection`."""
        ...

    async def away_as_of(self, reviewer_id: uuid.UUID, decided_at: datetime) -> bool:
        """Someone decided at `decided_at` that the reviewer is away: an entry available since
        before then turns away (one available since then came back meanwhile and stays).
        True if the reviewer is away now."""
        ...


def presence_key(namespace: str) -> str:
    return f"{namespace}:presence:reviewers"


def _stamp(at: datetime) -> str:
    """A timestamp as stored: UTC, always with microseconds, so strings sort as times do."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _encode(entry: PresenceEntry) -> str:
    return json.dumps({"status": entry.status, "since": _stamp(entry.since),
                       "heartbeat_at": _stamp(entry.heartbeat_at),
                       "connection": entry.connection})


def _decode(value: bytes | str) -> PresenceEntry | None:
    """The entry stored in `value`; None, and a warning, if it is not one."""
    # A malformed entry means "not available", never a crashed handler.
    try:
        data = json.loads(value)
        heartbeat_at = datetime.fromisoformat(data["heartbeat_at"])
        # An entry written before `since` was kept dates its status from its last heartbeat.
        since = datetime.fromisoformat(data.get("since", data["heartbeat_at"]))
        entry: PresenceEntry | None = PresenceEntry(data["status"], since, heartbeat_at,
                                                    data.get("connection", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        entry = None
    if (entry is None or not isinstance(entry.status, str)
            or not isinstance(entry.connection, str)
            or entry.since.tzinfo is None or entry.heartbeat_at.tzinfo is None):
        log.warning("unreadable presence entry ignored")
        return None
    return entry


# Each script is one read-modify-write, so a heartbeat, a disconnect and an away never
# interleave. Each starts by reading the entry; cjson keeps the fields a script does not touch.
_READ = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local ok, entry = false, nil
if raw then ok, entry = pcall(cjson.decode, raw) end
local readable = ok and type(entry) == 'table'
"""

_TOUCH = _READ + """
if readable and entry.status ~= 'offline' then
  entry.heartbeat_at = ARGV[2]
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""

_RELEASE = _READ + """
if not raw then return 0 end
if readable and (entry.connection ~= ARGV[2] or entry.status == 'offline') then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""

_AWAY_AS_OF = _READ + """
if not readable then return 0 end
if entry.status == 'away' then return 1 end
if entry.status ~= 'available' then return 0 end
local since = entry.since or entry.heartbeat_at
if type(since) == 'string' and since >= ARGV[2] then return 0 end
entry.status = 'away'
entry.since = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
return 1
"""


@contextmanager
def _reachable() -> Iterator[None]:
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError) as exc:
        raise PresenceUnavailable(repr(exc)) from exc


class ValkeyPresence:
    """Presence in one Valkey/Redis hash, shared by every gateway replica and the workflow."""

    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._key = presence_key(namespace)
        self._touch = redis.register_script(_TOUCH)
        self._release = redis.register_script(_RELEASE)
        self._away_as_of = redis.register_script(_AWAY_AS_OF)

    async def connect(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> None:
        await self._put(reviewer_id, PresenceEntry(AVAILABLE, now, now, connection))

    async def touch(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> bool:
        fresh = _encode(PresenceEntry(AVAILABLE, now, now, connection))
        with _reachable():
            return bool(await self._touch(keys=[self._key],
                                          args=[str(reviewer_id), _stamp(now), fresh]))

    async def release(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> bool:
        gone = _encode(PresenceEntry(OFFLINE, now, now, connection))
        with _reachable():
            return bool(await self._release(keys=[self._key],
                                            args=[str(reviewer_id), connection, gone]))

    async def set_status(self, reviewer_id: uuid.UUID, connection: str,
                         status: Literal["available", "away"], now: datetime) -> None:
        await self._put(reviewer_id, PresenceEntry(status, now, now, connection))

    async def away_as_of(self, reviewer_id: uuid.UUID, decided_at: datetime) -> bool:
        with _reachable():
            return bool(await self._away_as_of(keys=[self._key],
                                               args=[str(reviewer_id), _stamp(decided_at)]))

    async def get(self, reviewer_id: uuid.UUID) -> PresenceEntry | None:
        with _reachable():
            value = await self._redis.hget(self._key, str(reviewer_id))
        return None if value is None else _decode(value)

    async def entries(self) -> dict[uuid.UUID, PresenceEntry]:
        with _reachable():
            raw = await self._redis.hgetall(self._key)
        found: dict[uuid.UUID, PresenceEntry] = {}
        for field, value in raw.items():
            reviewer_id, entry = _reviewer_of(field), _decode(value)
            if reviewer_id is not None and entry is not None:
                found[reviewer_id] = entry
        return found

    async def _put(self, reviewer_id: uuid.UUID, entry: PresenceEntry) -> None:
        with _reachable():
            await self._redis.hset(self._key, str(reviewer_id), _encode(entry))


def _reviewer_of(field: bytes | str) -> uuid.UUID | None:
    try:
        return uuid.UUID(field.decode() if isinstance(field, bytes) else field)
    except ValueError:
        return None

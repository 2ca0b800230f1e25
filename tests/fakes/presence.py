"""Presence in a dict, held to the same contract as the Valkey adapter."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from infra.presence import AVAILABLE, AWAY, OFFLINE, PresenceEntry


class InMemoryPresence:
    """One process's presence: for tests of the gateway's and the workflow's own logic."""

    def __init__(self) -> None:
        self._entries: dict[uuid.UUID, PresenceEntry] = {}

    async def connect(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> None:
        self._entries[reviewer_id] = PresenceEntry(AVAILABLE, now, now, connection)

    async def touch(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> bool:
        entry = self._entries.get(reviewer_id)
        if entry is not None and entry.status != OFFLINE:
            self._entries[reviewer_id] = PresenceEntry(entry.status, entry.since, now,
                                                       entry.connection)
            return False
        self._entries[reviewer_id] = PresenceEntry(AVAILABLE, now, now, connection)
        return True

    async def release(self, reviewer_id: uuid.UUID, connection: str, now: datetime) -> bool:
        entry = self._entries.get(reviewer_id)
        if entry is None or entry.connection != connection or entry.status == OFFLINE:
            return False
        self._entries[reviewer_id] = PresenceEntry(OFFLINE, now, now, connection)
        return True

    async def set_status(self, reviewer_id: uuid.UUID, connection: str,
                         status: Literal["available", "away"], now: datetime) -> None:
        self._entries[reviewer_id] = PresenceEntry(status, now, now, connection)

    async def away_as_of(self, reviewer_id: uuid.UUID, decided_at: datetime) -> bool:
        entry = self._entries.get(reviewer_id)
        if entry is None or entry.status not in {AVAILABLE, AWAY}:
            return False
        if entry.status == AVAILABLE:
            if entry.since >= decided_at:
                return False
            self._entries[reviewer_id] = PresenceEntry(AWAY, decided_at, entry.heartbeat_at,
                                                       entry.connection)
        return True

    async def get(self, reviewer_id: uuid.UUID) -> PresenceEntry | None:
        return self._entries.get(reviewer_id)

    async def entries(self) -> dict[uuid.UUID, PresenceEntry]:
        return dict(self._entries)

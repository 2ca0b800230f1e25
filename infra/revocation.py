"""Access tokens refused before they expire: what a revocation says and the list a replica keeps.

A revocation names one login (logout) or every token of a user issued before a time (disable,
password change, role change). It lasts as long as the tokens it refuses could: one access
token lifetime. Each replica keeps the live ones in memory, so checking a token costs no I/O.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from infra.auth import VerifiedToken, milliseconds
from infra.clock import Clock


@dataclass(frozen=True)
class Revocation:
    """Refuse the tokens of `user_id`: of login `session` only, or all issued before `at`."""

    user_id: uuid.UUID
    at: datetime
    until: datetime
    session: str | None = None

    @classmethod
    def of_user(cls, user_id: uuid.UUID, now: datetime, ttl: timedelta) -> Revocation:
        """Every token of the user issued until `now` (disable, password change)."""
        return cls(user_id, _to_millisecond(now), now + ttl)

    @classmethod
    def of_session(cls, user_id: uuid.UUID, session: str, now: datetime,
                   ttl: timedelta) -> Revocation:
        """Every token of one login (logout)."""
        return cls(user_id, _to_millisecond(now), now + ttl, session)

    def refuses(self, token: VerifiedToken) -> bool:
        if token.principal.user_id != self.user_id:
            return False
        if self.session is not None:
            return token.session == self.session
        return token.issued_at < self.at

    @property
    def key(self) -> str:
        """What a later revocation of the same thing replaces."""
        return f"session:{self.session}" if self.session else f"user:{self.user_id}"

    def to_json(self) -> str:
        return json.dumps({"user_id": str(self.user_id), "at": self.at.timestamp(),
                           "until": self.until.timestamp(), "session": self.session})

    @classmethod
    def from_json(cls, text: str | bytes) -> Revocation:
        """The revocation; ValueError (or KeyError, TypeError) if the text is not one."""
        data = json.loads(text)
        session = data.get("session")
        return cls(uuid.UUID(str(data["user_id"])),
                   datetime.fromtimestamp(float(data["at"]), tz=UTC),
                   datetime.fromtimestamp(float(data["until"]), tz=UTC),
                   str(session) if session else None)


def _to_millisecond(moment: datetime) -> datetime:
    # Tokens carry their issue time to the millisecond; one issued in the same millisecond as
    # the revocation (the new session of a password change) is not refused by it.
    return datetime.fromtimestamp(milliseconds(moment), tz=UTC)


class RevocationList:
    """The revocations still in force, by key; expired ones are dropped as they are met."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._by_key: dict[str, Revocation] = {}
        self._by_user: dict[uuid.UUID, set[str]] = {}

    def add(self, revocation: Revocation) -> None:
        earlier = self._by_key.get(revocation.key)
        # A user-wide revocation only moves forward: a late copy of an older one changes nothing.
        if earlier is not None and earlier.at > revocation.at:
            return
        self._by_key[revocation.key] = revocation
        self._by_user.setdefault(revocation.user_id, set()).add(revocation.key)

    def refuses(self, token: VerifiedToken) -> bool:
        keys = self._by_user.get(token.principal.user_id)
        if not keys:
            return False
        now = self._clock.now()
        refused = False
        for key in list(keys):
            revocation = self._by_key[key]
            if revocation.until < now:
                del self._by_key[key]
                keys.discard(key)
            elif revocation.refuses(token):
                refused = True
        if not keys:
            del self._by_user[token.principal.user_id]
        return refused

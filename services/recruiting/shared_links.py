"""The rules of shared links, with no I/O: tokens, their expiry and what a viewer sees.

A shared link lets someone without an account read one candidate's profile and match for one
job. Its token is the link's id and expiry under an HMAC-SHA256 of a server secret: a token
that was altered or never issued is refused before anything is looked up; an expired or
revoked link is gone (410), as the store says, whatever the token claims.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

# What tells who the candidate is: hidden from a viewer when the company chooses.
PERSONAL_FIELDS = ("name", "email", "phone", "address", "links")
# The explanations quote the resume, which may name the candidate, their employers or places.
HIDEABLE_FIELDS = (*PERSONAL_FIELDS, "explanation")
# A link hides every personal field unless the company names which to hide.
DEFAULT_HIDDEN = PERSONAL_FIELDS

_CONTEXT = b"jams.recruiting.shared-link\x1f"
_PAYLOAD = struct.Struct(">16sq")  # link id, expiry (seconds since the epoch)
_MAC_BYTES = 32


class BadToken(ValueError):
    """A token this service did not issue: malformed, altered or signed with another key."""


@dataclass(frozen=True)
class LinkToken:
    link_id: uuid.UUID
    expires_at: datetime


def link_key(secret: str) -> bytes:
    """The signing key of links, apart from any other use of the same secret."""
    return hmac.new(secret.encode(), b"jams.recruiting.shared-link-key", hashlib.sha256).digest()


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, _CONTEXT + payload, hashlib.sha256).digest()


def sign(key: bytes, link_id: uuid.UUID, expires_at: datetime) -> str:
    payload = _PAYLOAD.pack(link_id.bytes, int(expires_at.timestamp()))
    return base64.urlsafe_b64encode(payload + _mac(key, payload)).decode().rstrip("=")


def verify(key: bytes, token: str) -> LinkToken:
    """The link a token names; BadToken for any token not signed with `key`."""
    if len(token) > 200 or not token.isascii():
        raise BadToken("not a link token")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise BadToken("not a link token") from None
    if len(raw) != _PAYLOAD.size + _MAC_BYTES:
        raise BadToken("not a link token")
    payload, mac = raw[:_PAYLOAD.size], raw[_PAYLOAD.size:]
    if not hmac.compare_digest(mac, _mac(key, payload)):
        raise BadToken("not a link token")
    link_bytes, expires = _PAYLOAD.unpack(payload)
    return LinkToken(uuid.UUID(bytes=link_bytes), datetime.fromtimestamp(expires, UTC))


def expiry(now: datetime, expires_in_s: int) -> datetime:
    """When a link made now ends; whole seconds, as its token carries it."""
    return (now + timedelta(seconds=expires_in_s)).replace(microsecond=0)


class LinkState(StrEnum):
    LIVE = "live"
    EXPIRED = "expired"
    REVOKED = "revoked"


def state(expires_at: datetime, revoked_at: datetime | None, now: datetime) -> LinkState:
    if revoked_at is not None:
        return LinkState.REVOKED
    return LinkState.EXPIRED if now >= expires_at else LinkState.LIVE


def hidden_fields(chosen: Iterable[str] | None) -> list[str]:
    """The fields a link hides, in a stable order; ValueError for one that cannot be hidden."""
    wanted = set(DEFAULT_HIDDEN if chosen is None else chosen)
    if unknown := wanted - set(HIDEABLE_FIELDS):
        raise ValueError(f"these fields cannot be hidden: {sorted(unknown)}")
    return [name for name in HIDEABLE_FIELDS if name in wanted]


def shown(profile: Mapping[str, Any], hidden: Iterable[str]) -> dict[str, Any]:
    """The profile without the hidden fields: they are left out, not blanked, so nothing of
    them (not even whether the candidate has one) reaches the viewer."""
    left_out = set(hidden)
    return {name: value for name, value in profile.items() if name not in left_out}

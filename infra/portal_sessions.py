"""Candidates' portal sessions at rest: sealed with AES-GCM under a named key, in the blob store.

The gateway seals a session it is handed and the bot opens it for a visit; both hold the same
keyring. Each sealed blob names the key that sealed it, so keys can be rotated: every key of
the ring opens what it sealed, and new seals use the current one. The candidate and portal are
bound in as associated data, so a blob copied to another candidate's key does not open.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr

_MAGIC = b"JPS1"
_NONCE_BYTES = 12
_KEY_BYTES = 32
KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
PORTAL = re.compile(r"^[a-z0-9][a-z0-9.-]{0,99}$")


class SessionSealError(ValueError):
    """A sealed session that cannot be opened (unknown key, tampered, another owner's)."""


def session_folder(candidate_id: uuid.UUID) -> str:
    """Every portal session of one candidate, for erasure."""
    return f"portal-sessions/{candidate_id}/"


def session_blob_key(candidate_id: uuid.UUID, portal: str) -> str:
    if not PORTAL.match(portal):
        raise ValueError(f"not a portal name: {portal!r}")
    return f"{session_folder(candidate_id)}{portal}.sealed"


def decode_key(text: str) -> bytes:
    """A 256-bit key from its base64 (standard or URL-safe, padding optional)."""
    padded = text.strip() + "=" * (-len(text.strip()) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("a portal session key is 32 bytes in base64") from exc
    if len(raw) != _KEY_BYTES:
        raise ValueError("a portal session key is 32 bytes in base64")
    return raw


@dataclass(frozen=True)
class Sealed:
    """What opening a sealed session gave, and whether it was sealed under an old key."""

    content: bytes
    key_id: str
    stale: bool


class Keyring:
    """The session keys by id, and the id that seals new sessions."""

    def __init__(self, keys: Mapping[str, bytes], current: str) -> None:
        if current not in keys:
            raise ValueError(f"the current portal session key {current!r} is not in the ring")
        for key_id, key in keys.items():
            if not KEY_ID.match(key_id) or len(key) != _KEY_BYTES:
                raise ValueError(f"portal session key {key_id!r} is not a 32-byte key")
        self._keys = dict(keys)
        self.current = current

    @staticmethod
    def _context(candidate_id: uuid.UUID, portal: str) -> bytes:
        return f"jams.portal-session\x1f{candidate_id}\x1f{portal}".encode()

    def seal(self, content: bytes, candidate_id: uuid.UUID, portal: str) -> bytes:
        """`content` encrypted under the current key, with the key's id in front."""
        nonce = os.urandom(_NONCE_BYTES)
        key_id = self.current.encode()
        sealed = AESGCM(self._keys[self.current]).encrypt(
            nonce, content, self._context(candidate_id, portal))
        return _MAGIC + bytes([len(key_id)]) + key_id + nonce + sealed

    def open(self, blob: bytes, candidate_id: uuid.UUID, portal: str) -> Sealed:
        if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + 1:
            raise SessionSealError("not a sealed portal session")
        length = blob[len(_MAGIC)]
        start = len(_MAGIC) + 1
        key_id = blob[start:start + length].decode("ascii", errors="replace")
        nonce = blob[start + length:start + length + _NONCE_BYTES]
        key = self._keys.get(key_id)
        if key is None:
            raise SessionSealError(f"sealed under key {key_id!r}, which the ring no longer has")
        try:
            content = AESGCM(key).decrypt(nonce, blob[start + length + _NONCE_BYTES:],
                                          self._context(candidate_id, portal))
        except InvalidTag:
            raise SessionSealError("the sealed session does not open: altered, or not "
                                   "this candidate's") from None
        return Sealed(content, key_id, stale=key_id != self.current)

    def reseal(self, blob: bytes, candidate_id: uuid.UUID, portal: str) -> bytes | None:
        """The blob sealed again under the current key; None when it already is."""
        opened = self.open(blob, candidate_id, portal)
        return self.seal(opened.content, candidate_id, portal) if opened.stale else None


def keyring_of(keys: Mapping[str, SecretStr], current: str) -> Keyring | None:
    """The ring the settings describe; None when no key seals new sessions."""
    if not current:
        return None
    return Keyring({key_id: decode_key(key.get_secret_value()) for key_id, key in keys.items()},
                   current)

"""Candidates' portal sessions as the bot uses them: opened from the blob store for a visit,
sealed again under the current key when an old one sealed them, erased with the candidate.

The session's content is never logged: only that one was or was not usable, and why.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from infra.blobs import BlobStore
from infra.portal_sessions import Keyring, SessionSealError, session_blob_key, session_folder

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PortalSession:
    """A candidate's Playwright storage state for one portal, and which sealed file it was."""

    storage_state: dict[str, Any]
    fingerprint: str


class SessionSource(Protocol):
    async def session(self, candidate_id: uuid.UUID, portal: str) -> PortalSession | None:
        """The candidate's session on `portal`, if one was handed over and opens."""
        ...

    async def fingerprint(self, candidate_id: uuid.UUID, portal: str) -> str | None:
        """Which sealed session is stored now; None when there is none."""
        ...


class NoSessions:
    """No candidate ever signed in: for tools and tests that apply without sessions."""

    async def session(self, candidate_id: uuid.UUID, portal: str) -> PortalSession | None:
        return None

    async def fingerprint(self, candidate_id: uuid.UUID, portal: str) -> str | None:
        return None


class SessionVault:
    """Sealed sessions in the blob store, where the gateway put them."""

    def __init__(self, blobs: BlobStore, keyring: Keyring) -> None:
        self._blobs = blobs
        self._keyring = keyring

    async def _sealed(self, candidate_id: uuid.UUID, portal: str) -> bytes | None:
        try:
            return await self._blobs.get(session_blob_key(candidate_id, portal))
        except (FileNotFoundError, ValueError):
            return None

    async def fingerprint(self, candidate_id: uuid.UUID, portal: str) -> str | None:
        sealed = await self._sealed(candidate_id, portal)
        return None if sealed is None else hashlib.sha256(sealed).hexdigest()

    async def session(self, candidate_id: uuid.UUID, portal: str) -> PortalSession | None:
        sealed = await self._sealed(candidate_id, portal)
        if sealed is None:
            return None
        try:
            opened = self._keyring.open(sealed, candidate_id, portal)
            state = json.loads(opened.content)
        except (SessionSealError, ValueError) as exc:
            log.warning("portal session unusable", portal=portal, error=str(exc)[:200])
            return None
        if not isinstance(state, dict):
            log.warning("portal session unusable", portal=portal, error="not an object")
            return None
        if opened.stale:
            await self._upgrade(sealed, candidate_id, portal, opened.key_id)
        return PortalSession(state, hashlib.sha256(sealed).hexdigest())

    async def _upgrade(self, sealed: bytes, candidate_id: uuid.UUID, portal: str,
                       old_key: str) -> None:
        """Seal it again under the current key, unless a new session replaced it meanwhile."""
        resealed = self._keyring.reseal(sealed, candidate_id, portal)
        if resealed is None or await self._sealed(candidate_id, portal) != sealed:
            return
        await self._blobs.put(session_blob_key(candidate_id, portal), resealed)
        log.info("portal session sealed again under the current key", portal=portal,
                 old_key=old_key, key=self._keyring.current)


async def erase_sessions(blobs: BlobStore, candidate_id: uuid.UUID) -> None:
    """Every sealed session of the candidate (the gateway erases them too; a session handed
    over while the erasure ran is caught here)."""
    await blobs.delete_folder(session_folder(candidate_id))

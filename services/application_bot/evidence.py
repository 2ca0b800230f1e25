"""Evidence of each application in the blob store, under `evidence/<application_id>/`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

import structlog

from infra.blobs import BlobStore
from services.application_bot.adapters.kit.visit import PageEvidence
from services.application_bot.screening import RecordedAnswer

log = structlog.get_logger(__name__)

MANIFEST = "manifest.json"


def evidence_prefix(application_id: uuid.UUID) -> str:
    return f"evidence/{application_id}"


def manifest_key(application_id: uuid.UUID) -> str:
    """The key an ApplicationSubmitted names: the manifest of a confirmed application."""
    return f"{evidence_prefix(application_id)}/{MANIFEST}"


class EvidenceStore:
    """Writes what the portal showed; the manifest goes last, so it means 'all is saved'."""

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs

    async def save_confirmation(
        self, application_id: uuid.UUID, confirmation: str, page: PageEvidence | None,
        captured_at: datetime, *, sent: Mapping[str, str] | None = None,
        answers: Sequence[RecordedAnswer] = (),
    ) -> str | None:
        """Store the confirmation page and its manifest; its key, or None if storing failed."""
        prefix = evidence_prefix(application_id)
        files: dict[str, str] = {}
        try:
            if page is not None:
                files["html"] = await self._put(f"{prefix}/confirmation.html", page.html.encode())
                files["screenshot"] = await self._put(f"{prefix}/confirmation.png",
                                                      page.screenshot)
            return await self._manifest(application_id, {
                "source": "confirmation_page", "confirmation": confirmation,
                "page_url": page.url if page else None, "files": files,
                # What was sent, and where each screening answer came from.
                "sent": dict(sent or {}), "answers": [asdict(answer) for answer in answers],
                "captured_at": captured_at.isoformat(),
            })
        except (OSError, ValueError) as exc:
            # The portal confirmed: losing the pictures must not lose the application.
            log.error("could not store evidence", error=str(exc))
            return None

    async def save_portal_record(
        self, application_id: uuid.UUID, confirmation: str, record: dict[str, Any],
        captured_at: datetime,
    ) -> str | None:
        """After a crash: the portal's own record of the application is the evidence."""
        try:
            return await self._manifest(application_id, {
                "source": "portal_ledger", "confirmation": confirmation,
                "portal_record": record, "captured_at": captured_at.isoformat(),
            })
        except (OSError, ValueError) as exc:
            log.error("could not store evidence", error=str(exc))
            return None

    async def save_failed_visit(
        self, application_id: uuid.UUID, attempt: int, page: PageEvidence
    ) -> None:
        """What a page that did not take the application looked like, for operators."""
        prefix = f"{evidence_prefix(application_id)}/attempt-{attempt}"
        try:
            await self._blobs.put(f"{prefix}/page.html", page.html.encode())
            await self._blobs.put(f"{prefix}/page.png", page.screenshot)
        except (OSError, ValueError) as exc:
            log.warning("could not store evidence of a failed visit", error=str(exc))

    async def saved_confirmation(self, application_id: uuid.UUID) -> tuple[str, str] | None:
        """(confirmation, manifest key) if a confirmation was saved before a crash."""
        key = manifest_key(application_id)
        if not await self._blobs.exists(key):
            return None
        manifest = json.loads(await self._blobs.get(key))
        return str(manifest.get("confirmation") or ""), key

    async def _put(self, key: str, content: bytes) -> str:
        await self._blobs.put(key, content)
        return key

    async def _manifest(self, application_id: uuid.UUID, body: dict[str, Any]) -> str:
        key = manifest_key(application_id)
        body = {"application_id": str(application_id), **body}
        await self._blobs.put(key, json.dumps(body, indent=2, sort_keys=True).encode())
        return key

"""The text of a resume file in the blob store, for the reviewer's editor."""

from __future__ import annotations

import asyncio

import structlog

from infra.blobs import BlobStore
from infra.resume_files import Limits, clean, extract, kind_of

log = structlog.get_logger(__name__)


class BlobResumeText:
    """Reads a resume version's file and extracts its text (PDF, DOCX or plain text)."""

    def __init__(self, blobs: BlobStore, limits: Limits | None = None) -> None:
        self._blobs = blobs
        self._limits = limits or Limits()

    async def text(self, blob_key: str | None) -> str | None:
        """The file's text, or None when there is no key or the file cannot be read.

        A task without its resume text is still worth offering, so nothing here raises; the
        page then starts the editor empty.
        """
        if not blob_key:
            return None
        try:
            content = await self._blobs.get(blob_key)
            # Parsing a PDF is CPU work: off the event loop, so sockets keep flowing.
            extracted = await asyncio.to_thread(extract, content, kind_of(blob_key), self._limits)
        except (OSError, ValueError) as exc:  # missing file, bad key, DocumentError
            # The key names a candidate; the file's content never reaches the log.
            log.warning("resume text unavailable", error=type(exc).__name__)
            return None
        return clean(extracted.text)

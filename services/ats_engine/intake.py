"""Resume uploads: check and parse first, then store an immutable version and announce it."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from infra.blobs import BlobStore
from infra.uow import UnitOfWork
from schemas.events.resumes import ResumeVersionCreated
from services.ats_engine.documents import kind_of, sniff
from services.ats_engine.engine import Engine
from services.ats_engine.tables import resume_versions

RESUME_NAMESPACE = uuid.UUID("0b7d2c55-1f0e-4c1a-8f6e-4f7a8f1d2e3c")
_EXTENSION = {"pdf": "pdf", "docx": "docx", "text": "txt"}


@dataclass(frozen=True)
class Uploaded:
    event: ResumeVersionCreated
    new: bool


def version_id(candidate_id: uuid.UUID, digest: str) -> uuid.UUID:
    """The same bytes for the same candidate are the same version."""
    return uuid.uuid5(RESUME_NAMESPACE, f"{candidate_id}:{digest}")


async def upload_resume(
    uow: UnitOfWork, blobs: BlobStore, engine: Engine, candidate_id: uuid.UUID,
    filename: str, content: bytes, media_type: str | None = None,
    created_by: Literal["candidate", "reviewer", "seed"] = "candidate",
    task_id: uuid.UUID | None = None,
) -> Uploaded:
    """Store one upload as a resume version; DocumentError (nothing stored) on bad input."""
    claimed = kind_of(filename, media_type)
    engine.parse_file(content, claimed, uow.clock.now().date())  # raises before storing
    kind = sniff(content)
    digest = hashlib.sha256(content).hexdigest()
    the_version = version_id(candidate_id, digest)
    blob_key = f"resumes/{candidate_id}/{the_version}.{_EXTENSION[kind]}"
    event = ResumeVersionCreated(
        candidate_id=candidate_id, resume_version_id=the_version, blob_key=blob_key,
        content_sha256=digest, created_by=created_by, task_id=task_id,
    )
    async with uow.transaction() as tx:
        inserted = await tx.conn.execute(
            insert(resume_versions).values(
                resume_version_id=the_version, candidate_id=candidate_id, blob_key=blob_key,
                content_sha256=digest, kind=kind, filename=filename[:300],
                created_by=created_by, created_at=tx.clock.now(),
            ).on_conflict_do_nothing().returning(resume_versions.c.resume_version_id)
        )
        if inserted.first() is None:
            return Uploaded(event, new=False)  # the same file again: stored and announced before
        # Written before the commit: a failed commit leaves an unreferenced blob, never a
        # version without its file.
        await blobs.put(blob_key, content)
        tx.emit(event)
    return Uploaded(event, new=True)


async def known_versions(uow: UnitOfWork, candidate_id: uuid.UUID) -> list[uuid.UUID]:
    async with uow.transaction() as tx:
        rows = await tx.conn.execute(
            sa.select(resume_versions.c.resume_version_id)
            .where(resume_versions.c.candidate_id == candidate_id))
        return [row.resume_version_id for row in rows]

"""Resume versions: a checked file becomes one immutable version, announced once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from infra.blobs import BlobStore
from infra.resume_files import check_file, resume_blob_key, resume_version_id
from infra.uow import Transaction, UnitOfWork
from schemas.events.resumes import ResumeFileUploaded, ResumeVersionCreated
from services.ats_engine.candidate_handlers import is_erased
from services.ats_engine.engine import Engine
from services.ats_engine.tables import resume_versions

Creator = Literal["candidate", "reviewer", "seed"]


@dataclass(frozen=True)
class Uploaded:
    event: ResumeVersionCreated
    new: bool


async def create_version(tx: Transaction, event: ResumeVersionCreated, kind: str,
                         filename: str) -> bool:
    """Record the version and announce it; False (nothing emitted) if it exists already."""
    inserted = await tx.conn.execute(
        insert(resume_versions).values(
            resume_version_id=event.resume_version_id, candidate_id=event.candidate_id,
            blob_key=event.blob_key, content_sha256=event.content_sha256, kind=kind,
            filename=filename[:300], created_by=event.created_by, created_at=tx.clock.now(),
        ).on_conflict_do_nothing().returning(resume_versions.c.resume_version_id)
    )
    if inserted.first() is None:
        return False
    tx.emit(event)
    return True


async def on_file_uploaded(event: ResumeFileUploaded, tx: Transaction) -> None:
    """The gateway checked and stored the file: make it a version, once per content."""
    if await is_erased(tx, event.candidate_id):
        return  # uploaded just before the erasure, which took the file
    await create_version(tx, ResumeVersionCreated(
        candidate_id=event.candidate_id, resume_version_id=event.resume_version_id,
        blob_key=event.blob_key, content_sha256=event.content_sha256,
        created_by=event.created_by, task_id=event.task_id), event.kind, event.filename)


async def upload_resume(
    uow: UnitOfWork, blobs: BlobStore, engine: Engine, candidate_id: uuid.UUID,
    filename: str, content: bytes, media_type: str | None = None,
    created_by: Creator = "candidate", task_id: uuid.UUID | None = None,
) -> Uploaded:
    """Store one file as a resume version (CLI and seed); DocumentError, nothing stored, on
    bad input."""
    checked = check_file(content, filename, media_type, engine.limits)
    the_version = resume_version_id(candidate_id, checked.sha256)
    event = ResumeVersionCreated(
        candidate_id=candidate_id, resume_version_id=the_version,
        blob_key=resume_blob_key(candidate_id, the_version, checked.extension),
        content_sha256=checked.sha256, created_by=created_by, task_id=task_id,
    )
    # Written before the commit: a failed commit leaves an unreferenced blob, never a version
    # without its file. The key is the content's, so a retry rewrites the same bytes.
    await blobs.put(event.blob_key, content)
    async with uow.transaction() as tx:
        new = await create_version(tx, event, checked.kind, filename)
    return Uploaded(event, new)


async def known_versions(uow: UnitOfWork, candidate_id: uuid.UUID) -> list[uuid.UUID]:
    async with uow.transaction() as tx:
        rows = await tx.conn.execute(
            sa.select(resume_versions.c.resume_version_id)
            .where(resume_versions.c.candidate_id == candidate_id))
        return [row.resume_version_id for row in rows]

"""Seed candidates: store each resume as a version and announce it, once."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field

from infra.blobs import BlobStore
from infra.uow import UnitOfWork
from schemas.events.resumes import ResumeVersionCreated
from services.ats_engine.tables import candidates

RESUME_NAMESPACE = uuid.UUID("0b7d2c55-1f0e-4c1a-8f6e-4f7a8f1d2e3c")


class SeedCandidate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    candidate_id: uuid.UUID
    resume: str = Field(min_length=1)


class SeedFile(BaseModel):
    candidates: list[SeedCandidate]


def load_seed(path: Path) -> list[SeedCandidate]:
    """Read and validate the seed file; a clear error names the file on bad content."""
    try:
        return SeedFile.model_validate(json.loads(path.read_text())).candidates
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot load candidates seed {path}: {exc}") from exc


async def seed_candidates(seed: list[SeedCandidate], blobs: BlobStore, uow: UnitOfWork) -> int:
    """Announce resume versions not yet known; returns how many were new."""
    created = 0
    for candidate in seed:
        content = candidate.resume.encode()
        digest = hashlib.sha256(content).hexdigest()
        version_id = uuid.uuid5(RESUME_NAMESPACE, f"{candidate.candidate_id}:{digest}")
        blob_key = f"resumes/{candidate.candidate_id}/{version_id}.txt"
        async with uow.transaction() as tx:
            known = await tx.conn.scalar(
                sa.select(sa.func.count()).where(candidates.c.resume_version_id == version_id)
            )
            if known:
                continue
            await blobs.put(blob_key, content)
            tx.emit(ResumeVersionCreated(
                candidate_id=candidate.candidate_id, resume_version_id=version_id,
                blob_key=blob_key, content_sha256=digest, created_by="seed",
            ))
            created += 1
    return created

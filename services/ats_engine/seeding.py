"""Seed candidates: their preferences, and each resume stored as a version and announced once."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects.postgresql import insert

from infra.blobs import BlobStore
from infra.uow import UnitOfWork
from services.ats_engine.candidate_handlers import is_erased
from services.ats_engine.engine import Engine
from services.ats_engine.filters import Preferences
from services.ats_engine.intake import upload_resume
from services.ats_engine.tables import preferences


class SeedCandidate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    candidate_id: uuid.UUID
    resume: str = Field(min_length=1)
    preferences: Preferences = Preferences()


class SeedFile(BaseModel):
    candidates: list[SeedCandidate]


def load_seed(path: Path) -> list[SeedCandidate]:
    """Read and validate the seed file; a clear error names the file on bad content."""
    try:
        return SeedFile.model_validate(json.loads(path.read_text())).candidates
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot load candidates seed {path}: {exc}") from exc


async def seed_candidates(seed: list[SeedCandidate], blobs: BlobStore, uow: UnitOfWork,
                          engine: Engine) -> int:
    """Announce resume versions not yet known; returns how many were new."""
    created = 0
    for candidate in seed:
        async with uow.transaction() as tx:
            if await is_erased(tx, candidate.candidate_id):
                continue  # the seed file does not bring an erased candidate back
            statement = insert(preferences).values(
                candidate_id=candidate.candidate_id,
                preferences=candidate.preferences.model_dump(mode="json"))
            await tx.conn.execute(statement.on_conflict_do_update(
                index_elements=[preferences.c.candidate_id],
                set_={"preferences": statement.excluded.preferences}))
        uploaded = await upload_resume(uow, blobs, engine, candidate.candidate_id, "resume.txt",
                                       candidate.resume.encode(), created_by="seed")
        created += uploaded.new
    return created

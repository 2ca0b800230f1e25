"""Candidates' contact details: read from the seed file until a candidate service owns them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from services.application_bot.domain import Applicant


class CandidateDirectory(Protocol):
    async def applicant(self, candidate_id: uuid.UUID) -> Applicant | None:
        """The candidate's contact details, or None for an unknown candidate."""
        ...


class _SeedCandidate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    candidate_id: uuid.UUID
    first_name: str = Field(min_length=1, max_length=200)
    last_name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320)
    phone: str = Field(default="", max_length=50)


class _SeedFile(BaseModel):
    candidates: list[_SeedCandidate]


class SeedCandidateDirectory:
    """Contact details from `sandbox/seed/candidates.json`, read once."""

    def __init__(self, path: Path) -> None:
        try:
            seed = _SeedFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot load candidates seed {path}: {exc}") from exc
        self._by_id = {
            c.candidate_id: Applicant(c.first_name, c.last_name, c.email, c.phone)
            for c in seed.candidates
        }

    async def applicant(self, candidate_id: uuid.UUID) -> Applicant | None:
        return self._by_id.get(candidate_id)

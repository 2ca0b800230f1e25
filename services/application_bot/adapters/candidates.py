"""Candidates' contact details: read from the seed file until a candidate service owns them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from services.application_bot.domain import Applicant
from services.application_bot.limits import Limits
from services.application_bot.screening import bank_of


class CandidateDirectory(Protocol):
    async def applicant(self, candidate_id: uuid.UUID) -> Applicant | None:
        """The candidate's contact details, or None for an unknown candidate."""
        ...


class _SeedFact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keywords: list[str] = Field(min_length=1, max_length=20)
    answer: str = Field(min_length=1, max_length=1000)
    source: str = Field(min_length=1, max_length=500)


class _SeedPreferences(BaseModel):
    model_config = ConfigDict(extra="ignore")

    daily_cap: int | None = Field(default=None, ge=0, le=10_000)
    portal_daily_caps: dict[str, int] = Field(default_factory=dict)
    blacklist: list[str] = Field(default_factory=list, max_length=10_000)


class _SeedCandidate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    candidate_id: uuid.UUID
    first_name: str = Field(min_length=1, max_length=200)
    last_name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320)
    phone: str = Field(default="", max_length=50)
    answers: list[_SeedFact] = Field(default_factory=list, max_length=500)
    preferences: _SeedPreferences = Field(default_factory=_SeedPreferences)


class _SeedFile(BaseModel):
    candidates: list[_SeedCandidate]


class SeedCandidateDirectory:
    """Contact details from a seed file (the sandbox's `sandbox/seed/candidates.json`), read
    once; none without a file."""

    def __init__(self, path: Path | None) -> None:
        try:
            seed = _SeedFile.model_validate(
                json.loads(path.read_text(encoding="utf-8")) if path else {"candidates": []})
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot load candidates seed {path}: {exc}") from exc
        self._by_id = {
            c.candidate_id: Applicant(c.first_name, c.last_name, c.email, c.phone,
                                      bank_of((f.keywords, f.answer, f.source)
                                              for f in c.answers),
                                      Limits(c.preferences.daily_cap,
                                             dict(c.preferences.portal_daily_caps),
                                             frozenset(c.preferences.blacklist)))
            for c in seed.candidates
        }

    async def applicant(self, candidate_id: uuid.UUID) -> Applicant | None:
        return self._by_id.get(candidate_id)

"""Candidates' contact details (name, e-mail, phone, address, links) for the shared view.

No service announces them to recruiting yet: until one does, they come from the seed file of
candidates (`JAMS_CANDIDATES_SEED`, the application bot's source of them too), else none are
known. The fields a company hides stay hidden whatever a source gives.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field


class Contacts(Protocol):
    async def contact(self, candidate_id: uuid.UUID) -> Mapping[str, Any]:
        """The candidate's personal fields by name (those of PERSONAL_FIELDS); {} if unknown."""
        ...


class NoContacts:
    async def contact(self, candidate_id: uuid.UUID) -> Mapping[str, Any]:
        return {}


class _SeedCandidate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    candidate_id: uuid.UUID
    first_name: str = Field(max_length=200)
    last_name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=500)
    links: list[str] = Field(default_factory=list, max_length=20)


class _SeedFile(BaseModel):
    candidates: list[_SeedCandidate]


class SeedContacts:
    """Contact details from a seed file, read once."""

    def __init__(self, path: Path) -> None:
        try:
            seed = _SeedFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot load candidates seed {path}: {exc}") from exc
        self._by_id = {c.candidate_id: {
            "name": f"{c.first_name} {c.last_name}".strip(), "email": c.email,
            "phone": c.phone or None, "address": c.address, "links": c.links}
            for c in seed.candidates}

    async def contact(self, candidate_id: uuid.UUID) -> Mapping[str, Any]:
        return self._by_id.get(candidate_id, {})


def contacts_of(seed: Path | None) -> Contacts:
    return SeedContacts(seed) if seed is not None else NoContacts()

"""Candidates' contact details for shared links: from the seed file, else none."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from services.recruiting.contacts import NoContacts, SeedContacts, contacts_of
from services.sandbox_profile import SANDBOX_CANDIDATES

ADA = uuid.UUID("5b2c8a64-9d7e-4f51-a1c3-0a6e1f2b3c4d")


async def test_the_seed_candidates_contact_details_are_known_by_id() -> None:
    contacts = contacts_of(SANDBOX_CANDIDATES)
    assert isinstance(contacts, SeedContacts)
    ada = await contacts.contact(ADA)
    assert (ada["name"], ada["email"], ada["phone"]) == (
        "Ada Okafor", "ada.okafor@example.com", "+1 415 555 0101")
    assert await contacts.contact(uuid.uuid4()) == {}


async def test_without_a_seed_nobody_is_known() -> None:
    contacts = contacts_of(None)
    assert isinstance(contacts, NoContacts)
    assert await contacts.contact(ADA) == {}


def test_a_broken_seed_stops_the_start(tmp_path: Path) -> None:
    broken = tmp_path / "candidates.json"
    broken.write_text('{"candidates": [{"candidate_id": "not an id"}]}', encoding="utf-8")
    with pytest.raises(ValueError, match="cannot load candidates seed"):
        SeedContacts(broken)
    with pytest.raises(ValueError, match="cannot load candidates seed"):
        SeedContacts(tmp_path / "missing.json")

"""Candidates' contact details (name, e-mail, phone, address, links) for the shared view.

No service announces them to recruiting yet; until one does, the view shows none, and the
fields a company hides stay hidden whatever a source of them would give.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Protocol


class Contacts(Protocol):
    async def contact(self, candidate_id: uuid.UUID) -> Mapping[str, Any]:
        """The candidate's personal fields by name (those of PERSONAL_FIELDS); {} if unknown."""
        ...


class NoContacts:
    async def contact(self, candidate_id: uuid.UUID) -> Mapping[str, Any]:
        return {}

"""Parsed resumes kept in memory: a new job meets the same candidates again and again, and
parsing a resume (skills, dated roles) costs ten times more than scoring it."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from datetime import date

from services.ats_engine.engine import ParsedResume


class ParsedResumes:
    """Least-recently-used parsed resumes by (resume version, day).

    The day is part of the key because years of experience are counted up to today. A
    version's text never changes (a new text is a new version), so entries need no expiry.
    """

    def __init__(self, capacity: int = 50_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._entries: OrderedDict[tuple[uuid.UUID, date], ParsedResume] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, resume_version_id: uuid.UUID, today: date) -> ParsedResume | None:
        key = (resume_version_id, today)
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, resume_version_id: uuid.UUID, today: date, resume: ParsedResume) -> None:
        self._entries[(resume_version_id, today)] = resume
        self._entries.move_to_end((resume_version_id, today))
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)

    def holds(self, resume_version_id: uuid.UUID) -> bool:
        """Whether any day's entry of the version is kept."""
        return any(version == resume_version_id for version, _ in self._entries)

    def forget(self, resume_version_ids: set[uuid.UUID]) -> None:
        """Drop every day's entry of these versions (their candidate was erased)."""
        for key in [key for key in self._entries if key[0] in resume_version_ids]:
            del self._entries[key]

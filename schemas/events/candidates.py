"""Candidate profile commands and the erasure of a candidate's personal data."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from pydantic import Field

from schemas.events import topics
from schemas.events.envelope import EventData


class _CandidateMessage(EventData):
    TOPIC: ClassVar[str] = topics.CANDIDATES
    KEY_FIELD: ClassVar[str] = "candidate_id"

    candidate_id: uuid.UUID


class UpdateCandidatePreferences(_CandidateMessage):
    """Order: replace a candidate's job preferences (the ATS engine's hard filters)."""

    TYPE: ClassVar[str] = "jams.candidates.UpdateCandidatePreferences"
    DESCRIPTION: ClassVar[str] = "A candidate or admin changed the candidate's preferences."

    preferences: dict[str, Any] = Field(
        description="target_titles, locations, remote_ok, work_authorization, min_salary, "
                    "company_blacklist, daily_cap")
    actor_id: uuid.UUID | None = Field(default=None, description="Who asked for the change")


class UpdateAnswerBank(_CandidateMessage):
    """Order: replace a candidate's bank of verified screening answers."""

    TYPE: ClassVar[str] = "jams.candidates.UpdateAnswerBank"
    DESCRIPTION: ClassVar[str] = "A candidate or admin changed the candidate's answer bank."

    answers: list[dict[str, Any]] = Field(
        description="Facts: keywords (list of words), answer, source")
    actor_id: uuid.UUID | None = None


class CandidateErased(_CandidateMessage):
    """A candidate's personal data is to be erased everywhere; only ids remain."""

    TYPE: ClassVar[str] = "jams.candidates.CandidateErased"
    DESCRIPTION: ClassVar[str] = (
        "The candidate deleted their account: every service erases their personal data.")

    actor_id: uuid.UUID | None = None


class PortalSessionProvided(_CandidateMessage):
    """A candidate's logged-in session on a portal, sealed in the blob store."""

    TYPE: ClassVar[str] = "jams.candidates.PortalSessionProvided"
    DESCRIPTION: ClassVar[str] = (
        "A candidate or operator handed over the candidate's session on a portal; the bot "
        "applies in it and resumes applications that waited for it.")

    portal: str = Field(min_length=1, max_length=100, description="linkedin, indeed, ...")
    blob_key: str = Field(max_length=600,
                          description="Where the AES-GCM-sealed Playwright storage state is")
    actor_id: uuid.UUID | None = None

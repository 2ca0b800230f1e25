"""The employers' side: a candidate's place in an employer job's pipeline."""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from schemas.events import topics
from schemas.events.envelope import EventData


class CandidateStatusChanged(EventData):
    """Someone of the company moved a candidate in a job's pipeline."""

    TYPE: ClassVar[str] = "jams.recruiting.CandidateStatusChanged"
    TOPIC: ClassVar[str] = topics.RECRUITING
    KEY_FIELD: ClassVar[str] = "job_id"
    DESCRIPTION: ClassVar[str] = ("A recruiter, hiring manager or company admin set a candidate's "
                                  "status for an employer job: pending, shortlisted, maybe or "
                                  "rejected.")

    job_id: uuid.UUID
    candidate_id: uuid.UUID
    company_id: uuid.UUID
    job_title: str = Field(default="", max_length=500)
    status: Literal["pending", "shortlisted", "maybe", "rejected"]
    previous_status: Literal["pending", "shortlisted", "maybe", "rejected"]
    changed_by: uuid.UUID = Field(description="The user who changed it")
    changed_at: AwareDatetime


class NoteMentioned(EventData):
    """A note on a candidate mentioned members of its company for the first time."""

    TYPE: ClassVar[str] = "jams.recruiting.NoteMentioned"
    TOPIC: ClassVar[str] = topics.RECRUITING
    KEY_FIELD: ClassVar[str] = "job_id"
    DESCRIPTION: ClassVar[str] = ("Someone of a company wrote or edited a note on a candidate "
                                  "that mentions colleagues (@user id or @e-mail) not mentioned "
                                  "in it before; each of them is told once. The note's text "
                                  "stays in the recruiting service.")

    note_id: uuid.UUID
    revision: int = Field(ge=1, description="The note's revision that mentioned them")
    job_id: uuid.UUID
    candidate_id: uuid.UUID
    company_id: uuid.UUID
    job_title: str = Field(default="", max_length=500)
    author_id: uuid.UUID = Field(description="Who wrote the note")
    mentioned: list[uuid.UUID] = Field(
        min_length=1, max_length=100,
        description="Members of the company to tell, the author never among them")

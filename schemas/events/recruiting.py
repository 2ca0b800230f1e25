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

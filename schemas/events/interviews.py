"""The employers' side: interviews a company schedules with a candidate of one of its jobs.

Each event carries the interview as it now stands, with its `sequence` (0 when scheduled, one
more with each change): the calendar invitations sent for it share one UID, and a reader keeps
the highest sequence it has seen.
"""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from schemas.events import topics
from schemas.events.envelope import EventData


class InterviewDetails(EventData):
    """What every interview event says of the interview (no type of its own)."""

    KEY_FIELD: ClassVar[str] = "job_id"
    TOPIC: ClassVar[str] = topics.RECRUITING

    interview_id: uuid.UUID
    job_id: uuid.UUID
    candidate_id: uuid.UUID
    company_id: uuid.UUID
    company: str = Field(default="", max_length=300, description="The company's name")
    job_title: str = Field(default="", max_length=500)
    kind: Literal["phone", "video", "in_person"]
    starts_at: AwareDatetime
    time_zone: str = Field(max_length=64, description="IANA time zone it is held in")
    duration_min: int = Field(ge=1)
    location: str | None = Field(default=None, max_length=500)
    link: str | None = Field(default=None, max_length=2000)
    interviewer_ids: list[uuid.UUID]
    sequence: int = Field(ge=0, description="0 when scheduled, one more with each change")


class InterviewScheduled(InterviewDetails):
    TYPE: ClassVar[str] = "jams.recruiting.InterviewScheduled"
    DESCRIPTION: ClassVar[str] = ("A company scheduled an interview with a candidate of one of "
                                  "its jobs: the candidate and the interviewers are invited.")


class InterviewRescheduled(InterviewDetails):
    TYPE: ClassVar[str] = "jams.recruiting.InterviewRescheduled"
    DESCRIPTION: ClassVar[str] = ("A scheduled interview changed (time, time zone, duration, "
                                  "place, link or interviewers).")

    removed_interviewer_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Interviewers no longer on it: their invitation ends")


class InterviewCancelled(InterviewDetails):
    TYPE: ClassVar[str] = "jams.recruiting.InterviewCancelled"
    DESCRIPTION: ClassVar[str] = ("A scheduled interview was called off: by the company, "
                                  "because the candidate was rejected for the job, or because "
                                  "the candidate was erased.")

    reason: Literal["cancelled", "candidate_rejected", "candidate_erased"] = "cancelled"

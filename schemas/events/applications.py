"""Outcomes of the application bot."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import Field

from schemas.events import topics
from schemas.events.envelope import EventData


class _ApplicationEvent(EventData):
    TOPIC: ClassVar[str] = topics.APPLICATIONS
    KEY_FIELD: ClassVar[str] = "application_id"

    application_id: uuid.UUID = Field(description="Deterministic id of (candidate, canonical job)")
    candidate_id: uuid.UUID
    job_id: uuid.UUID


class ApplicationSubmitted(_ApplicationEvent):
    """The portal confirmed the application."""

    TYPE: ClassVar[str] = "jams.applications.ApplicationSubmitted"
    DESCRIPTION: ClassVar[str] = "An application was submitted and confirmed."

    resume_version_id: uuid.UUID
    confirmation: str = ""
    evidence_key: str | None = None


class ApplicationFailed(_ApplicationEvent):
    """The application could not be submitted."""

    TYPE: ClassVar[str] = "jams.applications.ApplicationFailed"
    DESCRIPTION: ClassVar[str] = "An application failed; the reason says whether a retry helps."

    reason: str
    retryable: bool = False


class ApplicationNeedsReview(_ApplicationEvent):
    """The form asked what the candidate's verified facts cannot answer; nothing was sent."""

    TYPE: ClassVar[str] = "jams.applications.ApplicationNeedsReview"
    DESCRIPTION: ClassVar[str] = (
        "The bot stopped before sending: a screening question needs a person's answer."
    )

    question: str = Field(description="The form's wording of the unanswered question")
    apply_url: str
    resume_version_id: uuid.UUID
    match_id: uuid.UUID | None = Field(
        default=None, description="The match that led to the application, when known")
    score: float | None = Field(default=None, ge=0, le=100, description="The match's score")
    job_title: str = ""
    company: str = ""
    resume_blob_key: str | None = Field(
        default=None, max_length=600, description="Blob-store key of the resume file used")


class PortalSessionNeeded(_ApplicationEvent):
    """The portal showed its sign-in page: the application waits for a renewed session."""

    TYPE: ClassVar[str] = "jams.applications.PortalSessionNeeded"
    DESCRIPTION: ClassVar[str] = (
        "The candidate's session on a portal is missing, expired or logged out; nothing was "
        "sent and the application waits for a new one until `wait_until`.")

    portal: str
    expired: bool = Field(description="A session was given and no longer works; else none was")
    wait_until: datetime


class ScreeningAnswersGiven(EventData):
    """The application bot answered a job's screening questions when it applied."""

    TYPE: ClassVar[str] = "jams.applications.ScreeningAnswersGiven"
    TOPIC: ClassVar[str] = topics.APPLICATIONS
    KEY_FIELD: ClassVar[str] = "candidate_id"
    DESCRIPTION: ClassVar[str] = ("The bot delivered an application to an employer job and "
                                  "answered its questionnaire from the candidate's facts.")

    application_id: uuid.UUID
    candidate_id: uuid.UUID
    job_id: uuid.UUID
    questionnaire_id: uuid.UUID
    version: int = Field(ge=1)
    answers: dict[str, bool | float | str | list[str]]
    sources: dict[str, str] = Field(default_factory=dict,
                                    description="Where each answer came from")

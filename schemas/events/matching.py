"""Scoring and the decision it leads to: apply, review or reject."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import AwareDatetime, Field

from schemas.events import topics
from schemas.events.envelope import EventData


class _MatchEvent(EventData):
    TOPIC: ClassVar[str] = topics.MATCHES
    KEY_FIELD: ClassVar[str] = "match_id"

    match_id: uuid.UUID = Field(description="Deterministic id of (candidate, job)")
    candidate_id: uuid.UUID
    job_id: uuid.UUID
    score: float = Field(ge=0, le=100)


class MatchScored(_MatchEvent):
    """A candidate's resume was scored against a job."""

    TYPE: ClassVar[str] = "jams.matches.MatchScored"
    DESCRIPTION: ClassVar[str] = "The ATS engine scored one (candidate, job) pair."

    resume_version_id: uuid.UUID
    explanation: list[str] = Field(default_factory=list)


class ApplicationApproved(_MatchEvent):
    """The score cleared the auto-apply threshold: apply without review."""

    TYPE: ClassVar[str] = "jams.matches.ApplicationApproved"
    DESCRIPTION: ClassVar[str] = "Score at or above the auto threshold; the bot applies."

    resume_version_id: uuid.UUID
    apply_url: str
    company: str = Field(default="", description="The employer's name, for the blacklist")


class ManualReviewRequired(_MatchEvent):
    """The score is between the review floor and the auto threshold."""

    TYPE: ClassVar[str] = "jams.matches.ManualReviewRequired"
    DESCRIPTION: ClassVar[str] = "Score in the review band; a reviewer tailors the resume."

    resume_version_id: uuid.UUID
    apply_url: str
    job_title: str = ""
    company: str = ""
    explanation: list[str] = Field(default_factory=list)
    job_posted_at: AwareDatetime | None = Field(
        default=None, description="When the job was posted; fresher jobs are reviewed first")
    candidate_plan: str | None = Field(
        default=None, max_length=50, description="The candidate's plan (free, standard, premium)")
    review_tags: list[str] = Field(
        default_factory=list, description="Skills a reviewer needs for this task (optional)")
    breakdown: dict[str, float] = Field(
        default_factory=dict, description="Score components by name, each a fraction 0-1")
    matched_skills: list[str] = Field(
        default_factory=list, description="Skills the job asks for that the resume shows")
    missing_skills: list[str] = Field(
        default_factory=list, description="Skills the job asks for that the resume lacks")
    hints: list[str] = Field(
        default_factory=list, description="Tailoring hints for the reviewer")
    resume_blob_key: str | None = Field(
        default=None, max_length=600, description="Blob-store key of the scored resume file")


class MatchRejected(_MatchEvent):
    """The score is under the review floor; recorded, nobody's time spent."""

    TYPE: ClassVar[str] = "jams.matches.MatchRejected"
    DESCRIPTION: ClassVar[str] = "Score below the review floor."

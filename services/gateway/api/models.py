"""What the API returns: one model per resource, and the page wrapper every list uses."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: str) -> str:
    """Text PostgreSQL can store: no NUL characters, no lone surrogates."""
    if _UNSTORABLE.search(value):
        raise ValueError("text must not contain NUL characters or lone surrogates")
    return value


def storable_json(value: Any) -> Any:
    """Every key and string in a JSON document storable."""
    if isinstance(value, str):
        storable(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            storable(str(key))
            storable_json(item)
    elif isinstance(value, list):
        for item in value:
            storable_json(item)
    return value


Text = Annotated[str, AfterValidator(storable)]


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end")


class ErrorBody(BaseModel):
    code: str = Field(description="ERR_VALIDATION, ERR_AUTH_REQUIRED, ERR_FORBIDDEN, "
                                  "ERR_NOT_FOUND, ERR_CONFLICT, ERR_RATE_LIMIT, ERR_INTERNAL, "
                                  "ERR_DEPENDENCY")
    message: str
    details: Any = None
    request_id: str


class ErrorOut(BaseModel):
    """The one error shape of every endpoint."""

    error: ErrorBody


_ERROR_STATUSES = {400: "Invalid request (e.g. a cursor this API did not hand out)",
                   401: "No valid access token", 403: "Your role may not do this",
                   404: "Not found, or not yours", 409: "Conflicts with the current state",
                   413: "Request body too large", 422: "Invalid parameters or body",
                   429: "Rate limit reached", 500: "Internal error"}
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text} for status, text in _ERROR_STATUSES.items()}


class Accepted(Out):
    """A change was accepted and sent on as an event; it takes effect shortly."""

    event_id: uuid.UUID
    status: str = "accepted"


class CandidateOut(Out):
    candidate_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class PreferencesIn(BaseModel):
    """A candidate's job preferences (the ATS engine applies them as hard filters)."""

    model_config = ConfigDict(extra="forbid")

    target_titles: list[Text] = Field(default_factory=list, max_length=50)
    locations: list[Text] = Field(default_factory=list, max_length=50)
    remote_ok: bool = True
    relocate: bool = Field(default=False, description="Will move for an on-site or hybrid job")
    work_authorization: list[Text] = Field(default_factory=list, max_length=20)
    min_salary: float | None = Field(default=None, ge=0, le=1e9)
    company_blacklist: list[Text] = Field(default_factory=list, max_length=1000)
    daily_cap: int | None = Field(default=None, ge=0, le=10_000)


class PreferencesOut(Out):
    candidate_id: uuid.UUID
    preferences: dict[str, Any] | None = Field(description="Null until first set through the API")


class FactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keywords: list[Text] = Field(min_length=1, max_length=20)
    answer: Text = Field(min_length=1, max_length=1000)
    source: Text = Field(min_length=1, max_length=500)


class AnswerBankIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: list[FactIn] = Field(max_length=500)


class AnswerBankOut(Out):
    candidate_id: uuid.UUID
    answers: list[dict[str, Any]] | None


class ResumeVersionOut(Out):
    resume_version_id: uuid.UUID
    candidate_id: uuid.UUID
    content_sha256: str
    created_by: str
    task_id: uuid.UUID | None
    created_at: datetime


class JobOut(Out):
    job_id: uuid.UUID
    company: str
    title: str
    location: str
    description: str
    apply_url: str
    city: str | None
    region: str | None
    country: str | None
    workplace: str | None
    employment_type: str | None
    salary_min: float | None
    salary_max: float | None
    salary_currency: str | None
    posted_at: datetime | None
    expires_at: datetime | None
    open: bool
    expired_at: datetime | None
    created_at: datetime


class MatchOut(Out):
    match_id: uuid.UUID
    candidate_id: uuid.UUID
    job_id: uuid.UUID
    resume_version_id: uuid.UUID | None
    score: float
    decision: str = Field(description="`scored`, `approved`, `review` or `rejected`")
    explanation: list[str]
    job_title: str
    company: str
    created_at: datetime
    updated_at: datetime


class ApplicationOut(Out):
    application_id: uuid.UUID
    candidate_id: uuid.UUID
    job_id: uuid.UUID
    resume_version_id: uuid.UUID | None
    status: str = Field(description="`submitted`, `failed` or `needs_review`")
    confirmation: str | None
    has_evidence: bool
    reason: str | None
    question: str | None
    created_at: datetime
    updated_at: datetime


class TaskOut(Out):
    task_id: uuid.UUID
    match_id: uuid.UUID | None
    candidate_id: uuid.UUID | None
    job_id: uuid.UUID | None
    reviewer_id: uuid.UUID | None
    status: str = Field(description="`queued`, `offered`, `assigned`, `completed`, `rejected`")
    score: float | None
    priority: float | None
    job_title: str | None
    company: str | None
    explanation: list[str] | None
    job_changes: list[str] | None = Field(
        default=None, description="What changed in the job since the match was scored")
    due_at: datetime | None
    reason: str | None
    created_at: datetime
    updated_at: datetime


class ReviewerOut(Out):
    reviewer_id: uuid.UUID
    strikes: int
    locked: bool
    presence: str
    created_at: datetime
    updated_at: datetime


class StrikeOut(Out):
    strike_id: uuid.UUID
    reviewer_id: uuid.UUID
    task_id: uuid.UUID
    strikes: int
    created_at: datetime


class UnlockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=1, max_length=2000)


class SourceOut(Out):
    source: str
    runs: int
    last_run_id: str | None
    last_run_at: datetime | None
    blocked_at: datetime | None
    blocked_reason: str | None
    anomalies: int
    created_at: datetime


class ScrapeRunOut(Out):
    run_id: str
    source: str
    complete: bool
    seen: int
    errors: list[str]
    alerts: list[dict[str, Any]]
    created_at: datetime


class ScoringConfigOut(Out):
    version: str
    config: dict[str, Any]
    actor_id: uuid.UUID | None
    created_at: datetime


class ThresholdsIn(BaseModel):
    auto_apply: float = Field(default=90, ge=0, le=100)
    review_floor: float = Field(default=50, ge=0, le=100)


WEIGHT_NAMES = ("must_skills", "preferred_skills", "experience", "education", "title",
                "location", "semantic")


class ScoringConfigIn(BaseModel):
    """A new scoring config version: the ATS weights document (see the ATS weights file)."""

    model_config = ConfigDict(extra="allow")

    version: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._-]+$")
    thresholds: ThresholdsIn = ThresholdsIn()
    weights: dict[str, float] = Field(min_length=1)

    @model_validator(mode="after")
    def _storable(self) -> ScoringConfigIn:
        storable_json(self.model_dump(mode="json"))
        return self

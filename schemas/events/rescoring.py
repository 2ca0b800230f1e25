"""Re-scoring an employer job's candidates: asked by the recruiting service, queued and run by
the ATS engine, its progress told back; and the scoring weights' version changing."""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from schemas.events import topics
from schemas.events.envelope import EventData


class RescoreRequested(EventData):
    """Score a job's candidates again with the current weights (a task of the recruiting
    service's, one at a time per job)."""

    TYPE: ClassVar[str] = "jams.recruiting.RescoreRequested"
    TOPIC: ClassVar[str] = topics.RECRUITING
    KEY_FIELD: ClassVar[str] = "job_id"
    DESCRIPTION: ClassVar[str] = (
        "The recruiting service asks the ATS engine to score an employer job's candidates "
        "again: on an employer's request, nightly, or after the weights changed.")

    task_id: uuid.UUID
    job_id: uuid.UUID
    priority: Literal["normal", "high"] = Field(
        default="normal", description="High: queued in the engine ahead of every normal one")
    reason: Literal["request", "nightly", "weights"] = "request"
    requested_at: AwareDatetime


class RescoreProgressed(EventData):
    """The ATS engine started, finished or gave up a re-score task."""

    TYPE: ClassVar[str] = "jams.matches.RescoreProgressed"
    TOPIC: ClassVar[str] = topics.MATCHES
    KEY_FIELD: ClassVar[str] = "job_id"
    DESCRIPTION: ClassVar[str] = (
        "A re-score task's state in the ATS engine: running, done (its pairs were scored and "
        "announced in MatchesScored) or failed.")

    task_id: uuid.UUID
    job_id: uuid.UUID
    status: Literal["running", "done", "failed"]
    weights_version: str | None = Field(
        default=None, max_length=200, description="The weights it scored with (done)")
    pairs: int = Field(default=0, ge=0, description="Pairs scored (done)")
    error: str | None = Field(default=None, max_length=500, description="Why it failed")
    at: AwareDatetime


class ScoringWeightsChanged(EventData):
    """The ATS engine scores with a weights version other than the one it used before."""

    TYPE: ClassVar[str] = "jams.config.ScoringWeightsChanged"
    TOPIC: ClassVar[str] = topics.CONFIG
    KEY_FIELD: ClassVar[str] = "name"
    DESCRIPTION: ClassVar[str] = (
        "The ATS engine adopted another weights version (the weights file changed, or a "
        "config stored through the API): open employer jobs are scored again.")

    name: str = Field(default="scoring", description="Which config; one partition per name")
    version: str = Field(min_length=1, max_length=200)
    previous: str = Field(min_length=1, max_length=200)
    changed_at: AwareDatetime

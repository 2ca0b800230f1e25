"""Decisions and ids of the ATS engine, without I/O."""

from __future__ import annotations

import uuid
from enum import StrEnum

MATCH_NAMESPACE = uuid.UUID("3f1d8e0a-6c55-4c1e-9a59-2b8f6f0f7d10")


class Decision(StrEnum):
    APPLY = "apply"
    REVIEW = "review"
    REJECT = "reject"


def decide(score: float, auto_apply: float, review_floor: float) -> Decision:
    if score >= auto_apply:
        return Decision.APPLY
    if score >= review_floor:
        return Decision.REVIEW
    return Decision.REJECT


def match_id(candidate_id: uuid.UUID, job_id: uuid.UUID, resume_version_id: uuid.UUID,
             job_revision: int = 0, answers_revision: int = 0) -> uuid.UUID:
    """One id per (job revision, candidate, resume version, answers given), the same on every
    replica and retry; a job as first published, unanswered, keeps the ids it always had."""
    revision = f":{job_revision}" if job_revision else ""
    answers = f":answers:{answers_revision}" if answers_revision else ""
    return uuid.uuid5(MATCH_NAMESPACE,
                      f"{candidate_id}:{job_id}:{resume_version_id}{revision}{answers}")

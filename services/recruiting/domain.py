"""The rules of employer jobs and pipelines, with no I/O."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from infra.employer_jobs import platform_apply_url, source_key
from infra.job_changes import content_of, material_change
from schemas.events.jobs import JobExpired, JobPublished, JobUpdated


class JobStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class CandidateStatus(StrEnum):
    PENDING = "pending"
    SHORTLISTED = "shortlisted"
    MAYBE = "maybe"
    REJECTED = "rejected"


class NotAllowed(ValueError):
    """A change the job's state does not admit (a conflict for the caller)."""


# Where a job may go from each state; a closed job stays closed.
_NEXT: Mapping[JobStatus, frozenset[JobStatus]] = {
    JobStatus.DRAFT: frozenset(JobStatus),
    JobStatus.PUBLISHED: frozenset({JobStatus.PUBLISHED, JobStatus.CLOSED}),
    JobStatus.CLOSED: frozenset({JobStatus.CLOSED}),
}


def job_change(current: JobStatus, wanted: JobStatus | None, edits: Mapping[str, Any]) -> JobStatus:
    """The job's next status; NotAllowed for a move its state forbids, or for an edit of a
    closed job's text (a published job's edit is announced, and its candidates re-scored)."""
    target = wanted or current
    if target not in _NEXT[current]:
        raise NotAllowed(f"a {current} job cannot become {target}")
    if edits and current is JobStatus.CLOSED:
        raise NotAllowed("a closed job's text is fixed")
    return target


def apply_url(job: Mapping[str, Any], base: str) -> str:
    """The job's own apply link, else the platform's page for it."""
    return str(job["apply_url"] or platform_apply_url(base, job["job_id"]))


def _content(job: Mapping[str, Any], company: str, base_url: str) -> dict[str, Any]:
    """What JobPublished and JobUpdated say of the job's content."""
    return {"job_id": job["job_id"], "company": company, "apply_url": apply_url(job, base_url),
            **{name: job[name] for name in (
                "title", "location", "description", "country", "workplace", "employment_type",
                "salary_min", "salary_max", "salary_currency", "salary_period")}}


def published(job: Mapping[str, Any], company: str, base_url: str, at: datetime) -> JobPublished:
    """The job as the pipeline meets every canonical job: scored against the candidates."""
    return JobPublished(**_content(job, company, base_url), sources=[source_key(job["job_id"])],
                        posted_at=at)


def updated(before: Mapping[str, Any], after: Mapping[str, Any], company: str,
            base_url: str) -> JobUpdated | None:
    """A published job's edit as the pipeline meets a scraped job's: its candidates scored
    again, at the job's next revision; None when the edit is cosmetic (whitespace, tracking
    parameters) or leaves the announced content as it was."""
    change = material_change(*(content_of({**job, "apply_url": apply_url(job, base_url)})
                               for job in (before, after)))
    if change is None:
        return None
    return JobUpdated(**_content(after, company, base_url), posted_at=after["published_at"],
                      revision=before["revision"] + 1, changed=list(change.changed),
                      previous=change.previous, description_diff=list(change.description_diff))


def expired(job_id: uuid.UUID, at: datetime) -> JobExpired:
    return JobExpired(job_id=job_id, expired_at=at, reason="closed by the employer")


class InvalidCursor(ValueError):
    """A cursor this API did not hand out, or one of another ordering."""


def encode_cursor(order: str, *values: object) -> str:
    raw = json.dumps([order, *(str(v) for v in values)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, order: str, count: int) -> list[str]:
    """The cursor's values for `order`; InvalidCursor for anything else."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4))
                                                      .encode()))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise InvalidCursor("invalid cursor") from exc
    if (not isinstance(decoded, list) or len(decoded) != count + 1 or decoded[0] != order
            or not all(isinstance(v, str) for v in decoded)):
        raise InvalidCursor("invalid cursor")
    return decoded[1:]

"""Rules of job discovery: read a Greenhouse posting, name it canonically, fingerprint it."""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from schemas.events.jobs import JobDiscovered
from services.job_discovery.html_text import html_to_text

GREENHOUSE = "greenhouse"
# Fixed forever: canonical job ids are derived from it, so changing it renames every job.
CANONICAL_NAMESPACE = uuid.UUID("0b7f3c2e-5a41-4d8e-9c6a-7e2d1f4b8a90")
MAX_DESCRIPTION_CHARS = 200_000
# Legal-form words that differ between sources for one employer ("Acme, Inc." and "Acme").
_COMPANY_SUFFIXES = frozenset(
    {"inc", "incorporated", "llc", "ltd", "limited", "gmbh", "corp", "corporation", "plc"}
)
# "+" and "#" carry meaning in titles ("C++", "C#"); every other non-word character is noise.
_NOISE = re.compile(r"[^\w+#]+|_+")


class BadPosting(ValueError):
    """A payload that is not shaped the way the source documents it."""


class _Location(BaseModel):
    name: str = ""


class _GreenhouseJob(BaseModel):
    """The fields of a Greenhouse job post that we read; the rest is kept only raw."""

    model_config = ConfigDict(extra="ignore")

    id: int = Field(gt=0)
    title: str = Field(min_length=1)
    absolute_url: str = Field(min_length=1)
    location: _Location | None = None
    content: str = ""
    updated_at: AwareDatetime | None = None
    first_published: AwareDatetime | None = None


def board_jobs(payload: object) -> list[dict[str, Any]]:
    """The job objects of a `GET /v1/boards/{token}/jobs` answer."""
    if not isinstance(payload, dict):
        raise BadPosting(f"expected a JSON object with a 'jobs' list, got {type(payload).__name__}")
    jobs = payload.get("jobs")
    if not isinstance(jobs, list):
        raise BadPosting(f"expected 'jobs' to be a list, got {type(jobs).__name__}")
    for index, job in enumerate(jobs):
        if not isinstance(job, dict):
            raise BadPosting(f"jobs[{index}] is a {type(job).__name__}, not an object")
    return jobs


def source_job_key(job_id: int | str) -> str:
    """`greenhouse:<post id>`: Greenhouse post ids are unique across all boards."""
    return f"{GREENHOUSE}:{job_id}"


def normalise_greenhouse_job(job: Mapping[str, Any], *, company: str) -> JobDiscovered:
    """A Greenhouse job post (from `?content=true`) as a JobDiscovered event."""
    try:
        post = _GreenhouseJob.model_validate(job)
    except ValidationError as exc:
        raise BadPosting(f"greenhouse job {job.get('id')!r}: {_summary(exc)}") from None
    key = source_job_key(post.id)
    # Greenhouse entity-encodes the HTML once, so it is unescaped before it is parsed.
    description = html_to_text(html.unescape(post.content))[:MAX_DESCRIPTION_CHARS]
    try:
        return JobDiscovered(
            source_job_key=key,
            source=GREENHOUSE,
            external_id=str(post.id),
            company=company,
            title=post.title.strip(),
            location=(post.location.name.strip() if post.location else ""),
            description=description,
            apply_url=post.absolute_url,
            posted_at=post.first_published or post.updated_at,
            raw_document_id=key,
        )
    except ValidationError as exc:
        raise BadPosting(f"greenhouse job {post.id}: {_summary(exc)}") from None


def _summary(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'payload'}: {err['msg']}"
        for err in exc.errors()
    )


def _normalise(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).casefold()
    return " ".join(_NOISE.sub(" ", text).split())


def normalise_company(company: str) -> str:
    """The company name without case, punctuation or a trailing legal form."""
    words = _normalise(company).split()
    while len(words) > 1 and words[-1] in _COMPANY_SUFFIXES:
        words.pop()
    return " ".join(words)


def canonical_key(company: str, title: str, location: str) -> str:
    """What makes two postings one job: same employer, title and place, however spelled."""
    return "|".join((normalise_company(company), _normalise(title), _normalise(location)))


def canonical_job_id(key: str) -> uuid.UUID:
    """The job's id everywhere, derived from its canonical key (the same on every replica)."""
    return uuid.uuid5(CANONICAL_NAMESPACE, key)


def fingerprint(raw: Mapping[str, Any]) -> str:
    """SHA-256 of the raw posting in a canonical JSON form: it changes when the posting does."""
    encoded = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()

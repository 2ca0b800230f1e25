"""A JobDiscovered event turned into one normalised posting, ready to deduplicate."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from schemas.events.jobs import JobDiscovered
from services.job_discovery.jobs import dedup
from services.job_discovery.jobs import normalise as n
from services.job_discovery.jobs.salary import Salary, checked, parse_salary
from services.job_discovery.jobs.text import tidy

# A character that folding keeps (see `text.fold`): a name without one is only punctuation.
_HAS_TEXT = re.compile(r"[^\W_]|[+#]")


class BadPayload(ValueError):
    """A raw job that cannot be read; the message says why."""


@dataclass(frozen=True)
class Posting:
    """One source's posting of a job, every field in canonical form."""

    source_job_key: str
    source: str
    external_id: str
    run_id: str | None
    company: str
    title: str
    location: str
    location_parts: n.Location
    employment_type: n.EmploymentType | None
    salary: Salary | None
    posted_at: datetime | None
    expires_at: datetime | None
    description: str
    apply_url: str
    fingerprint: str
    content_hash: str
    notes: tuple[str, ...]
    title_words: n.TitleWords

    def profile(self) -> dedup.Profile:
        """What dedup compares of this posting."""
        return dedup.Profile(self.title_words, self.location_parts, self.salary,
                             self.description)


def parse_payload(payload: Mapping[str, Any] | JobDiscovered) -> JobDiscovered:
    """A raw job validated as a JobDiscovered, or BadPayload naming each bad field."""
    if isinstance(payload, JobDiscovered):
        return payload
    if not isinstance(payload, Mapping):
        raise BadPayload(f"expected a JSON object, got {type(payload).__name__}")
    try:
        return JobDiscovered.model_validate(payload)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'payload'}: {err['msg']}"
            for err in exc.errors()
        )
        raise BadPayload(problems) from None


def normalise_posting(event: JobDiscovered) -> Posting:
    """Every field of `event` in canonical form, with notes on what was changed and why."""
    company, title = n.company_name(event.company), n.job_title(event.title)
    location = n.parse_location(event.location)
    if not _HAS_TEXT.search(company) or not _HAS_TEXT.search(title):
        raise BadPayload(f"{event.source_job_key}: company or title is only punctuation")
    reading = (
        checked(event.salary_min, event.salary_max, event.salary_currency, event.salary_period)
        if event.salary_min is not None or event.salary_max is not None
        else parse_salary(event.salary_text)
    )
    content = event.model_dump_json(exclude={"run_id"})
    return Posting(
        source_job_key=event.source_job_key,
        source=event.source,
        external_id=event.external_id,
        run_id=event.run_id,
        company=company,
        title=title,
        location=tidy(event.location),
        location_parts=location,
        employment_type=n.employment_type(event.employment_type),
        salary=reading.salary,
        posted_at=n.to_utc(event.posted_at),
        expires_at=n.to_utc(event.expires_at),
        description=event.description,
        apply_url=str(event.apply_url),
        fingerprint=fingerprint_of(event.company, event.title, location),
        content_hash=hashlib.blake2b(content.encode(), digest_size=16).hexdigest(),
        notes=reading.notes,
        title_words=n.title_words(event.title, location.key),
    )


def fingerprint_of(company: str, title: str, place: n.Location) -> str:
    """The blocking key of a posting: its employer, its place and its title's level."""
    return dedup.fingerprint(n.company_key(company, place.key), place.key,
                             n.title_words(title, place.key).levels)


def same_job(a: Posting, b: Posting) -> bool:
    """The dedup rule for two postings: one fingerprint, and titles, places and text agree."""
    return a.fingerprint == b.fingerprint and dedup.same_job(a.profile(), b.profile())

"""Job discovery events: raw finds, deduplicated publications, updates, expiry, reopening."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import AwareDatetime, Field, HttpUrl

from schemas.events import topics
from schemas.events.envelope import EventData


class JobDiscovered(EventData):
    """A source returned a job posting; normalised, not yet deduplicated."""

    TYPE: ClassVar[str] = "jams.jobs.JobDiscovered"
    TOPIC: ClassVar[str] = topics.JOBS_RAW
    KEY_FIELD: ClassVar[str] = "source_job_key"
    DESCRIPTION: ClassVar[str] = (
        "A scraper found a posting; the raw payload is in the document store."
    )

    source_job_key: str = Field(description="`<source>:<external id>`, unique per source")
    source: str = Field(min_length=1, max_length=100)
    external_id: str = Field(min_length=1, max_length=200)
    company: str = Field(min_length=1, max_length=300)
    title: str = Field(min_length=1, max_length=500)
    location: str = Field(default="", max_length=500)
    description: str = Field(default="", max_length=200_000)
    apply_url: HttpUrl
    posted_at: AwareDatetime | None = None
    raw_document_id: str = Field(description="Id of the raw payload in the document store")
    run_id: str | None = Field(default=None, max_length=200,
                               description="The scrape run that found it (keys the sync log)")
    employment_type: str = Field(default="", max_length=200,
                                 description="As the source states it, e.g. `Full-time`")
    salary_text: str = Field(default="", max_length=500,
                             description="Pay as the source shows it, e.g. `$120k-$150k a year`")
    salary_min: float | None = Field(default=None,
                                     description="Structured pay, if the source has it")
    salary_max: float | None = None
    salary_currency: str | None = Field(default=None, max_length=10)
    salary_period: str | None = Field(default=None, max_length=20)
    expires_at: AwareDatetime | None = Field(default=None, description="When the posting closes")


class _CanonicalJobEvent(EventData):
    TOPIC: ClassVar[str] = topics.JOBS_NEW
    KEY_FIELD: ClassVar[str] = "job_id"

    job_id: uuid.UUID


class _JobContent(_CanonicalJobEvent):
    """A canonical job's content as its primary posting gives it."""

    company: str
    title: str
    location: str = ""
    description: str = ""
    apply_url: HttpUrl
    city: str | None = None
    region: str | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 code")
    workplace: str | None = Field(default=None, description="`remote`, `hybrid` or `onsite`")
    employment_type: str | None = Field(
        default=None,
        description="`full_time`, `part_time`, `contract`, `temporary`, `internship`, `freelance`")
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = Field(default=None, description="ISO 4217 code")
    salary_period: str | None = Field(default=None,
                                      description="`hour`, `day`, `week`, `month` or `year`")
    posted_at: AwareDatetime | None = Field(default=None, description="UTC")
    expires_at: AwareDatetime | None = Field(default=None, description="UTC")


class JobPublished(_JobContent):
    """A new canonical job, deduplicated across sources, ready to be scored."""

    TYPE: ClassVar[str] = "jams.jobs.JobPublished"
    DESCRIPTION: ClassVar[str] = "A canonical job entered the system (published once per job)."

    sources: list[str] = Field(description="Source job keys this canonical job was seen under")


class JobUpdated(_JobContent):
    """A canonical job's posting changed materially; the event carries the new content."""

    TYPE: ClassVar[str] = "jams.jobs.JobUpdated"
    DESCRIPTION: ClassVar[str] = (
        "A canonical job's title, description, location, salary or apply URL changed; "
        "whitespace and tracking parameters alone publish nothing."
    )

    revision: int = Field(ge=1, description="The job's count of material changes, this one "
                                            "included: a consumer ignores one it has applied")
    changed: list[str] = Field(
        description="`title`, `description`, `location`, `salary`, `apply_url`")
    previous: dict[str, str] = Field(
        default_factory=dict,
        description="Each changed field's earlier value as shown, but the description's")
    description_diff: list[str] = Field(
        default_factory=list,
        description="The first changed description lines: `+ ` added, `- ` removed")


class JobExpired(_CanonicalJobEvent):
    """A canonical job is no longer open."""

    TYPE: ClassVar[str] = "jams.jobs.JobExpired"
    DESCRIPTION: ClassVar[str] = "A canonical job closed; nothing more is applied to it."

    expired_at: AwareDatetime
    reason: str = "closed"


class JobReopened(_CanonicalJobEvent):
    """An expired canonical job was listed again: open, under the same id."""

    TYPE: ClassVar[str] = "jams.jobs.JobReopened"
    DESCRIPTION: ClassVar[str] = (
        "A posting of an expired job was seen again; the job is open once more, same id."
    )

    reopened_at: AwareDatetime
    source_job_key: str = Field(description="The posting that brought it back")


class ScrapeRunCompleted(EventData):
    """A scrape run of one source finished; lists every posting key it saw."""

    TYPE: ClassVar[str] = "jams.jobs.ScrapeRunCompleted"
    TOPIC: ClassVar[str] = topics.JOBS_RAW
    KEY_FIELD: ClassVar[str] = "source"
    DESCRIPTION: ClassVar[str] = (
        "A scrape run ended; after a complete run, postings of that source it did not see expire."
    )

    source: str = Field(min_length=1, max_length=300,
                        description="What the run covered, e.g. `greenhouse:acme` (one board)")
    run_id: str = Field(min_length=1, max_length=200)
    seen_source_job_keys: list[str] = Field(description="Every posting key the run saw")
    complete: bool = Field(description="False when the run stopped early: nothing expires then")
    errors: list[str] = Field(default_factory=list, description="Why postings were skipped")
    announced: int | None = Field(
        default=None, ge=0,
        description="How many JobDiscovered the run published (its new or changed postings); "
                    "the job service applies the run once it has handled that many")

"""Job discovery events: raw finds, deduplicated publications and expiry."""

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


class JobPublished(EventData):
    """A new canonical job, deduplicated across sources, ready to be scored."""

    TYPE: ClassVar[str] = "jams.jobs.JobPublished"
    TOPIC: ClassVar[str] = topics.JOBS_NEW
    KEY_FIELD: ClassVar[str] = "job_id"
    DESCRIPTION: ClassVar[str] = "A canonical job entered the system (published once per job)."

    job_id: uuid.UUID
    company: str
    title: str
    location: str = ""
    description: str = ""
    apply_url: HttpUrl
    sources: list[str] = Field(description="Source job keys this canonical job was seen under")


class JobExpired(EventData):
    """A canonical job is no longer open."""

    TYPE: ClassVar[str] = "jams.jobs.JobExpired"
    TOPIC: ClassVar[str] = topics.JOBS_NEW
    KEY_FIELD: ClassVar[str] = "job_id"
    DESCRIPTION: ClassVar[str] = "A canonical job closed; nothing more is applied to it."

    job_id: uuid.UUID
    expired_at: AwareDatetime
    reason: str = "closed"

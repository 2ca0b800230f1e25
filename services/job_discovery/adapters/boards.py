"""Whole-board sources: Greenhouse, Lever and Ashby return every open job of a board."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from schemas.events.jobs import JobDiscovered
from services.job_discovery.adapters.base import (
    BadPosting,
    FetchResult,
    LayoutChanged,
    build_event,
    collect,
    entity_decoded_text,
    plain_text,
    validation_summary,
)
from services.job_discovery.adapters.http import PortalHttp
from services.job_discovery.sources import AshbySource, GreenhouseSource, LeverSource

LEVER_PAGE = 100


def _later(cursor: str | None, moments: list[datetime]) -> str | None:
    """The high-water mark: the newest of `moments` and the old cursor, as ISO-8601."""
    newest = max(moments, default=None)
    if newest is None:
        return cursor
    if cursor is not None and datetime.fromisoformat(cursor) >= newest:
        return cursor
    return newest.astimezone(UTC).isoformat()


def _times(result: FetchResult) -> list[datetime]:
    return [p.event.posted_at for p in result.postings if p.event.posted_at is not None]


class _GreenhouseLocation(BaseModel):
    name: str = ""


class _GreenhouseJob(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int = Field(gt=0)
    title: str = Field(min_length=1)
    absolute_url: str = Field(min_length=1)
    location: _GreenhouseLocation | None = None
    content: str = ""
    updated_at: AwareDatetime | None = None
    first_published: AwareDatetime | None = None


def normalise_greenhouse(job: dict[str, Any], *, company: str) -> JobDiscovered:
    """A Greenhouse job post (from `?content=true`) as JobDiscovered fields.

    Post ids are unique across all of Greenhouse, so the key needs no board.
    """
    try:
        j = _GreenhouseJob.model_validate(job)
    except ValidationError as exc:
        raise BadPosting(f"greenhouse job {job.get('id')!r}: {validation_summary(exc)}") from None
    return build_event(
        "greenhouse", str(j.id), company=company, title=j.title.strip(),
        location=j.location.name.strip() if j.location else "",
        description=entity_decoded_text(j.content), apply_url=j.absolute_url,
        posted_at=j.first_published or j.updated_at,
    )


class GreenhouseAdapter:
    """`GET /v1/boards/{token}/jobs?content=true`: the whole board in one answer."""

    portal = "greenhouse"
    server_filters: frozenset[str] = frozenset()

    def __init__(self, config: GreenhouseSource, http: PortalHttp) -> None:
        self.config = config
        self._http = http
        self.source_id = config.name

    async def fetch(self, cursor: str | None) -> FetchResult:
        url = f"{self.config.api_base.rstrip('/')}/v1/boards/{self.config.board_token}/jobs"
        result = FetchResult(complete=True)
        payload = await self._http.get_json(url, {"content": "true"})
        jobs = payload.get("jobs") if isinstance(payload, dict) else None
        if not isinstance(jobs, list):
            raise LayoutChanged(f"{url}: expected an object with a 'jobs' list")
        result.listed = len(jobs)
        collect(result, jobs, url,
                lambda job: normalise_greenhouse(job, company=self.config.company))
        result.cursor = _later(cursor, _times(result))
        return result


class _LeverCategories(BaseModel):
    location: str | None = None


class _LeverPosting(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1)
    hostedUrl: str = Field(min_length=1)
    categories: _LeverCategories = _LeverCategories()
    description: str = ""
    descriptionPlain: str | None = None
    lists: list[dict[str, Any]] = []
    additional: str = ""
    createdAt: int | None = Field(default=None, ge=0)


def normalise_lever(posting: dict[str, Any], *, company: str) -> JobDiscovered:
    """A Lever posting (postings API, `mode=json`) as JobDiscovered fields."""
    try:
        p = _LeverPosting.model_validate(posting)
    except ValidationError as exc:
        raise BadPosting(
            f"lever posting {posting.get('id')!r}: {validation_summary(exc)}"
        ) from None
    sections = "".join(
        f"<h3>{item.get('text', '')}</h3><ul>{item.get('content', '')}</ul>"
        for item in p.lists if isinstance(item, dict)
    )
    description = plain_text(p.description + sections + p.additional)
    try:
        created = (datetime.fromtimestamp(p.createdAt / 1000, UTC)
                   if p.createdAt is not None else None)
    except (OverflowError, OSError, ValueError):
        raise BadPosting(f"lever posting {p.id!r}: createdAt {p.createdAt} is no time") from None
    return build_event(
        "lever", p.id, company=company, title=p.text.strip(),
        location=(p.categories.location or "").strip(), description=description,
        apply_url=p.hostedUrl, posted_at=created,
    )


class LeverAdapter:
    """`GET /v0/postings/{site}?mode=json&skip=&limit=`: a bare JSON array per page."""

    portal = "lever"
    server_filters: frozenset[str] = frozenset({"location"})

    def __init__(self, config: LeverSource, http: PortalHttp) -> None:
        self.config = config
        self._http = http
        self.source_id = config.name

    async def fetch(self, cursor: str | None) -> FetchResult:
        url = f"{self.config.api_base.rstrip('/')}/v0/postings/{self.config.site}"
        result = FetchResult(complete=True)
        skip = 0
        while True:
            params: dict[str, Any] = {"mode": "json", "skip": skip, "limit": LEVER_PAGE}
            if self.config.filters.location:
                params["location"] = self.config.filters.location
            try:
                page = await self._http.get_json(url, params)
            except Exception as exc:  # keep what earlier pages brought
                if skip == 0:
                    raise
                result.error, result.complete = exc, False
                break
            if not isinstance(page, list):
                raise LayoutChanged(f"{url}: expected a JSON array, got {type(page).__name__}")
            result.listed += len(page)
            collect(result, page, url,
                    lambda p: normalise_lever(p, company=self.config.company))
            if len(page) < LEVER_PAGE:
                break
            skip += LEVER_PAGE
        result.cursor = _later(cursor, _times(result))
        return result


class _AshbyJob(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1)
    jobUrl: str = Field(min_length=1)
    location: str = ""
    isListed: bool = True
    descriptionHtml: str = ""
    descriptionPlain: str | None = None
    publishedAt: AwareDatetime | None = None


def normalise_ashby(job: dict[str, Any], *, company: str) -> JobDiscovered:
    """An Ashby job-board posting as JobDiscovered fields."""
    try:
        j = _AshbyJob.model_validate(job)
    except ValidationError as exc:
        raise BadPosting(f"ashby job {job.get('id')!r}: {validation_summary(exc)}") from None
    description = (plain_text(j.descriptionHtml) if j.descriptionHtml
                   else (j.descriptionPlain or ""))
    return build_event("ashby", j.id, company=company, title=j.title.strip(),
                       location=j.location.strip(), description=description,
                       apply_url=j.jobUrl, posted_at=j.publishedAt)


class AshbyAdapter:
    """`GET /posting-api/job-board/{board}?includeCompensation=true`: `{"jobs": [...]}`."""

    portal = "ashby"
    server_filters: frozenset[str] = frozenset()

    def __init__(self, config: AshbySource, http: PortalHttp) -> None:
        self.config = config
        self._http = http
        self.source_id = config.name

    async def fetch(self, cursor: str | None) -> FetchResult:
        url = f"{self.config.api_base.rstrip('/')}/posting-api/job-board/{self.config.board}"
        result = FetchResult(complete=True)
        payload = await self._http.get_json(url, {"includeCompensation": "true"})
        jobs = payload.get("jobs") if isinstance(payload, dict) else None
        if not isinstance(jobs, list):
            raise LayoutChanged(f"{url}: expected an object with a 'jobs' list")
        # Unlisted postings are reachable by link only: not advertised, so not scraped.
        listed = [j for j in jobs if not (isinstance(j, dict) and j.get("isListed") is False)]
        result.listed = len(listed)
        collect(result, listed, url, lambda j: normalise_ashby(j, company=self.config.company))
        result.cursor = _later(cursor, _times(result))
        return result

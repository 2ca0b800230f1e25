"""Adzuna's search API: newest first, paged, stopping at the last run's high-water mark."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from schemas.events.jobs import JobDiscovered
from services.job_discovery.adapters.base import (
    BadPosting,
    FetchedPosting,
    FetchResult,
    LayoutChanged,
    build_event,
    validation_summary,
)
from services.job_discovery.adapters.http import PortalHttp
from services.job_discovery.sources import AdzunaSource


class _Named(BaseModel):
    display_name: str = ""


class _AdzunaJob(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1)
    redirect_url: str = Field(min_length=1)
    company: _Named
    location: _Named = _Named()
    description: str = ""
    created: AwareDatetime


def normalise_adzuna(job: dict[str, Any]) -> tuple[JobDiscovered, datetime]:
    """An Adzuna search result as JobDiscovered fields, and its creation time."""
    try:
        j = _AdzunaJob.model_validate(job)
    except ValidationError as exc:
        raise BadPosting(f"adzuna job {job.get('id')!r}: {validation_summary(exc)}") from None
    if not j.company.display_name.strip():
        raise BadPosting(f"adzuna job {j.id}: no company name")
    event = build_event("adzuna", j.id, company=j.company.display_name.strip(),
                        title=j.title.strip(), location=j.location.display_name.strip(),
                        description=j.description.strip(), apply_url=j.redirect_url,
                        posted_at=j.created)
    return event, j.created


class AdzunaAdapter:
    """`GET /v1/api/jobs/{country}/search/{page}?app_id&app_key&sort_by=date`."""

    portal = "adzuna"
    server_filters: frozenset[str] = frozenset({"keywords", "location"})

    def __init__(self, config: AdzunaSource, http: PortalHttp) -> None:
        self.config = config
        self._http = http
        self.source_id = config.name

    def _params(self) -> dict[str, Any]:
        c = self.config
        params: dict[str, Any] = {
            "app_id": c.app_id, "app_key": c.app_key.get_secret_value(),
            "results_per_page": c.results_per_page, "sort_by": "date",
            "content-type": "application/json",
        }
        if c.filters.keywords:
            params["what"] = c.filters.keywords
        if c.filters.location:
            params["where"] = c.filters.location
        if c.max_days_old:
            params["max_days_old"] = c.max_days_old
        return params

    async def fetch(self, cursor: str | None) -> FetchResult:
        mark = datetime.fromisoformat(cursor) if cursor else None
        base = f"{self.config.api_base.rstrip('/')}/v1/api/jobs/{self.config.country}/search"
        # A search is never a whole listing: absence from it says nothing about closing.
        result = FetchResult(complete=False)
        newest: list[datetime] = []
        for page in range(1, self.config.max_pages + 1):
            url = f"{base}/{page}"
            try:
                answer = await self._http.get_json(url, self._params())
                results = answer.get("results") if isinstance(answer, dict) else None
                if not isinstance(results, list):
                    raise LayoutChanged(f"{url}: expected an object with a 'results' list")
            except Exception as exc:
                if page == 1:
                    raise
                result.error = exc
                break
            if page == 1 and isinstance(answer.get("count"), int):
                result.listed = answer["count"]
            reached = self._collect(result, results, url, mark, newest)
            if reached or len(results) < self.config.results_per_page:
                break
        # Only a run that got everything since the mark may move it.
        if result.error is None:
            best = max(newest, default=mark)
            result.cursor = best.astimezone(UTC).isoformat() if best else None
        else:
            result.cursor = cursor
        return result

    @staticmethod
    def _collect(result: FetchResult, results: list[Any], url: str,
                 mark: datetime | None, newest: list[datetime]) -> bool:
        """Add the page's new results; True when the page reached the high-water mark."""
        reached = False
        for index, item in enumerate(results):
            if not isinstance(item, dict):
                result.skip("bad_posting", f"{url} item {index} is not an object")
                continue
            try:
                event, created = normalise_adzuna(item)
            except BadPosting as exc:
                result.skip("bad_posting", str(exc))
                continue
            # Equal times are kept: another job of the same second may be new (fingerprints
            # make the known one a no-op).
            if mark is not None and created < mark:
                reached = True
                continue
            newest.append(created)
            result.postings.append(FetchedPosting(event, item, url))
            result.seen_keys.append(event.source_job_key)
        return reached

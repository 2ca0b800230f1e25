"""Workday's career-site JSON ("CXS"): a paged listing by POST, one detail GET per new posting."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas.events.jobs import JobDiscovered
from services.job_discovery.adapters.base import (
    BadPosting,
    FetchedPosting,
    FetchResult,
    LayoutChanged,
    build_event,
    plain_text,
    validation_summary,
)
from services.job_discovery.adapters.http import PortalHttp
from services.job_discovery.sources import WorkdaySource


class _Info(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1)
    jobReqId: str = Field(min_length=1, max_length=100)
    jobDescription: str = ""
    location: str = ""
    startDate: date | None = None
    externalUrl: str | None = None


def normalise_workday(detail: dict[str, Any], *, tenant: str, company: str,
                      fallback_url: str) -> JobDiscovered:
    """A `jobPostingInfo` detail answer as JobDiscovered fields."""
    info = detail.get("jobPostingInfo")
    if not isinstance(info, dict):
        raise BadPosting("workday detail has no 'jobPostingInfo' object")
    try:
        job = _Info.model_validate(info)
    except ValidationError as exc:
        raise BadPosting(f"workday posting: {validation_summary(exc)}") from None
    posted = (datetime(job.startDate.year, job.startDate.month, job.startDate.day, tzinfo=UTC)
              if job.startDate else None)
    return build_event("workday", f"{tenant}:{job.jobReqId}", company=company,
                       title=job.title.strip(), location=job.location.strip(),
                       description=plain_text(job.jobDescription),
                       apply_url=job.externalUrl or fallback_url, posted_at=posted)


def _paths(cursor: str | None) -> set[str]:
    """The cursor holds the listing's paths of the last complete run."""
    if not cursor:
        return set()
    try:
        paths = json.loads(cursor).get("paths", [])
    except (ValueError, AttributeError):
        return set()  # an unreadable cursor costs one full run, nothing else
    return {p for p in paths if isinstance(p, str)}


class WorkdayAdapter:
    """`POST /wday/cxs/{tenant}/{site}/jobs` pages of ≤ 20; details only for unseen paths."""

    portal = "workday"
    server_filters: frozenset[str] = frozenset({"keywords"})

    def __init__(self, config: WorkdaySource, http: PortalHttp) -> None:
        self.config = config
        self._http = http
        self.source_id = config.name
        self._base = f"{config.api_base.rstrip('/')}/wday/cxs/{config.tenant}/{config.site}"

    async def fetch(self, cursor: str | None) -> FetchResult:
        known = _paths(cursor)
        result = FetchResult(complete=True)
        listing: list[dict[str, Any]] = []
        try:
            await self._list(result, listing)
        except Exception as exc:
            if not listing:
                raise
            result.error, result.complete = exc, False
        paths = [str(item["externalPath"]) for item in listing]
        for item in listing:
            path = str(item["externalPath"])
            if path in known:
                continue
            try:
                detail = await self._http.get_json(f"{self._base}{path}")
            except Exception as exc:  # keep the details fetched so far
                result.error, result.complete = exc, False
                break
            self._collect(result, detail, path)
        # Postings known from earlier runs were not fetched again, but they are still listed.
        result.seen_keys = [self._key(item) for item in listing]
        if result.complete:
            result.cursor = json.dumps({"paths": sorted(paths)})
        else:
            result.cursor = cursor
        result.listed = len(listing)
        return result

    def _key(self, item: dict[str, Any]) -> str:
        """The posting's key from its listing entry: the requisition id is its first bullet."""
        bullets = item.get("bulletFields")
        req_id = bullets[0] if isinstance(bullets, list) and bullets else item["externalPath"]
        return f"workday:{self.config.tenant}:{req_id}"

    async def _list(self, result: FetchResult, listing: list[dict[str, Any]]) -> None:
        url = f"{self._base}/jobs"
        total: int | None = None
        for page in range(self.config.max_pages):
            body = {"appliedFacets": {}, "limit": self.config.page_size,
                    "offset": page * self.config.page_size,
                    "searchText": self.config.filters.keywords or ""}
            answer = await self._http.post_json(url, body)
            postings = answer.get("jobPostings") if isinstance(answer, dict) else None
            if not isinstance(postings, list):
                raise LayoutChanged(f"{url}: expected an object with a 'jobPostings' list")
            # Some tenants report the total on the first page only.
            if total is None and isinstance(answer.get("total"), int):
                total = answer["total"]
            for index, item in enumerate(postings):
                if isinstance(item, dict) and isinstance(item.get("externalPath"), str):
                    listing.append(item)
                else:
                    result.skip("bad_posting", f"{url} offset {body['offset']} item {index} "
                                "has no externalPath")
            if len(postings) < self.config.page_size or (
                    total is not None and len(listing) >= total):
                return
        result.skip("truncated", f"{url}: stopped after max_pages={self.config.max_pages}")
        result.complete = False

    def _collect(self, result: FetchResult, detail: Any, path: str) -> None:
        url = f"{self._base}{path}"
        if not isinstance(detail, dict):
            result.skip("bad_posting", f"{url}: detail is not an object")
            return
        fallback = f"{self.config.api_base.rstrip('/')}/en-US/{self.config.site}{path}"
        try:
            event = normalise_workday(detail, tenant=self.config.tenant,
                                      company=self.config.company, fallback_url=fallback)
        except BadPosting as exc:
            result.skip("bad_posting", f"{url}: {exc}")
            return
        result.postings.append(FetchedPosting(event, detail, url))

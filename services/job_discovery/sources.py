"""Configured job sources: one model per kind, each with its schedule and optional filters."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from infra.politeness import PortalPolicy
from infra.politeness.defaults import DISCOVERY_POLICIES as DEFAULT_POLICIES

_TOKEN = r"^[A-Za-z0-9_.-]+$"
_BASE = r"^https?://[^\s/]+(/[^\s]*)?$"


class SearchFilters(BaseModel):
    """What to look for; a source that cannot filter server-side says so in its run report."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    keywords: str | None = Field(default=None, min_length=1, max_length=200)
    location: str | None = Field(default=None, min_length=1, max_length=200)

    def named(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class _Source(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=_TOKEN,
                      description="Unique id of this source, used by `jams discover NAME`")
    interval_s: float = Field(default=3600, ge=60, description="Seconds between scheduled runs")
    offset_s: float = Field(
        default=0, ge=0,
        description="Seconds into each interval its runs fall due: sources given different "
                    "offsets are scraped spread over the interval rather than all at once")
    enabled: bool = True
    filters: SearchFilters = SearchFilters()
    policy: PortalPolicy | None = Field(default=None, description="Overrides the kind's limits")
    # A run listing fewer than this share of the source's usual count raises an alert.
    anomaly_ratio: float = Field(default=0.5, ge=0, le=1)

    @model_validator(mode="after")
    def _offset_within_interval(self) -> _Source:
        if self.offset_s >= self.interval_s:
            raise ValueError(f"offset_s ({self.offset_s:g}) must be less than interval_s "
                             f"({self.interval_s:g})")
        return self


class GreenhouseSource(_Source):
    kind: Literal["greenhouse"] = "greenhouse"
    board_token: str = Field(min_length=1, max_length=200, pattern=_TOKEN)
    company: str = Field(min_length=1, max_length=300)
    api_base: str = Field(default="https://boards-api.greenhouse.io", pattern=_BASE)


class LeverSource(_Source):
    kind: Literal["lever"] = "lever"
    site: str = Field(min_length=1, max_length=200, pattern=_TOKEN)
    company: str = Field(min_length=1, max_length=300)
    api_base: str = Field(default="https://api.lever.co", pattern=_BASE)


class AshbySource(_Source):
    kind: Literal["ashby"] = "ashby"
    board: str = Field(min_length=1, max_length=200, pattern=_TOKEN)
    company: str = Field(min_length=1, max_length=300)
    api_base: str = Field(default="https://api.ashbyhq.com", pattern=_BASE)


class WorkdaySource(_Source):
    kind: Literal["workday"] = "workday"
    tenant: str = Field(min_length=1, max_length=200, pattern=_TOKEN)
    site: str = Field(min_length=1, max_length=200, pattern=_TOKEN)
    company: str = Field(min_length=1, max_length=300)
    api_base: str = Field(description="e.g. https://acme.wd5.myworkdayjobs.com", pattern=_BASE)
    page_size: int = Field(default=20, ge=1, le=20, description="Workday rejects more than 20")
    max_pages: int = Field(default=50, ge=1, le=500)


class AdzunaSource(_Source):
    kind: Literal["adzuna"] = "adzuna"
    country: str = Field(default="gb", pattern=r"^[a-z]{2}$")
    app_id: str = Field(min_length=1, max_length=100)
    app_key: SecretStr
    api_base: str = Field(default="https://api.adzuna.com", pattern=_BASE)
    results_per_page: int = Field(default=50, ge=1, le=50)
    max_pages: int = Field(default=4, ge=1, le=100, description="Pages per run (quota!)")
    max_days_old: int | None = Field(default=None, ge=1, le=365)


class FieldSpec(BaseModel):
    """Where a field is on a page: a CSS selector, and an attribute (else the text)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    selector: str = Field(min_length=1, max_length=500)
    attribute: str | None = Field(default=None, min_length=1, max_length=100)
    # A regular expression whose first group is kept (e.g. the id inside a URN).
    pattern: str | None = Field(default=None, max_length=300)


class BrowserSource(_Source):
    """A search-results site read through Chromium, described entirely by selectors.

    A page change is a config change: `card` finds each result, `fields` read it (title, url,
    id and company are required), `detail` reads the job's own page (e.g. description).
    """

    kind: Literal["browser"] = "browser"
    site: str = Field(min_length=1, max_length=100, pattern=_TOKEN,
                      description="Whose politeness limits apply, e.g. linkedin")
    search_url: str = Field(min_length=1, max_length=2000,
                            description="With {offset} (or {page}, from 1); absolute URL")
    page_step: int = Field(default=10, ge=1, le=1000)
    max_pages: int = Field(default=10, ge=1, le=100)
    card: str = Field(min_length=1, max_length=500)
    fields: dict[str, FieldSpec]
    detail: dict[str, FieldSpec] = Field(default_factory=dict)
    # Shown by a genuine "no results" page, so an empty first page is not selector drift.
    empty_marker: str | None = Field(default=None, max_length=500)
    # Share of cards that may miss a required field before the run is called drift.
    max_missing_ratio: float = Field(default=0.2, ge=0, le=1)


SourceConfig = Annotated[
    GreenhouseSource | LeverSource | AshbySource | WorkdaySource | AdzunaSource | BrowserSource,
    Field(discriminator="kind"),
]

def policy_for(source: _Source, kind: str) -> PortalPolicy:
    return source.policy or DEFAULT_POLICIES.get(kind) or DEFAULT_POLICIES["browser"]


def linkedin_source(name: str, base: str, keywords: str = "", location: str = "",
                    **overrides: object) -> BrowserSource:
    """LinkedIn's guest job search, as JobSpy reads it (ten cards per `start`)."""
    return BrowserSource.model_validate({
        "name": name, "site": "linkedin", "page_step": 10,
        "search_url": f"{base}/jobs-guest/jobs/api/seeMoreJobPostings/search?"
                      f"keywords={keywords}&location={location}&start={{offset}}",
        "card": "div.base-search-card",
        "fields": {
            "id": {"selector": ":scope", "attribute": "data-entity-urn",
                   "pattern": r"urn:li:jobPosting:(\d+)"},
            "title": {"selector": "h3.base-search-card__title"},
            "company": {"selector": "h4.base-search-card__subtitle"},
            "location": {"selector": "span.job-search-card__location"},
            "url": {"selector": "a.base-card__full-link", "attribute": "href"},
            "posted": {"selector": "time.job-search-card__listdate", "attribute": "datetime"},
        },
        "detail": {"description": {"selector": "div.show-more-less-html__markup"}},
        **overrides,
    })


def glassdoor_source(name: str, base: str, keyword: str = "",
                     **overrides: object) -> BrowserSource:
    """Glassdoor's job search pages (30 listings a page, `p` numbered from 1)."""
    return BrowserSource.model_validate({
        "name": name, "site": "glassdoor", "page_step": 30,
        "search_url": f"{base}/Job/jobs.htm?sc.keyword={keyword}&p={{page}}",
        "card": "li[data-test=jobListing]",
        "fields": {
            "id": {"selector": ":scope", "attribute": "data-jobid"},
            "title": {"selector": "a[data-test=job-title]"},
            "company": {"selector": "[class^=EmployerProfile_compactEmployerName]"},
            "location": {"selector": "[data-test=emp-location]"},
            "url": {"selector": "a[data-test=job-title]", "attribute": "href"},
        },
        "detail": {"description": {"selector": "[class^=JobDetails_jobDescription]"}},
        **overrides,
    })


def indeed_source(name: str, base: str, query: str = "", location: str = "",
                  **overrides: object) -> BrowserSource:
    """Indeed's search results page (`q`, `l`, `start` in tens)."""
    return BrowserSource.model_validate({
        "name": name, "site": "indeed", "page_step": 10,
        "search_url": f"{base}/jobs?q={query}&l={location}&start={{offset}}",
        "card": "div.job_seen_beacon",
        "fields": {
            "id": {"selector": "h2.jobTitle a", "attribute": "data-jk"},
            "title": {"selector": "h2.jobTitle span[title]"},
            "company": {"selector": "[data-testid=company-name]"},
            "location": {"selector": "[data-testid=text-location]"},
            "url": {"selector": "h2.jobTitle a", "attribute": "href"},
        },
        "detail": {"description": {"selector": "#jobDescriptionText"}},
        "empty_marker": ".jobsearch-NoResult-messageContainer",
        **overrides,
    })


def sandbox_seed_boards(api_base: str) -> list[SourceConfig]:
    """The sandbox portal's Greenhouse boards on `api_base`: its seed jobs, one posted twice.

    Read every five minutes, so a job closed in the sandbox soon expires.
    """
    return [
        GreenhouseSource(name=f"greenhouse-{token}", board_token=token, company=company,
                         api_base=api_base, interval_s=300)
        for token, company in (("acme", "Acme"), ("globex", "Globex"), ("acme-careers", "Acme"))
    ]


def sandbox_sources(api_base: str) -> list[SourceConfig]:
    """Every API-shaped source the sandbox portal serves on `api_base`."""
    return [
        *sandbox_seed_boards(api_base),
        LeverSource(name="lever-acme", site="acme", company="Acme", api_base=api_base),
        AshbySource(name="ashby-acme", board="acme", company="Acme", api_base=api_base),
        WorkdaySource(name="workday-initech", tenant="initech", site="External",
                      company="Initech", api_base=api_base),
        AdzunaSource(name="adzuna-gb", country="gb", app_id="sandbox",
                     app_key=SecretStr("sandbox-key"), api_base=api_base),
    ]

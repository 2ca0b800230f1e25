"""Seed postings of the Lever, Ashby, Workday and Adzuna stand-ins.

Acme's "Senior Backend Engineer (Python)", Remote, is also on Greenhouse (twice): the same
job seen on three kinds of source, for deduplication.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.portal.jobs import BACKEND_CONTENT, PLATFORM_CONTENT

_EPOCH = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
_ROLES = ("Backend Engineer", "Data Analyst", "Product Manager", "QA Engineer",
          "Site Reliability Engineer", "Support Engineer", "Technical Writer",
          "Security Engineer", "Machine Learning Engineer")
_CITIES = (("Austin", "TX", "US"), ("Chicago", "IL", "US"), ("Denver", "CO", "US"),
           ("Seattle", "WA", "US"), ("Boston", "MA", "US"))
_UK = (("London", "London"), ("Manchester", "North West England"), ("Leeds", "Yorkshire"),
       ("Bristol", "South West England"), ("Edinburgh", "Scotland"))
_EMPLOYERS = ("Hooli", "Umbrella", "Stark Industries", "Wayne Enterprises", "Soylent",
              "Vandelay Industries", "Cyberdyne", "Tyrell")


def _uuid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"jams-sandbox:{name}"))


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def lever_posting(site: str, base: str, ident: str, title: str, location: str,
                  html: str, created: datetime, team: str = "Engineering") -> dict[str, Any]:
    """One posting as `GET /v0/postings/{site}?mode=json` lists it (base URL filled later)."""
    return {
        "id": ident, "text": title,
        "categories": {"location": location, "commitment": "Full-time", "team": team,
                       "department": team, "allLocations": [location]},
        "country": None, "opening": "", "openingPlain": "",
        "description": html, "descriptionPlain": "", "descriptionBody": html,
        "descriptionBodyPlain": "", "lists": [], "additional": "", "additionalPlain": "",
        "hostedUrl": f"{base}/lever/{site}/{ident}",
        "applyUrl": f"{base}/lever/{site}/{ident}/apply",
        "workplaceType": "remote" if location == "Remote" else "on-site",
        "createdAt": _ms(created),
    }


def ashby_job(board: str, base: str, ident: str, title: str, location: str, html: str,
              published: datetime, *, listed: bool = True) -> dict[str, Any]:
    """One job as Ashby's job-board API lists it."""
    return {
        "id": ident, "title": title, "department": "Engineering", "team": "Engineering",
        "employmentType": "FullTime", "location": location, "secondaryLocations": [],
        "address": {"postalAddress": {"addressLocality": location, "addressRegion": "",
                                      "addressCountry": ""}},
        "isRemote": location == "Remote",
        "workplaceType": "Remote" if location == "Remote" else "OnSite",
        "publishedAt": published.isoformat(), "isListed": listed,
        "jobUrl": f"{base}/ashby/{board}/{ident}",
        "applyUrl": f"{base}/ashby/{board}/{ident}/application",
        "descriptionHtml": html, "descriptionPlain": "",
        "shouldDisplayCompensationOnJobPostings": False,
    }


@dataclass
class WorkdayJob:
    """A Workday posting: the listing fields and the detail fields."""

    req_id: str
    title: str
    city: str
    region: str
    country: str
    posted: datetime
    description: str

    @property
    def path(self) -> str:
        slug = self.title.replace(" ", "-")
        return f"/job/{self.city}-{self.region}/{slug}_{self.req_id}"

    @property
    def location(self) -> str:
        return f"{self.city}, {self.region}"


@dataclass
class SourceData:
    """Everything the source routers serve; tests mutate it to add or remove postings."""

    lever: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ashby: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    workday: dict[tuple[str, str], list[WorkdayJob]] = field(default_factory=dict)
    adzuna: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def adzuna_job(index: int, created: datetime, *, base: str = "") -> dict[str, Any]:
    """A generated Adzuna search result."""
    role = _ROLES[index % len(_ROLES)]
    city, region = _UK[index % len(_UK)]
    employer = _EMPLOYERS[index % len(_EMPLOYERS)]
    ident = str(4_700_000_000 + index)
    return {
        "__CLASS__": "Adzuna::API::Response::Job",
        "id": ident, "adref": f"eyJhbGciOi{index}", "title": f"{role}",
        "description": f"{employer} is hiring a {role} in {city}. You will work with a "
                       "friendly team on products people use every day…",
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "redirect_url": f"{base}/adzuna/land/ad/{ident}",
        "company": {"__CLASS__": "Adzuna::API::Response::Company", "display_name": employer},
        "location": {"__CLASS__": "Adzuna::API::Response::Location",
                     "display_name": f"{city}, {region}", "area": ["UK", region, city]},
        "latitude": 51.5, "longitude": -0.12,
        "category": {"__CLASS__": "Adzuna::API::Response::Category",
                     "label": "IT Jobs", "tag": "it-jobs"},
        "salary_min": 40000.0 + 1000 * (index % 20), "salary_max": 60000.0 + 1000 * (index % 20),
        "salary_is_predicted": "0", "contract_type": "permanent", "contract_time": "full_time",
    }


def seed_data() -> SourceData:
    """The default sandbox sources (URLs are relative; routers prefix the request's base)."""
    data = SourceData()
    data.lever["acme"] = [
        lever_posting("acme", "", _uuid("lever-acme-backend"), "Senior Backend Engineer (Python)",
                      "Remote", BACKEND_CONTENT, _EPOCH - timedelta(days=20)),
        lever_posting("acme", "", _uuid("lever-acme-sre"), "Site Reliability Engineer",
                      "Berlin", PLATFORM_CONTENT, _EPOCH - timedelta(days=3)),
    ]
    data.ashby["acme"] = [
        ashby_job("acme", "", _uuid("ashby-acme-backend"), "Senior Backend Engineer (Python)",
                  "Remote", BACKEND_CONTENT, _EPOCH - timedelta(days=19)),
        ashby_job("acme", "", _uuid("ashby-acme-designer"), "Product Designer", "London",
                  "<p>Design Acme's storefront.</p>", _EPOCH - timedelta(days=2)),
        ashby_job("acme", "", _uuid("ashby-acme-secret"), "Stealth Project Lead", "Remote",
                  "<p>Not advertised.</p>", _EPOCH - timedelta(days=1), listed=False),
    ]
    data.workday[("initech", "External")] = [
        WorkdayJob(req_id=f"R-{1000 + i}", title=_ROLES[i % len(_ROLES)],
                   city=_CITIES[i % len(_CITIES)][0], region=_CITIES[i % len(_CITIES)][1],
                   country=_CITIES[i % len(_CITIES)][2], posted=_EPOCH - timedelta(hours=6 * i),
                   description=f"<p>Initech needs a {_ROLES[i % len(_ROLES)]}.</p>"
                               "<ul><li>Reports on time</li></ul>")
        for i in range(45)
    ]
    data.adzuna["gb"] = [adzuna_job(i, _EPOCH - timedelta(hours=i)) for i in range(120)]
    return data

"""One interface for every portal's applier, and the choice of portal by the posting's URL."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from services.application_bot.adapters.browser import BrowserPage
from services.application_bot.adapters.kit.visit import Visit
from services.application_bot.domain import Applicant, Rejected


class Applier(Protocol):
    """Fills and sends one portal's application form; reports what happened as a Visit."""

    async def apply(
        self, page: BrowserPage, apply_url: str, applicant: Applicant, resume: Path
    ) -> Visit: ...


_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_TOKEN = r"[A-Za-z0-9_.-]+"
# Hosted-page paths of the portals we apply on, as each portal shapes them.
GREENHOUSE_PATH = re.compile(rf"^/(?!jobs/){_TOKEN}/jobs/\d+/?$")  # /{board}/jobs/{post id}
EASY_APPLY_PATH = re.compile(r"^/jobs/view/\d+/apply/?$")  # LinkedIn Easy Apply
LEVER_PATH = re.compile(rf"^/{_TOKEN}/(?P<posting>{_UUID})/apply/?$")  # /{site}/{id}/apply
ASHBY_PATH = re.compile(rf"^/{_TOKEN}/(?P<job>{_UUID})/application/?$")  # /{board}/{id}/application
# /{locale}/{site}/job/{location}/{Title}_{JR-123}[/apply[/applyManually]]
WORKDAY_PATH = re.compile(
    r"^/[a-z]{2}-[A-Z]{2}/[A-Za-z0-9_-]+/job/[^/]+/[^/]+_(?P<req>[A-Za-z]*-?\d+)"
    r"(?:/apply(?:/applyManually)?)?/?$")
INDEED_PATH = re.compile(r"^/viewjob/?$")  # /viewjob?jk={16 hex}
# Anything else is tried as a generic career-site form: the applier refuses cleanly when the
# page has no form that takes a resume.
ANY_PATH = re.compile(r"^/")


@dataclass(frozen=True)
class Route:
    """A portal, known by its hosts (the real sites) or by its hosted pages' path shape."""

    portal: str
    path: re.Pattern[str]
    hosts: tuple[str, ...] = ()

    def matches(self, host: str, path: str) -> bool:
        on_host = any(host == h or host.endswith(f".{h}") for h in self.hosts)
        return on_host or bool(self.path.match(path))


# Most specific first: Greenhouse's board paths would also match looser shapes.
ROUTES: tuple[Route, ...] = (
    Route("linkedin", EASY_APPLY_PATH, ("linkedin.com",)),
    Route("lever", LEVER_PATH, ("jobs.lever.co", "jobs.eu.lever.co")),
    Route("ashby", ASHBY_PATH, ("jobs.ashbyhq.com",)),
    Route("workday", WORKDAY_PATH, ("myworkdayjobs.com",)),
    Route("indeed", INDEED_PATH, ("indeed.com",)),
    Route("greenhouse", GREENHOUSE_PATH,
          ("boards.greenhouse.io", "job-boards.greenhouse.io", "job-boards.eu.greenhouse.io")),
)


def route_of(apply_url: str) -> Route | None:
    parts = urlsplit(apply_url)
    host = (parts.hostname or "").lower()
    return next((route for route in ROUTES if route.matches(host, parts.path)), None)


def portal_of(apply_url: str) -> str:
    """The portal an application goes to: caps, politeness and breakers are kept per portal.

    A known portal by name (the name discovery keys its limits by), a career site by host.
    """
    route = route_of(apply_url)
    if route is not None:
        return route.portal
    return (urlsplit(apply_url).hostname or "unknown").lower()


class ApplierRegistry:
    """The applier of the posting's portal; a career site's generic form otherwise."""

    def __init__(self, by_portal: Mapping[str, Applier], *, career_site: Applier | None) -> None:
        self._by_portal = dict(by_portal)
        self._career_site = career_site

    def applier_for(self, apply_url: str) -> Applier | None:
        route = route_of(apply_url)
        if route is not None:
            return self._by_portal.get(route.portal)
        return self._career_site

    async def apply(
        self, page: BrowserPage, apply_url: str, applicant: Applicant, resume: Path
    ) -> Visit:
        applier = self.applier_for(apply_url)
        if applier is None:
            return Visit(Rejected(f"no applier knows this site: {apply_url[:200]!r}"))
        return await applier.apply(page, apply_url, applicant, resume)

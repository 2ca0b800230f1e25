"""One interface for every portal's applier, and the choice of applier by the posting's URL."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from services.application_bot.adapters.browser import BrowserPage
from services.application_bot.adapters.greenhouse_form import Visit
from services.application_bot.domain import Applicant, Rejected


class Applier(Protocol):
    """Fills and sends one portal's application form; reports what happened as a Visit."""

    async def apply(
        self, page: BrowserPage, apply_url: str, applicant: Applicant, resume: Path
    ) -> Visit: ...


# Hosted-page paths of the portals we apply on: Greenhouse's /{board}/jobs/{id}, LinkedIn's
# /jobs/view/{id}/apply (Easy Apply).
GREENHOUSE_PATH = re.compile(r"^/(?!jobs/)[A-Za-z0-9_.-]+/jobs/\d+/?$")
EASY_APPLY_PATH = re.compile(r"^/jobs/view/\d+/apply/?$")
# Anything else is tried as a generic career-site form (Lever's hosted page is one): the
# applier refuses cleanly when the page has no form that takes a resume.
ANY_PATH = re.compile(r"^/")


def portal_of(apply_url: str) -> str:
    """The portal an application goes to, as daily caps per portal name it."""
    path = urlsplit(apply_url).path
    if EASY_APPLY_PATH.match(path):
        return "linkedin"
    if GREENHOUSE_PATH.match(path):
        return "greenhouse"
    return (urlsplit(apply_url).hostname or "unknown").lower()


class ApplierRegistry:
    """The applier whose URL pattern the posting matches; none matching is a clean refusal."""

    def __init__(self, routes: Sequence[tuple[re.Pattern[str], Applier]]) -> None:
        self._routes = tuple(routes)

    def applier_for(self, apply_url: str) -> Applier | None:
        path = urlsplit(apply_url).path
        return next((applier for pattern, applier in self._routes if pattern.match(path)),
                    None)

    async def apply(
        self, page: BrowserPage, apply_url: str, applicant: Applicant, resume: Path
    ) -> Visit:
        applier = self.applier_for(apply_url)
        if applier is None:
            return Visit(Rejected(f"no applier knows this site: {apply_url[:200]!r}"))
        return await applier.apply(page, apply_url, applicant, resume)

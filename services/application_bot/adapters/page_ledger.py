"""Settling from what the candidate could see: the portal's pages in their session, and a
confirmation page captured as evidence before a crash."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from infra.blobs import BlobStore
from services.application_bot.adapters.appliers import WORKDAY_PATH, portal_of
from services.application_bot.adapters.browser import BrowserError, BrowserPage
from services.application_bot.adapters.portal_ledger import (
    Applied,
    LedgerAnswer,
    LedgerQuery,
    LedgerUnavailable,
    NotApplied,
)
from services.application_bot.evidence import evidence_prefix

# A tab in the candidate's own portal session (their storage state); a fresh context where
# none was handed over, in which no portal shows a signed-in member's "Applied" state.
CandidatePages = Callable[[uuid.UUID], AbstractAsyncContextManager[BrowserPage]]


@dataclass(frozen=True)
class AppliedMarkers:
    """How one portal shows a signed-in member that they applied to a posting."""

    signed_in: str  # present only on a page seen by a signed-in member
    applied: Callable[[str], str]  # the "Applied" state of the posting at the apply URL
    page: Callable[[str], str] = lambda apply_url: apply_url  # the page that shows it


def _fixed(selector: str) -> Callable[[str], str]:
    return lambda _apply_url: selector


def _workday_home(apply_url: str) -> str:
    """Workday's "My applications": /{locale}/{site}/userHome on the posting's site."""
    parts = urlsplit(apply_url)
    locale, site = parts.path.split("/")[1:3]
    return urlunsplit((parts.scheme, parts.netloc, f"/{locale}/{site}/userHome", "", ""))


def _workday_row(apply_url: str) -> str:
    match = WORKDAY_PATH.match(urlsplit(apply_url).path)
    requisition = match["req"] if match else ""
    return f'[data-automation-id="applicationRow"][data-requisition="{requisition}"]'


MARKERS: Mapping[str, AppliedMarkers] = {
    # The posting's top card says "Applied 3 minutes ago" to a member who applied.
    "linkedin": AppliedMarkers(".global-nav__me",
                               _fixed(".jobs-s-apply .artdeco-inline-feedback__message")),
    # The apply button turns into an "Applied" status for a signed-in job seeker.
    "indeed": AppliedMarkers('[data-gnav-element-name="AccountMenu"]',
                             _fixed('[data-testid="indeed-apply-status-applied"]')),
    # The candidate home lists every application of the account with its requisition.
    "workday": AppliedMarkers('[data-automation-id="myApplicationsPage"]', _workday_row,
                              page=_workday_home),
}


class PortalPageLedger:
    """Opens the posting (or the account's applications) as the candidate and reads it.

    Only a signed-in page tells: with the "Applied" marker it went through, without it it
    did not. Signed out (no session handed over, or an expired one), it cannot tell.
    """

    def __init__(self, pages: CandidatePages,
                 markers: Mapping[str, AppliedMarkers] = MARKERS) -> None:
        self._pages = pages
        self._markers = markers

    async def check(self, query: LedgerQuery) -> LedgerAnswer:
        markers = self._markers.get(portal_of(query.apply_url))
        if markers is None:
            return None
        url, applied = markers.page(query.apply_url), markers.applied(query.apply_url)
        try:
            async with self._pages(query.candidate_id) as page:
                status = await page.open(url)
                if status is not None and status >= 400:
                    raise LedgerUnavailable(f"the portal answered {status} for {url}")
                if not await page.count(markers.signed_in):
                    return None
                if not await page.count(applied):
                    return NotApplied(f"the portal's page, signed in: {url}")
                shown = (await page.dom_property(applied, "textContent") or "").strip()
        except BrowserError as exc:
            raise LedgerUnavailable(f"cannot open {url}: {exc}") from exc
        return Applied(shown[:200] or "applied", {"source": "portal_page", "page_url": url,
                                                  "shown": shown[:1000]})


class CapturedConfirmation:
    """A confirmation page (Greenhouse's, Lever's...) stored as evidence before the crash."""

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs

    async def check(self, query: LedgerQuery) -> LedgerAnswer:
        key = f"{evidence_prefix(query.application_id)}/confirmation.html"
        try:
            if not await self._blobs.exists(key):
                return None
        except OSError as exc:
            raise LedgerUnavailable(f"cannot read the evidence: {exc}") from exc
        return Applied("captured confirmation page", {"source": "captured_page", "page": key})

"""How one visit to an application form ended, and what the page showed when it did."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import structlog

from services.application_bot.adapters.browser import BrowserError, BrowserPage
from services.application_bot.domain import Outcome
from services.application_bot.screening import RecordedAnswer

log = structlog.get_logger(__name__)

_MAX_REASON = 500
_MAX_EVIDENCE_HTML = 5_000_000  # a hostile page must not fill the evidence store


@dataclass(frozen=True)
class PageEvidence:
    """What the page looked like when the visit ended."""

    url: str
    html: str
    screenshot: bytes


@dataclass(frozen=True)
class Visit:
    """How one visit to an application form ended, what the page showed and what was sent."""

    outcome: Outcome
    evidence: PageEvidence | None = None
    sent: Mapping[str, str] = field(default_factory=dict)
    answers: tuple[RecordedAnswer, ...] = ()


def short(reason: str) -> str:
    return reason if len(reason) <= _MAX_REASON else reason[: _MAX_REASON - 1] + "…"


async def capture(page: BrowserPage) -> PageEvidence | None:
    try:
        html = (await page.html())[:_MAX_EVIDENCE_HTML]
        return PageEvidence(page.url, html, await page.screenshot())
    except BrowserError as exc:
        log.warning("could not capture evidence", error=str(exc))
        return None

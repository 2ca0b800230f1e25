"""Filling a Greenhouse hosted application form, and telling a real one from anything else."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import structlog

from services.application_bot.adapters.browser import BrowserError, BrowserPage
from services.application_bot.domain import (
    Applicant,
    Confirmed,
    NotSent,
    Outcome,
    Rejected,
    Unconfirmed,
)
from services.application_bot.screening import RecordedAnswer

log = structlog.get_logger(__name__)

FORM = "#application_form"
TEXT_FIELDS = ("first_name", "last_name", "email", "phone")
RESUME_INPUT = f'{FORM} input[type="file"][name="resume"]'
SUBMIT = "#submit_app"
# After submitting: the confirmation page, or the form again with the portal's objections.
CONFIRMED = "text=Thank you for applying"
REFUSED = "#error_messages"
# How a confirmation id shows on the page: "Confirmation: GH-1234", "confirmation id ABC123".
_CONFIRMATION_ID = re.compile(
    r"confirmation(?:\s+(?:id|number|code))?\s*[:#]?\s*([A-Za-z0-9][A-Za-z0-9_-]{3,80})",
    re.IGNORECASE,
)
CLOSED_WORDS = ("no longer accepting", "no longer open", "position has been filled",
                 "job is closed", "posting is closed", "has closed")
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


def _field(name: str) -> str:
    return f'{FORM} input[name="{name}"]'


def short(reason: str) -> str:
    return reason if len(reason) <= _MAX_REASON else reason[: _MAX_REASON - 1] + "…"


class GreenhouseApplier:
    """Applies through a Greenhouse-style hosted job page."""

    def __init__(self, *, confirmation_timeout_s: float) -> None:
        self._confirmation_timeout_s = confirmation_timeout_s

    async def apply(
        self, page: BrowserPage, apply_url: str, applicant: Applicant, resume: Path
    ) -> Visit:
        """Open the posting, fill and send the form, and wait for the portal's confirmation."""
        if (refused := await open_posting(page, apply_url, _check_form)) is not None:
            return refused
        sent = {name: str(getattr(applicant, name)) for name in TEXT_FIELDS} | {
            "resume": resume.name}
        try:
            for name in TEXT_FIELDS:
                await page.fill(_field(name), sent[name])
            await page.attach(RESUME_INPUT, resume)
        except BrowserError as exc:
            return Visit(NotSent(short(f"could not fill the form: {exc}")), await capture(page))
        try:
            await page.click(SUBMIT)
        except BrowserError as exc:
            # The click may have gone through before the error: only the portal can tell.
            return Visit(Unconfirmed(short(f"submitting failed: {exc}")), await capture(page),
                         sent)
        seen = await page.wait_for_any((CONFIRMED, REFUSED), self._confirmation_timeout_s)
        if seen is None:
            reason = f"no confirmation within {self._confirmation_timeout_s:g}s of submitting"
            return Visit(Unconfirmed(reason), await capture(page), sent)
        evidence = await capture(page)
        if seen == REFUSED:
            return Visit(Rejected(short(f"the portal refused the application: "
                                         f"{await _text_of(page, REFUSED)}")), evidence, sent)
        confirmation = await confirmation_id(page)
        return Visit(Confirmed(confirmation), evidence, sent)


def status_problem(status: int | None) -> Outcome | None:
    if status is None or status < 400:
        return None
    if status in (404, 410):
        return Rejected(f"the posting is gone (HTTP {status})")
    if status == 429 or status >= 500:
        return NotSent(f"the portal answered HTTP {status}")
    return Rejected(f"the job page answered HTTP {status}")


async def _check_form(page: BrowserPage, apply_url: str) -> Rejected | None:
    """Why this page is not a form we may send the candidate's details to, if it is not."""
    try:
        if await page.count(FORM) == 0:
            # Greenhouse sends a closed post back to its board with `?error=true`.
            redirected_to_board = "error=true" in urlsplit(page.url).query
            text = (await page.text()).lower()
            if redirected_to_board or any(words in text for words in CLOSED_WORDS):
                return Rejected("the posting is closed")
            return Rejected(f"not the expected application form: no {FORM} on the page")
        missing = [name for name in TEXT_FIELDS if await page.count(_field(name)) == 0]
        if await page.count(RESUME_INPUT) == 0:
            missing.append("resume (file input)")
        if await page.count(SUBMIT) == 0:
            missing.append(SUBMIT)
        if missing:
            return Rejected(f"not the expected application form: missing {', '.join(missing)}")
        action = await page.dom_property(FORM, "action") or ""
    except BrowserError as exc:
        return Rejected(short(f"not the expected application form: {exc}"))
    # Personal data goes only to the site the posting is on, never to a third party.
    target, expected = urlsplit(action), urlsplit(apply_url)
    if target.scheme not in ("http", "https") or target.netloc != expected.netloc:
        return Rejected(short(
            f"the form would send the application to {action!r}, not to {expected.netloc}"
        ))
    return None


async def capture(page: BrowserPage) -> PageEvidence | None:
    try:
        html = (await page.html())[:_MAX_EVIDENCE_HTML]
        return PageEvidence(page.url, html, await page.screenshot())
    except BrowserError as exc:
        log.warning("could not capture evidence", error=str(exc))
        return None


async def _text_of(page: BrowserPage, selector: str) -> str:
    try:
        text = await page.dom_property(selector, "innerText") or ""
    except BrowserError:
        return "(unreadable)"
    return " ".join(text.split())


async def confirmation_id(page: BrowserPage) -> str:
    """The confirmation id the page shows; empty when it shows none."""
    try:
        if await page.count("#confirmation_id"):
            value = await page.dom_property("#confirmation_id", "innerText")
            if value and value.strip():
                return value.strip()[:200]
        match = _CONFIRMATION_ID.search(await page.text())
    except BrowserError as exc:
        log.warning("could not read the confirmation id", error=str(exc))
        return ""
    return match.group(1) if match else ""


async def open_posting(
    page: BrowserPage,
    apply_url: str,
    check: Callable[[BrowserPage, str], Awaitable[Rejected | None]],
) -> Visit | None:
    """Open the job page; the Visit to return at once when it cannot be applied to."""
    try:
        status = await page.open(apply_url)
    except BrowserError as exc:
        return Visit(NotSent(short(f"could not open the job page: {exc}")))
    if (problem := status_problem(status)) is not None:
        return Visit(problem, await capture(page))
    if (rejection := await check(page, apply_url)) is not None:
        log.info("not an application page", reason=rejection.reason)
        return Visit(rejection, await capture(page))
    return None

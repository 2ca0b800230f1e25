"""Reading a portal's pages: opening a posting, telling a closed or foreign one, the answer."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from urllib.parse import SplitResult, urlsplit

import structlog

from services.application_bot.adapters.browser import BrowserError, BrowserPage, RefusedDestination
from services.application_bot.adapters.kit.checkpoints import checkpoint_on, signed_out
from services.application_bot.adapters.kit.visit import Visit, capture, short
from services.application_bot.domain import NotSent, Outcome, Rejected

log = structlog.get_logger(__name__)

CLOSED_WORDS = ("no longer accepting", "no longer open", "position has been filled",
                "job is closed", "posting is closed", "has closed")
# How a confirmation id shows on the page: "Confirmation: GH-1234", "confirmation id ABC123".
_CONFIRMATION_ID = re.compile(
    r"confirmation(?:\s+(?:id|number|code))?\s*[:#]?\s*([A-Za-z0-9][A-Za-z0-9_-]{3,80})",
    re.IGNORECASE,
)

PageCheck = Callable[[BrowserPage, str], Awaitable[Rejected | None]]
SameSite = Callable[[SplitResult, SplitResult], bool]


def status_problem(status: int | None) -> Outcome | None:
    if status is None or status < 400:
        return None
    if status in (404, 410):
        return Rejected(f"the posting is gone (HTTP {status})")
    if status == 429 or status >= 500:
        return NotSent(f"the portal answered HTTP {status}")
    return Rejected(f"the job page answered HTTP {status}")


async def open_posting(page: BrowserPage, apply_url: str, check: PageCheck, *,
                       needs_session: bool = False) -> Visit | None:
    """Open the job page; the Visit to return at once when it cannot be applied to.

    A checkpoint stops the visit whatever the status (a captcha may come with a 403); a
    portal that applies in the candidate's session must not show its sign-in page.
    """
    try:
        status = await page.open(apply_url)
    except RefusedDestination as exc:
        # Nothing of a refused page is kept: it may be an internal one.
        return Visit(Rejected(short(str(exc))))
    except BrowserError as exc:
        return Visit(NotSent(short(f"could not open the job page: {exc}")))
    stop: Outcome | None = await checkpoint_on(page)
    if stop is None and needs_session:
        stop = await signed_out(page)
    if stop is not None:
        log.info("the visit stops before the form", reason=getattr(stop, "reason", ""))
        return Visit(stop, await capture(page))
    if (problem := status_problem(status)) is not None:
        return Visit(problem, await capture(page))
    if (rejection := await check(page, apply_url)) is not None:
        log.info("not an application page", reason=rejection.reason)
        return Visit(rejection, await capture(page))
    return None


async def says_closed(page: BrowserPage) -> bool:
    """Whether the page's text says the posting no longer takes applications."""
    text = (await page.text()).lower()
    return any(words in text for words in CLOSED_WORDS)


def same_host(url: SplitResult, posting: SplitResult) -> bool:
    return url.netloc == posting.netloc


def sends_elsewhere(
    action: str, apply_url: str, same_site: SameSite = same_host
) -> Rejected | None:
    """Personal data goes only to the site the posting is on, never to a third party."""
    target, posting = urlsplit(action), urlsplit(apply_url)
    if target.scheme in ("http", "https") and same_site(target, posting):
        return None
    return Rejected(short(
        f"the form would send the application to {action!r}, not to {posting.netloc}"))


async def text_of(page: BrowserPage, selector: str) -> str:
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

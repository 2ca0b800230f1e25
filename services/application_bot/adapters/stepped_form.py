"""Applying through a hosted page whose form may take several steps, described by selectors.

Lever, Ashby, Workday and Indeed Apply differ in their markup and in how many steps they take,
not in what applying is: reach the form (buttons such as Workday's "Apply" then "Apply
Manually"), fill each step from the applicant and their verified facts only, go on until the
submit button shows, send, and wait for the confirmation. Each portal is a `FlowShape`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

import structlog

from services.application_bot.adapters.browser import BrowserError, BrowserPage
from services.application_bot.adapters.easy_apply import fill_field
from services.application_bot.adapters.greenhouse_form import (
    CLOSED_WORDS,
    Visit,
    capture,
    confirmation_id,
    open_posting,
    short,
)
from services.application_bot.domain import (
    Applicant,
    Confirmed,
    NotSent,
    Rejected,
    Unconfirmed,
)
from services.application_bot.screening import RecordedAnswer

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class FlowShape:
    """Where things are on one portal's hosted application pages."""

    portal: str
    form: str  # the application form (present once `start` is done)
    step: str  # the step on show (the whole form for a one-page flow)
    next: str | None  # goes on to the following step (inside `step`); None: one page
    submit: str  # sends the application (inside `step`, on the last step)
    confirmed: str  # shows once the portal took the application
    refused: str  # the portal's objections after sending
    start: tuple[str, ...] = ()  # clicked in turn on the job page to reach the form
    step_title: str | None = None  # names the step on show, for reasons and logs
    closed: str | None = None  # a closed posting's notice, when the portal has one
    max_steps: int = 8  # more means it is not the flow we know
    form_posts: bool = True  # a plain HTML form: its `action` must stay on the posting's site
    entry: Callable[[str], str] | None = None  # where applying starts, from the posting's URL


class SteppedFormApplier:
    """Walks a `FlowShape`; stops at any question the answer bank cannot answer."""

    def __init__(self, shape: FlowShape, *, confirmation_timeout_s: float) -> None:
        self._shape = shape
        self._confirmation_timeout_s = confirmation_timeout_s

    async def apply(
        self, page: BrowserPage, apply_url: str, applicant: Applicant, resume: Path
    ) -> Visit:
        shape = self._shape
        start_url = shape.entry(apply_url) if shape.entry is not None else apply_url
        if (refused := await open_posting(page, start_url, self._check_job_page)) is not None:
            return refused
        sent: dict[str, str] = {}
        answers: list[RecordedAnswer] = []

        async def stop(outcome: Rejected | NotSent | Unconfirmed) -> Visit:
            return Visit(outcome, await capture(page), sent, tuple(answers))

        try:
            for button in shape.start:
                if await page.count(shape.form):
                    break  # the posting's URL was the form's own (e.g. `.../applyManually`)
                await page.click(button)
            if shape.start:
                await page.wait_for_any((shape.form,), self._confirmation_timeout_s)
            if (problem := await self._check_form(page, apply_url)) is not None:
                return await stop(problem)
            for _ in range(shape.max_steps):
                title = await self._title(page)
                for form_field in await page.fields(shape.step):
                    needs_review = await fill_field(page, form_field, applicant, resume, sent,
                                                    answers)
                    if needs_review is not None:
                        log.info("screening question needs review", portal=shape.portal,
                                 step=title)
                        return await stop(needs_review)
                if await page.count(f"{shape.step} {shape.submit}"):
                    break
                if shape.next is None or not await page.count(f"{shape.step} {shape.next}"):
                    return await stop(Rejected(short(
                        f"the form changed: no way on from step {title!r}")))
                before = await page.dom_property(shape.step, "outerHTML")
                await page.click(f"{shape.step} {shape.next}")
                if await page.dom_property(shape.step, "outerHTML") == before:
                    return await stop(Rejected(short(f"the form did not accept step {title!r}")))
            else:
                return await stop(Rejected(f"the form has more than {shape.max_steps} steps"))
        except BrowserError as exc:
            return await stop(NotSent(short(f"could not fill the form: {exc}")))
        if resume.name not in sent.values():
            return await stop(Rejected("the form changed: no resume upload found"))
        try:
            await page.click(f"{shape.step} {shape.submit}")
        except BrowserError as exc:
            # The click may have gone through before the error: only the portal can tell.
            return await stop(Unconfirmed(short(f"submitting failed: {exc}")))
        seen = await page.wait_for_any((shape.confirmed, shape.refused),
                                       self._confirmation_timeout_s)
        evidence = await capture(page)
        if seen is None:
            reason = f"no confirmation within {self._confirmation_timeout_s:g}s of submitting"
            return Visit(Unconfirmed(reason), evidence, sent, tuple(answers))
        if seen == shape.refused:
            text = await page.dom_property(shape.refused, "innerText") or ""
            return Visit(Rejected(short(f"the portal refused the application: "
                                        f"{' '.join(text.split())}")),
                         evidence, sent, tuple(answers))
        return Visit(Confirmed(await confirmation_id(page)), evidence, sent, tuple(answers))

    async def _title(self, page: BrowserPage) -> str:
        selector = self._shape.step_title
        if selector is None or not await page.count(selector):
            return ""
        return " ".join((await page.dom_property(selector, "innerText") or "").split())

    async def _check_job_page(self, page: BrowserPage, apply_url: str) -> Rejected | None:
        """A closed posting, or a page that is not this portal's, is refused before any click."""
        shape = self._shape
        first = shape.start[0] if shape.start else shape.form
        try:
            if shape.closed is not None and await page.count(shape.closed):
                return Rejected("the posting is closed")
            if await page.count(first) == 0 and await page.count(shape.form) == 0:
                text = (await page.text()).lower()
                if any(words in text for words in CLOSED_WORDS):
                    return Rejected("the posting is closed")
                return Rejected(f"not the expected application page: no {first}")
        except BrowserError as exc:
            return Rejected(short(f"not the expected application page: {exc}"))
        return None

    async def _check_form(self, page: BrowserPage, apply_url: str) -> Rejected | None:
        """Personal data goes only to the site the posting is on, never to a third party."""
        shape = self._shape
        if await page.count(shape.form) == 0:
            return Rejected(f"the form changed: no {shape.form} after {' then '.join(shape.start)}")
        expected = urlsplit(apply_url)
        if not same_site(urlsplit(page.url), expected):
            return Rejected(short(f"the application page moved to another site: {page.url!r}"))
        if shape.form_posts:
            action = await page.dom_property(shape.form, "action") or ""
            target = urlsplit(action)
            if target.scheme not in ("http", "https") or not same_site(target, expected):
                return Rejected(short(f"the form would send the application to {action!r}"))
        return None


def same_site(url: SplitResult, posting: SplitResult) -> bool:
    """The posting's own host, or another host of the portal's domain (Indeed's `smartapply`)."""
    if url.netloc == posting.netloc:
        return True
    host, home = (url.hostname or "").lower(), (posting.hostname or "").lower()
    if url.port != posting.port or not host or not home or _is_address(home):
        return False
    return host.split(".")[-2:] == home.split(".")[-2:] and home.count(".") >= 1


def _is_address(host: str) -> bool:
    return host.replace(".", "").isdigit() or ":" in host

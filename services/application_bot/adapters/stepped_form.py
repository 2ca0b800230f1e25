"""Applying through a hosted page whose form may take several steps, described by selectors.

Lever, Ashby, Workday and Indeed Apply differ in their markup and in how many steps they take,
not in what applying is: reach the form (buttons such as Workday's "Apply" then "Apply
Manually"), fill each step from the applicant and their verified facts only, go on until the
submit button shows, send, and wait for the confirmation. Each portal is a `FlowShape`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from services.application_bot.adapters.browser import BrowserError, BrowserPage
from services.application_bot.adapters.kit.applier import FormApplier, Reply
from services.application_bot.adapters.kit.filling import Filling
from services.application_bot.adapters.kit.pages import says_closed, sends_elsewhere
from services.application_bot.adapters.kit.steps import Steps, walk_steps
from services.application_bot.adapters.kit.visit import short
from services.application_bot.domain import NeedsReview, Rejected


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
    signed_in: bool = False  # applies in the candidate's own session on the portal


class SteppedFormApplier(FormApplier):
    """Walks a `FlowShape`; stops at any question the answer bank cannot answer."""

    def __init__(self, shape: FlowShape, *, confirmation_timeout_s: float) -> None:
        super().__init__(confirmation_timeout_s=confirmation_timeout_s)
        self._shape = shape
        self.needs_session = shape.signed_in
        self._steps = Steps(
            step=shape.step, next=None if shape.next is None else f"{shape.step} {shape.next}",
            submit=f"{shape.step} {shape.submit}", title=self._title, max_steps=shape.max_steps)
        self.reply = Reply(submit=self._steps.submit, confirmed=(shape.confirmed,),
                           refused=shape.refused)

    async def _title(self, page: BrowserPage) -> str:
        selector = self._shape.step_title
        if selector is None or not await page.count(selector):
            return ""
        return " ".join((await page.dom_property(selector, "innerText") or "").split())

    def entry(self, apply_url: str) -> str:
        return self._shape.entry(apply_url) if self._shape.entry is not None else apply_url

    async def check(self, page: BrowserPage, apply_url: str) -> Rejected | None:
        """A closed posting, or a page that is not this portal's, is refused before any click."""
        shape = self._shape
        first = shape.start[0] if shape.start else shape.form
        try:
            if shape.closed is not None and await page.count(shape.closed):
                return Rejected("the posting is closed")
            if await page.count(first) == 0 and await page.count(shape.form) == 0:
                if await says_closed(page):
                    return Rejected("the posting is closed")
                return Rejected(f"not the expected application page: no {first}")
        except BrowserError as exc:
            return Rejected(short(f"not the expected application page: {exc}"))
        return None

    async def fill(self, form: Filling) -> NeedsReview | Rejected | None:
        page, shape = form.page, self._shape
        for button in shape.start:
            if await page.count(shape.form):
                break  # the posting's URL was the form's own (e.g. `.../applyManually`)
            await page.click(button)
        if shape.start:
            await page.wait_for_any((shape.form,), self.confirmation_timeout_s)
        if (problem := await self._check_form(page, form.apply_url)) is not None:
            return problem
        if (stop := await walk_steps(form, self._steps)) is not None:
            return stop
        return form.resume_missing()

    async def _check_form(self, page: BrowserPage, apply_url: str) -> Rejected | None:
        """Personal data goes only to the site the posting is on, never to a third party."""
        shape = self._shape
        if await page.count(shape.form) == 0:
            return Rejected(f"the form changed: no {shape.form} after {' then '.join(shape.start)}")
        if not same_site(urlsplit(page.url), urlsplit(apply_url)):
            return Rejected(short(f"the application page moved to another site: {page.url!r}"))
        if shape.form_posts:
            return sends_elsewhere(await page.dom_property(shape.form, "action") or "", apply_url,
                                   same_site)
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

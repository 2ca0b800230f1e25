"""Generic career-site forms (Lever's hosted page among them): one page, fields found by label."""

from __future__ import annotations

from services.application_bot.adapters.browser import BrowserError, BrowserPage
from services.application_bot.adapters.kit.applier import FormApplier, Reply
from services.application_bot.adapters.kit.filling import Filling
from services.application_bot.adapters.kit.pages import says_closed, sends_elsewhere
from services.application_bot.adapters.kit.visit import short
from services.application_bot.domain import NeedsReview, Rejected

# The application form is the one that takes a file (the resume).
FORM = "form:has(input[type=file])"
SUBMIT = f"{FORM} button[type=submit], {FORM} input[type=submit]"
CONFIRMED = ("text=/application submitted|thank(s| you) for applying/i",)
REFUSED = "[role=alert], .error-message"


class CareerFormApplier(FormApplier):
    """Fills whatever the labels ask for, from the applicant and their verified facts only."""

    reply = Reply(submit=SUBMIT, confirmed=CONFIRMED, refused=REFUSED)

    async def check(self, page: BrowserPage, apply_url: str) -> Rejected | None:
        try:
            if await page.count(FORM) == 0:
                if await says_closed(page):
                    return Rejected("the posting is closed")
                return Rejected("not an application form: no form takes a resume")
            if await page.count(SUBMIT) == 0:
                return Rejected("not an application form: no submit button")
            action = await page.dom_property(FORM, "action") or ""
        except BrowserError as exc:
            return Rejected(short(f"not an application form: {exc}"))
        return sends_elsewhere(action, apply_url)

    async def fill(self, form: Filling) -> NeedsReview | Rejected | None:
        if (needs_review := await form.put_all(FORM)) is not None:
            return needs_review
        return form.resume_missing()

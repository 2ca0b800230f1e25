"""Generic career-site forms (Lever's hosted page among them): one page, fields found by label."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

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

# The application form is the one that takes a file (the resume).
FORM = "form:has(input[type=file])"
SUBMIT = f"{FORM} button[type=submit], {FORM} input[type=submit]"
CONFIRMED = ("text=/application submitted|thank(s| you) for applying/i",)
REFUSED = "[role=alert], .error-message"


class CareerFormApplier:
    """Fills whatever the labels ask for, from the applicant and their verified facts only."""

    def __init__(self, *, confirmation_timeout_s: float) -> None:
        self._confirmation_timeout_s = confirmation_timeout_s

    async def apply(
        self, page: BrowserPage, apply_url: str, applicant: Applicant, resume: Path
    ) -> Visit:
        if (refused := await open_posting(page, apply_url, _check_page)) is not None:
            return refused
        sent: dict[str, str] = {}
        answers: list[RecordedAnswer] = []
        try:
            for form_field in await page.fields(FORM):
                stop = await fill_field(page, form_field, applicant, resume, sent, answers)
                if stop is not None:
                    return Visit(stop, await capture(page), sent, tuple(answers))
        except BrowserError as exc:
            return Visit(NotSent(short(f"could not fill the form: {exc}")), await capture(page),
                         sent, tuple(answers))
        if resume.name not in sent.values():
            return Visit(Rejected("the form changed: no resume upload found"),
                         await capture(page), sent, tuple(answers))
        try:
            await page.click(SUBMIT)
        except BrowserError as exc:
            return Visit(Unconfirmed(short(f"submitting failed: {exc}")), await capture(page),
                         sent, tuple(answers))
        seen = await page.wait_for_any((*CONFIRMED, REFUSED), self._confirmation_timeout_s)
        evidence = await capture(page)
        if seen is None:
            return Visit(Unconfirmed(f"no confirmation within {self._confirmation_timeout_s:g}s"),
                         evidence, sent, tuple(answers))
        if seen == REFUSED:
            text = await page.dom_property(REFUSED, "innerText") or ""
            return Visit(Rejected(short(f"the site refused the application: "
                                        f"{' '.join(text.split())}")),
                         evidence, sent, tuple(answers))
        return Visit(Confirmed(await confirmation_id(page)), evidence, sent, tuple(answers))


async def _check_page(page: BrowserPage, apply_url: str) -> Rejected | None:
    try:
        if await page.count(FORM) == 0:
            text = (await page.text()).lower()
            if any(words in text for words in (*CLOSED_WORDS, "no longer open")):
                return Rejected("the posting is closed")
            return Rejected("not an application form: no form takes a resume")
        if await page.count(SUBMIT) == 0:
            return Rejected("not an application form: no submit button")
        action = await page.dom_property(FORM, "action") or ""
    except BrowserError as exc:
        return Rejected(short(f"not an application form: {exc}"))
    target, expected = urlsplit(action), urlsplit(apply_url)
    if target.scheme not in ("http", "https") or target.netloc != expected.netloc:
        return Rejected(short(f"the form would send the application to {action!r}"))
    return None


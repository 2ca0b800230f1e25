"""Applying through a LinkedIn Easy Apply-style modal: steps of fields, questions and uploads."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import structlog

from services.application_bot.adapters.browser import BrowserError, BrowserPage, FormField
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
    NeedsReview,
    NotSent,
    Rejected,
    Unconfirmed,
)
from services.application_bot.screening import (
    AnswerBank,
    RecordedAnswer,
    contact_field,
    contact_value,
)

log = structlog.get_logger(__name__)

OPEN_MODAL = "#easy_apply_button"
FORM = "#easy_apply_form"
STEP = ".ea-step:not([hidden])"
NEXT = f"{STEP} button.ea-next"
SUBMIT = f"{STEP} #ea_submit"
SENT = "#post_apply_modal"
REFUSED = "#ea_errors"
MAX_STEPS = 8  # a real modal has four or five; more means it is not the flow we know


class EasyApplyApplier:
    """Walks the modal step by step; stops at any question the answer bank cannot answer."""

    def __init__(self, *, confirmation_timeout_s: float) -> None:
        self._confirmation_timeout_s = confirmation_timeout_s

    async def apply(
        self, page: BrowserPage, apply_url: str, applicant: Applicant, resume: Path
    ) -> Visit:
        # The posting must still be open: a closed one shows no Easy Apply button.
        if (refused := await open_posting(page, apply_url, _check_page)) is not None:
            return refused
        sent: dict[str, str] = {}
        answers: list[RecordedAnswer] = []
        try:
            await page.click(OPEN_MODAL)
            for _ in range(MAX_STEPS):
                step = await page.dom_property(STEP, "dataset") or ""
                fields = await page.fields(STEP)
                for form_field in fields:
                    stop = await fill_field(page, form_field, applicant, resume, sent, answers)
                    if stop is not None:
                        log.info("screening question needs review")
                        return Visit(stop, await capture(page), sent, tuple(answers))
                if await page.count(SUBMIT):
                    break
                if not await page.count(NEXT):
                    return Visit(Rejected(short(
                        "the form changed: no way on from its current step")),
                        await capture(page), sent, tuple(answers))
                before = await page.dom_property(STEP, "outerHTML")
                await page.click(NEXT)
                if await page.dom_property(STEP, "outerHTML") == before:
                    return Visit(Rejected(short(f"the form did not accept step {step!r}")),
                                 await capture(page), sent, tuple(answers))
            else:
                return Visit(Rejected(f"the form has more than {MAX_STEPS} steps"),
                             await capture(page), sent, tuple(answers))
        except BrowserError as exc:
            return Visit(NotSent(short(f"could not fill the form: {exc}")), await capture(page),
                         sent, tuple(answers))
        try:
            await page.click(SUBMIT)
        except BrowserError as exc:
            return Visit(Unconfirmed(short(f"submitting failed: {exc}")), await capture(page),
                         sent, tuple(answers))
        seen = await page.wait_for_any((SENT, REFUSED), self._confirmation_timeout_s)
        evidence = await capture(page)
        if seen is None:
            reason = f"no confirmation within {self._confirmation_timeout_s:g}s of submitting"
            return Visit(Unconfirmed(reason), evidence, sent, tuple(answers))
        if seen == REFUSED:
            text = await page.dom_property(REFUSED, "innerText") or ""
            return Visit(Rejected(short(f"the portal refused the application: "
                                        f"{' '.join(text.split())}")),
                         evidence, sent, tuple(answers))
        return Visit(Confirmed(await confirmation_id(page)), evidence, sent, tuple(answers))


async def _check_page(page: BrowserPage, apply_url: str) -> Rejected | None:
    try:
        if await page.count(OPEN_MODAL) == 0:
            text = (await page.text()).lower()
            if any(words in text for words in CLOSED_WORDS):
                return Rejected("the posting is closed")
            return Rejected(f"not the expected application page: no {OPEN_MODAL}")
        if await page.count(FORM) == 0:
            return Rejected(f"not the expected application page: no {FORM}")
        action = await page.dom_property(FORM, "action") or ""
    except BrowserError as exc:
        return Rejected(short(f"not the expected application page: {exc}"))
    # Personal data goes only to the site the posting is on.
    target, expected = urlsplit(action), urlsplit(apply_url)
    if target.scheme not in ("http", "https") or target.netloc != expected.netloc:
        return Rejected(short(f"the form would send the application to {action!r}"))
    return None


async def fill_field(
    page: BrowserPage, form_field: FormField, applicant: Applicant, resume: Path,
    sent: dict[str, str], answers: list[RecordedAnswer],
) -> NeedsReview | None:
    """Fill one control; what stops the application if nothing verified answers it."""
    if form_field.kind == "file":
        await page.attach(form_field.selector, resume)
        sent[form_field.name] = resume.name
        return None
    typed = form_field.kind not in ("select", "radio", "checkbox")
    if typed and (name := contact_field(form_field.label)) is not None:
        value = contact_value(applicant, name)
        await page.fill(form_field.selector, value)
        sent[form_field.name] = value
        return None
    answer = _bank(applicant).answer(form_field.label, form_field.options)
    if answer is None:
        if not form_field.required:
            return None  # optional and unknown: left empty rather than guessed
        return NeedsReview(short(f"needs review: no verified answer to "
                                 f"{form_field.label!r}"), question=form_field.label)
    if form_field.kind == "select":
        await page.select(form_field.selector, answer.answer)
    elif form_field.kind == "radio":
        await page.check(f'{form_field.selector}[value="{_css_string(answer.answer)}"]')
    elif form_field.kind == "checkbox":
        if _yes(answer.answer):
            await page.check(form_field.selector)
        elif form_field.required:
            # A required box the facts say "no" to (a consent not given): a person decides.
            return NeedsReview(short(f"needs review: the candidate's answer to "
                                     f"{form_field.label!r} is no"), question=form_field.label)
    else:
        await page.fill(form_field.selector, answer.answer)
    sent[form_field.name] = answer.answer
    answers.append(answer)
    return None


def _css_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _yes(answer: str) -> bool:
    return answer.strip().lower() in {"yes", "true", "y", "1", "i agree", "agree"}


def _bank(applicant: Applicant) -> AnswerBank:
    return applicant.answers

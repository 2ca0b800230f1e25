"""Filling one form on a visit: each control from the applicant or their verified facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from services.application_bot.adapters.browser import BrowserPage, FormField
from services.application_bot.adapters.kit.visit import PageEvidence, Visit, capture, short
from services.application_bot.domain import Applicant, NeedsReview, Outcome, Rejected
from services.application_bot.screening import RecordedAnswer, contact_field, contact_value


@dataclass
class Filling:
    """A form being filled: what goes into it, and what has gone in so far."""

    page: BrowserPage
    apply_url: str
    applicant: Applicant
    resume: Path
    sent: dict[str, str] = field(default_factory=dict)
    answers: list[RecordedAnswer] = field(default_factory=list)

    async def put(self, selector: str, name: str, value: str) -> None:
        """Type `value` into a control whose meaning the applier knows."""
        await self.page.fill(selector, value)
        self.sent[name] = value

    async def put_resume(self, selector: str, name: str) -> None:
        await self.page.attach(selector, self.resume)
        self.sent[name] = self.resume.name

    async def put_all(self, scope: str) -> NeedsReview | None:
        """Fill every control inside `scope` by its label; what stops the application, if any."""
        for form_field in await self.page.fields(scope):
            if (needs_review := await self.put_field(form_field)) is not None:
                return needs_review
        return None

    async def put_field(self, form_field: FormField) -> NeedsReview | None:
        """Fill one control; what stops the application if nothing verified answers it."""
        page = self.page
        if form_field.kind == "file":
            await self.put_resume(form_field.selector, form_field.name)
            return None
        typed = form_field.kind not in ("select", "radio", "checkbox")
        if typed and (name := contact_field(form_field.label)) is not None:
            await self.put(form_field.selector, form_field.name,
                           contact_value(self.applicant, name))
            return None
        answer = self.applicant.answers.answer(form_field.label, form_field.options)
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
                                         f"{form_field.label!r} is no"),
                                   question=form_field.label)
        else:
            await page.fill(form_field.selector, answer.answer)
        self.sent[form_field.name] = answer.answer
        self.answers.append(answer)
        return None

    def resume_missing(self) -> Rejected | None:
        """A form with nowhere to upload the resume has changed from the one we know."""
        if self.resume.name in self.sent.values():
            return None
        return Rejected("the form changed: no resume upload found")

    def visit(self, outcome: Outcome, evidence: PageEvidence | None) -> Visit:
        return Visit(outcome, evidence, dict(self.sent), tuple(self.answers))

    async def ended(self, outcome: Outcome) -> Visit:
        """The visit ending here, with the page as it is now."""
        return self.visit(outcome, await capture(self.page))


def _css_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _yes(answer: str) -> bool:
    return answer.strip().lower() in {"yes", "true", "y", "1", "i agree", "agree"}

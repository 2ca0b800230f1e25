"""Filling a Greenhouse hosted application form, and telling a real one from anything else."""

from __future__ import annotations

from urllib.parse import urlsplit

from services.application_bot.adapters.browser import BrowserError, BrowserPage
from services.application_bot.adapters.kit.applier import FormApplier, Reply
from services.application_bot.adapters.kit.filling import Filling
from services.application_bot.adapters.kit.pages import says_closed, sends_elsewhere
from services.application_bot.adapters.kit.visit import short
from services.application_bot.domain import Rejected

FORM = "#application_form"
TEXT_FIELDS = ("first_name", "last_name", "email", "phone")
RESUME_INPUT = f'{FORM} input[type="file"][name="resume"]'
SUBMIT = "#submit_app"
# After submitting: the confirmation page, or the form again with the portal's objections.
CONFIRMED = "text=Thank you for applying"
REFUSED = "#error_messages"


def _field(name: str) -> str:
    return f'{FORM} input[name="{name}"]'


class GreenhouseApplier(FormApplier):
    """Applies through a Greenhouse-style hosted job page: fixed fields, one resume upload."""

    reply = Reply(submit=SUBMIT, confirmed=(CONFIRMED,), refused=REFUSED)

    async def check(self, page: BrowserPage, apply_url: str) -> Rejected | None:
        try:
            if await page.count(FORM) == 0:
                # Greenhouse sends a closed post back to its board with `?error=true`.
                redirected_to_board = "error=true" in urlsplit(page.url).query
                if await says_closed(page) or redirected_to_board:
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
        return sends_elsewhere(action, apply_url)

    async def fill(self, form: Filling) -> None:
        for name in TEXT_FIELDS:
            await form.put(_field(name), name, str(getattr(form.applicant, name)))
        await form.put_resume(RESUME_INPUT, "resume")

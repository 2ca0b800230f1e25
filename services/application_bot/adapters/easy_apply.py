"""Applying through a LinkedIn Easy Apply-style modal: steps of fields, questions and uploads."""

from __future__ import annotations

from services.application_bot.adapters.browser import BrowserError, BrowserPage
from services.application_bot.adapters.kit.applier import FormApplier, Reply
from services.application_bot.adapters.kit.filling import Filling
from services.application_bot.adapters.kit.pages import says_closed, sends_elsewhere
from services.application_bot.adapters.kit.steps import Steps, walk_steps
from services.application_bot.adapters.kit.visit import short
from services.application_bot.domain import NeedsReview, Rejected

OPEN_MODAL = "#easy_apply_button"
FORM = "#easy_apply_form"
STEP = ".ea-step:not([hidden])"
SENT = "#post_apply_modal"
REFUSED = "#ea_errors"


async def _step_name(page: BrowserPage) -> str:
    return await page.dom_property(STEP, "dataset") or ""


# A real modal has four or five steps.
STEPS = Steps(step=STEP, next=f"{STEP} button.ea-next", submit=f"{STEP} #ea_submit",
              title=_step_name)


class EasyApplyApplier(FormApplier):
    """Walks the modal step by step; stops at any question the answer bank cannot answer."""

    reply = Reply(submit=STEPS.submit, confirmed=(SENT,), refused=REFUSED)
    needs_session = True

    async def check(self, page: BrowserPage, apply_url: str) -> Rejected | None:
        """The posting must still be open: a closed one shows no Easy Apply button."""
        try:
            if await page.count(OPEN_MODAL) == 0:
                if await says_closed(page):
                    return Rejected("the posting is closed")
                return Rejected(f"not the expected application page: no {OPEN_MODAL}")
            if await page.count(FORM) == 0:
                return Rejected(f"not the expected application page: no {FORM}")
            action = await page.dom_property(FORM, "action") or ""
        except BrowserError as exc:
            return Rejected(short(f"not the expected application page: {exc}"))
        return sends_elsewhere(action, apply_url)

    async def fill(self, form: Filling) -> NeedsReview | Rejected | None:
        await form.page.click(OPEN_MODAL)
        return await walk_steps(form, STEPS)

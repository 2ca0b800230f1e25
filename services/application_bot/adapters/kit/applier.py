"""One visit to apply, written once: open the posting, fill, send, and read the portal's answer.

An applier says only what differs between portals: how its page is checked, how its form is
filled, and where the portal answers (`Reply`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from services.application_bot.adapters.browser import BrowserError, BrowserPage
from services.application_bot.adapters.kit.checkpoints import checkpoint_on
from services.application_bot.adapters.kit.filling import Filling
from services.application_bot.adapters.kit.pages import confirmation_id, open_posting, text_of
from services.application_bot.adapters.kit.visit import Visit, capture, short
from services.application_bot.domain import (
    Applicant,
    Confirmed,
    NotSent,
    Outcome,
    Rejected,
    Unconfirmed,
)


@dataclass(frozen=True)
class Reply:
    """How the application is sent, and where the portal's answer shows."""

    submit: str  # the button that sends the application
    confirmed: tuple[str, ...]  # any of these shows once the portal took it
    refused: str  # the portal's objections after sending


class FormApplier(ABC):
    """Applies through one portal's form; subclasses say how to check and fill it."""

    reply: Reply
    # Applies in the candidate's own session (LinkedIn, Indeed): a sign-in page means it ended.
    needs_session: bool = False

    def __init__(self, *, confirmation_timeout_s: float) -> None:
        self.confirmation_timeout_s = confirmation_timeout_s

    def entry(self, apply_url: str) -> str:
        """Where applying starts, from the posting's URL."""
        return apply_url

    @abstractmethod
    async def check(self, page: BrowserPage, apply_url: str) -> Rejected | None:
        """Why the opened page is not one to send the candidate's details to, if it is not."""

    @abstractmethod
    async def fill(self, form: Filling) -> Outcome | None:
        """Fill the form, ready to send; what ends the visit before sending, if anything."""

    async def apply(
        self, page: BrowserPage, apply_url: str, applicant: Applicant, resume: Path
    ) -> Visit:
        """Open the posting, fill and send the form, and wait for the portal's answer."""
        if (refused := await open_posting(page, self.entry(apply_url), self.check,
                                          needs_session=self.needs_session)) is not None:
            return refused
        form = Filling(page, apply_url, applicant, resume)
        try:
            stop = await self.fill(form)
        except BrowserError as exc:
            stop = NotSent(short(f"could not fill the form: {exc}"))
        if stop is None:
            # A step may have put up a checkpoint: it is never answered, so nothing is sent.
            stop = await checkpoint_on(page)
        if stop is not None:
            return await form.ended(stop)
        try:
            await page.click(self.reply.submit)
        except BrowserError as exc:
            # The click may have gone through before the error: only the portal can tell.
            return await form.ended(Unconfirmed(short(f"submitting failed: {exc}")))
        return await self._answer(form)

    async def _answer(self, form: Filling) -> Visit:
        """What the portal said to the sent form, with the page that said it."""
        page, reply = form.page, self.reply
        seen = await page.wait_for_any((*reply.confirmed, reply.refused),
                                       self.confirmation_timeout_s)
        evidence = await capture(page)
        outcome: Outcome
        if seen is None:
            outcome = Unconfirmed(
                f"no confirmation within {self.confirmation_timeout_s:g}s of submitting")
        elif seen == reply.refused:
            outcome = Rejected(short(f"the portal refused the application: "
                                     f"{await text_of(page, reply.refused)}"))
        else:
            outcome = Confirmed(await confirmation_id(page))
        return form.visit(outcome, evidence)

"""Forms shown a step at a time: fill the step on show, go on, until the submit button shows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog

from services.application_bot.adapters.browser import BrowserPage
from services.application_bot.adapters.kit.filling import Filling
from services.application_bot.adapters.kit.visit import short
from services.application_bot.domain import NeedsReview, Rejected

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Steps:
    """Where a stepped form's parts are; every selector is whole, not relative to `step`."""

    step: str  # the step on show
    next: str | None  # goes on to the following step; None: a one-page form
    submit: str  # sends the application, on the last step
    title: Callable[[BrowserPage], Awaitable[str]]  # names the step on show, for reasons
    max_steps: int = 8  # more means it is not the flow we know


async def walk_steps(form: Filling, steps: Steps) -> NeedsReview | Rejected | None:
    """Fill each step in turn up to the one that submits; what stops the visit, if anything."""
    page = form.page
    for _ in range(steps.max_steps):
        title = await steps.title(page)
        if (needs_review := await form.put_all(steps.step)) is not None:
            log.info("screening question needs review", step=title)
            return needs_review
        if await page.count(steps.submit):
            return None
        if steps.next is None or not await page.count(steps.next):
            return Rejected(short(f"the form changed: no way on from step {title!r}"))
        before = await page.dom_property(steps.step, "outerHTML")
        await page.click(steps.next)
        if await page.dom_property(steps.step, "outerHTML") == before:
            return Rejected(short(f"the form did not accept step {title!r}"))
    return Rejected(f"the form has more than {steps.max_steps} steps")

"""The hosted application pages of Lever, Ashby, Workday and Indeed Apply, as flow shapes."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

from services.application_bot.adapters.stepped_form import FlowShape, SteppedFormApplier

# Lever: one page, `#application-form` posting to itself; a full name; custom "cards"; then
# `/thanks`.
LEVER = FlowShape(
    portal="lever", form="#application-form", step="#application-form", next=None,
    submit="#btn-submit", confirmed=".application-confirmation",
    refused=".error-message[role=alert]",
)

# Ashby: a client-side form with no action (its script posts to Ashby's own API); yes/no
# questions as button pairs over radio inputs; a success notice replaces the form.
ASHBY = FlowShape(
    portal="ashby", form="form.ashby-application-form", step="form.ashby-application-form",
    next=None, submit="button.ashby-application-form-submit-button",
    confirmed=".ashby-application-form-success-container",
    refused=".ashby-application-form-errors", form_posts=False,
)

# Workday: "Apply", then "Apply Manually" (no candidate account), then My Information, My
# Experience, Application Questions and Review, "Save and Continue" between them.
_WD_NEXT = '[data-automation-id="bottom-navigation-next-button"]'
WORKDAY = FlowShape(
    portal="workday",
    start=('[data-automation-id="adventureButton"]', '[data-automation-id="applyManually"]'),
    form='form[data-automation-id="applyFlowForm"]',
    step='form[data-automation-id="applyFlowForm"] section[data-automation-id^="applyFlow"]'
         ":not([hidden])",
    next=f'button[type="button"]{_WD_NEXT}', submit=f'button[type="submit"]{_WD_NEXT}',
    step_title='[data-automation-id="progressBarActiveStep"]',
    confirmed='[data-automation-id="applicationSubmittedDialog"]',
    refused='[data-automation-id="errorBanner"]',
    closed='[data-automation-id="jobClosedBanner"]',
)


def indeed_apply_entry(apply_url: str) -> str:
    """Indeed Apply's first step for a `/viewjob?jk=...` posting (on smartapply.indeed.com)."""
    parts = urlsplit(apply_url)
    jk = (parse_qs(parts.query).get("jk") or [""])[0]
    if not jk:
        return apply_url
    host = (parts.hostname or "").lower()
    on_indeed = host == "indeed.com" or host.endswith(".indeed.com")
    origin = "https://smartapply.indeed.com" if on_indeed else f"{parts.scheme}://{parts.netloc}"
    return f"{origin}/beta/indeedapply/form/contact-info?jk={quote(jk, safe='')}"


# Indeed Apply: contact information, resume, screening questions, review; "Continue" between.
_IA_STEP = "form#ia-container .ia-BasePage:not([hidden])"
INDEED = FlowShape(
    portal="indeed", entry=indeed_apply_entry, form="form#ia-container", step=_IA_STEP,
    next='button.ia-continueButton[type="button"]',
    submit='button.ia-continueButton[type="submit"]', step_title=f"{_IA_STEP} h1",
    confirmed=".ia-PostApply", refused=".ia-Errors", closed=".ia-JobExpired", signed_in=True,
)

SHAPES = {shape.portal: shape for shape in (LEVER, ASHBY, WORKDAY, INDEED)}


def hosted_appliers(*, confirmation_timeout_s: float) -> dict[str, SteppedFormApplier]:
    """An applier per portal with a hosted page shape, by portal name."""
    return {portal: SteppedFormApplier(shape, confirmation_timeout_s=confirmation_timeout_s)
            for portal, shape in SHAPES.items()}

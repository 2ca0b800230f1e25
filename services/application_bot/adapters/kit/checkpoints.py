"""Pages that stop a visit: a portal's checkpoint (captcha, 2FA, "unusual activity", new terms)
and its sign-in page. Each is recognised by its markers; none is ever solved or bypassed."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from services.application_bot.adapters.browser import BrowserError, BrowserPage
from services.application_bot.domain import Checkpoint, SignedOut


@dataclass(frozen=True)
class Markers:
    """How one kind of checkpoint shows: any selector present, or any phrase in the text."""

    kind: str
    selectors: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()


# Most specific first: a captcha page also says "verify", a 2FA page also "security". Only
# what is shown counts: an invisible reCAPTCHA v3 or hCaptcha on a form scores the visit
# without asking anything, and is no checkpoint.
CHECKPOINTS: tuple[Markers, ...] = (
    Markers("captcha", selectors=(
        "iframe[src*='recaptcha']:not([src*='size=invisible']):visible",
        "iframe[title*='reCAPTCHA' i]:not([src*='size=invisible']):visible",
        ".g-recaptcha:not([data-size='invisible']):visible",
        "iframe[src*='hcaptcha']:visible", ".h-captcha:not([data-size='invisible']):visible",
        "iframe[src*='challenges.cloudflare.com']:visible", "#captcha-internal:visible")),
    Markers("two_factor", selectors=(
        "input[autocomplete='one-time-code']:visible", "input[name*='verification' i]:visible",
        "input[name='pin']:visible", "input[id*='verification-code' i]:visible"),
        phrases=("enter the code we sent", "two-step verification", "verification code",
                 "two-factor authentication")),
    Markers("unusual_activity", phrases=(
        "unusual activity", "let's do a quick security check", "verify it's you",
        "verify that you're a human", "are you a robot", "suspicious activity")),
    Markers("terms", phrases=(
        "we've updated our user agreement", "we've updated our terms",
        "accept the updated terms", "agree to the updated terms", "review and accept our terms",
        "accept our new terms")),
)

# Where portals send a visitor who is not signed in.
SIGN_IN_PATHS = ("/login", "/uas/login", "/authwall", "/signin", "/sign-in", "/account/login",
                 "/auth")
SIGN_IN_SELECTORS = ("input[type='password']:visible", "form[data-sign-in]:visible",
                     "[data-tn-element='auth-page']")


def _apostrophes(text: str) -> str:
    return text.replace("\u2019", "'").lower()


async def checkpoint_on(page: BrowserPage) -> Checkpoint | None:
    """The checkpoint the page shows, if any; the page as it is, never touched."""
    try:
        text = _apostrophes(await page.text())
        for markers in CHECKPOINTS:
            for selector in markers.selectors:
                if await page.count(selector):
                    return _stop(markers.kind, f"the page shows {selector}")
            for phrase in markers.phrases:
                if phrase in text:
                    return _stop(markers.kind, f"the page says {phrase!r}")
    except BrowserError:
        return None  # an unreadable page is the applier's to judge
    return None


def _stop(kind: str, why: str) -> Checkpoint:
    question = (f"The portal stopped the application at a {kind.replace('_', ' ')} checkpoint "
                f"({why}); a person must go on with it, the bot does not.")
    return Checkpoint(f"checkpoint: {kind}", question=question, kind=kind)


async def signed_out(page: BrowserPage) -> SignedOut | None:
    """Whether the page is the portal's sign-in page rather than the posting."""
    path = urlsplit(page.url).path.lower().rstrip("/")
    if any(path == p or path.startswith(f"{p}/") for p in SIGN_IN_PATHS):
        return SignedOut(f"the portal sent the visit to its sign-in page ({path})")
    try:
        for selector in SIGN_IN_SELECTORS:
            if await page.count(selector):
                return SignedOut(f"the portal asks to sign in ({selector})")
    except BrowserError:
        return None
    return None

"""Checkpoints stop the visit: captcha (reCAPTCHA, hCaptcha), 2FA, "unusual activity" and new
terms pages of the sandbox, in headless Chromium. Nothing is filled or sent, the page is kept
as evidence, a person is asked to take the application on, and the portal's breaker counts it.

Operators switch applying per portal; LinkedIn's real site is off until one turns it on, while
the sandbox's stand-in for it is on. An application the bot may not make goes to a person,
with nothing opened or sent.
"""
# ruff: noqa: F811 - the fixtures are shared with the bot's other tests and named as there

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import async_playwright
from redis.asyncio import Redis

from infra.clock import FakeClock
from infra.politeness import CircuitBreaker, PortalPolicy
from sandbox.portal.apply_flows.easy_apply import (
    CAPTCHA_ON_REVIEW_JOB,
    CHECKPOINT_JOBS,
    SEED_EASY_APPLY_JOBS,
)
from schemas.events.applications import (
    ApplicationFailed,
    ApplicationNeedsReview,
    ApplicationSubmitted,
)
from schemas.events.config import PortalAutomationChanged
from services.application_bot.adapters.browser import CHROMIUM_ARGS, PlaywrightPage
from services.application_bot.adapters.kit.checkpoints import checkpoint_on
from tests.integration.test_application_bot import (  # noqa: F401 - fixtures
    Bot,
    Portal,
    approved,
    browser,
    portal,
)
from tests.integration.test_application_bot_politeness import (  # noqa: F401 - fixtures
    polite_bot,
    prefix,
    redis,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

# One checkpoint opens the breaker, so that it is seen to count.
WARY = PortalPolicy(rate_per_s=100, burst=10, max_concurrency=2, breaker_failures=1,
                    breaker_open_s=600)
KIND_OF = {"recaptcha": "captcha", "hcaptcha": "captcha", "two_factor": "two_factor",
           "unusual_activity": "unusual_activity", "terms": "terms"}


@pytest.mark.parametrize("page", sorted(CHECKPOINT_JOBS))
async def test_a_checkpoint_stops_the_visit_with_evidence_for_a_person(
    polite_bot: object, portal: Portal, redis: Redis, prefix: str, fake_clock: FakeClock,
    page: str,
) -> None:
    bot: Bot = await polite_bot(portal_policies={"linkedin": WARY})  # type: ignore[operator]
    version = await bot.add_resume()
    job = CHECKPOINT_JOBS[page]

    await bot.deliver(approved(version, f"{portal.url}/jobs/view/{job.id}/apply"))

    assert portal.store.all() == [], "nothing was sent"
    [row] = await bot.rows()
    assert (row["state"], row["attempts"]) == ("failed", 1)
    assert row["reason"] == f"checkpoint: {KIND_OF[page]}"
    [review] = await bot.emitted(ApplicationNeedsReview)
    assert f"{KIND_OF[page].replace('_', ' ')} checkpoint" in review["question"]
    assert "a person must go on with it" in review["question"]
    assert await bot.emitted(ApplicationFailed) == []

    evidence = f"evidence/{row['application_id']}/attempt-1"
    screenshot = await bot.blobs.get(f"{evidence}/page.png")
    assert screenshot.startswith(b"\x89PNG")
    html = (await bot.blobs.get(f"{evidence}/page.html")).decode()
    assert f'data-checkpoint="{page}"' in html, "the checkpoint page itself, untouched"

    breaker = CircuitBreaker(redis, fake_clock, prefix)
    assert await breaker.state("linkedin") == "open", "the portal's breaker counted it"


async def test_a_captcha_shown_on_the_last_step_stops_the_visit_before_sending(
    polite_bot: object, portal: Portal,
) -> None:
    bot: Bot = await polite_bot(portal_policies={"linkedin": WARY})  # type: ignore[operator]
    version = await bot.add_resume()

    await bot.deliver(approved(
        version, f"{portal.url}/jobs/view/{CAPTCHA_ON_REVIEW_JOB.id}/apply"))

    assert portal.store.all() == [], "the filled form was never sent"
    [row] = await bot.rows()
    assert (row["state"], row["reason"]) == ("failed", "checkpoint: captcha")
    [review] = await bot.emitted(ApplicationNeedsReview)
    assert "captcha checkpoint" in review["question"]
    assert await bot.blobs.exists(f"evidence/{row['application_id']}/attempt-1/page.png")


SHOWN_AND_HIDDEN = {
    # A form with reCAPTCHA v3 and an invisible hCaptcha, as many career sites have: they
    # score the visit without asking anything.
    "<form><div class='g-recaptcha' data-size='invisible' data-sitekey='k'></div>"
    "<iframe title='reCAPTCHA' src='https://www.google.com/recaptcha/api2/anchor?size=invisible'"
    " width='256' height='60'></iframe><div class='h-captcha' style='display:none'></div>"
    "<input name='email'></form>": None,
    "<form><div class='g-recaptcha' data-sitekey='k'>I'm not a robot</div></form>": "captcha",
    "<p>Enter the code we sent to +1 *** 0101</p><input name='pin'>": "two_factor",
    "<input type='password' name='pin' style='display:none'><p>Apply now</p>": None,
}


async def test_only_a_checkpoint_on_show_stops_a_visit(chromium_path: str) -> None:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=chromium_path,
                                                    args=list(CHROMIUM_ARGS))
        tab = await (await chromium.new_context()).new_page()
        # Nothing leaves the machine: the widgets' frames stay blank.
        await tab.route("**/*", lambda route: route.abort())
        for html, kind in SHOWN_AND_HIDDEN.items():
            await tab.set_content(html)
            found = await checkpoint_on(PlaywrightPage(tab))
            assert (found.kind if found else None) == kind, html
        await chromium.close()


PLAIN = SEED_EASY_APPLY_JOBS[3]  # no screening questions


async def test_the_real_linkedin_is_not_automated_until_an_operator_says_so(
    polite_bot: object,
) -> None:
    bot: Bot = await polite_bot(portal_policies={"linkedin": WARY})  # type: ignore[operator]
    version = await bot.add_resume()

    # The posting is never opened: the switch is read before the browser is asked for a page.
    await bot.deliver(approved(version, "https://www.linkedin.com/jobs/view/3901000001/apply"))

    [row] = await bot.rows()
    assert (row["state"], row["reason"]) == ("failed", "automation is off for linkedin")
    [review] = await bot.emitted(ApplicationNeedsReview)
    assert "Applying on linkedin is not automated" in review["question"]


async def test_an_operator_switches_applying_off_and_on_for_the_stand_in(
    polite_bot: object, portal: Portal,
) -> None:
    bot: Bot = await polite_bot(portal_policies={"linkedin": WARY})  # type: ignore[operator]
    version = await bot.add_resume()
    url = f"{portal.url}/jobs/view/{PLAIN.id}/apply"

    await bot.deliver(PortalAutomationChanged(portal="linkedin", applying=False))
    await bot.deliver(approved(version, url, job_id=uuid.uuid4()))

    assert portal.store.all() == []
    [row] = await bot.rows()
    assert (row["state"], row["reason"]) == ("failed", "automation is off for linkedin")

    await bot.deliver(PortalAutomationChanged(portal="linkedin", applying=True))
    await bot.deliver(approved(version, url, job_id=uuid.uuid4()))

    [sent] = portal.store.all()
    assert sent.job_id == PLAIN.id
    assert len(await bot.emitted(ApplicationSubmitted)) == 1

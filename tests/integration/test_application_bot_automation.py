"""Operators switch applying per portal; LinkedIn's real site is off until one turns it on,
while the sandbox's stand-in for it is on. An application the bot may not make goes to a
person, with nothing opened or sent."""
# ruff: noqa: F811 - the fixtures are shared with test_application_bot and named as there

from __future__ import annotations

import uuid

import pytest

from sandbox.portal.apply_flows.easy_apply import SEED_EASY_APPLY_JOBS
from schemas.events.applications import ApplicationNeedsReview, ApplicationSubmitted
from schemas.events.config import PortalAutomationChanged
from tests.integration.test_application_bot import (  # noqa: F401 - fixtures
    MakeBot,
    Portal,
    approved,
    browser,
    make_bot,
    portal,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PLAIN = SEED_EASY_APPLY_JOBS[3]  # no screening questions


async def test_the_real_linkedin_is_not_automated_until_an_operator_says_so(
    make_bot: MakeBot,
) -> None:
    bot = await make_bot()
    version = await bot.add_resume()

    # The posting is never opened: the switch is read before the browser is asked for a page.
    await bot.deliver(approved(version, "https://www.linkedin.com/jobs/view/3901000001/apply"))

    [row] = await bot.rows()
    assert (row["state"], row["reason"]) == ("failed", "automation is off for linkedin")
    [review] = await bot.emitted(ApplicationNeedsReview)
    assert "Applying on linkedin is not automated" in review["question"]


async def test_an_operator_switches_applying_off_and_on_for_the_stand_in(
    make_bot: MakeBot, portal: Portal,
) -> None:
    bot = await make_bot()
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

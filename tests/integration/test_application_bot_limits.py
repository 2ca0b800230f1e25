"""The candidate's limits, enforced where applying happens: blacklist, daily caps per portal."""
# ruff: noqa: F811 - the fixtures are shared with test_application_bot and named as there

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from sandbox.portal import SEED_JOBS
from schemas.events.applications import ApplicationFailed, ApplicationSubmitted
from tests.integration.test_application_bot import (  # noqa: F401 - fixtures
    ADA,
    SEED,
    MakeBot,
    Portal,
    approved,
    browser,
    make_bot,
    portal,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ACME_1, ACME_2, ACME_3 = (job for job in SEED_JOBS if job.board_token == "acme"
                          and job.id in (4012345001, 4012345002, 4012345003))
GLOBEX = next(job for job in SEED_JOBS if job.board_token == "globex")


@pytest.fixture
def seed_with_limits(tmp_path: Path) -> Path:
    seed = json.loads(SEED.read_text())
    for person in seed["candidates"]:
        if person["candidate_id"] == str(ADA):
            person["preferences"] = {"daily_cap": 2, "portal_daily_caps": {"linkedin": 1},
                                     "blacklist": ["Initech Ltd", "globex"]}
    path = tmp_path / "candidates.json"
    path.write_text(json.dumps(seed))
    return path


async def test_blacklisted_companies_and_boards_are_never_applied_to(
    make_bot: MakeBot, portal: Portal, seed_with_limits: Path
) -> None:
    bot = await make_bot(candidates_seed=seed_with_limits)
    version = await bot.add_resume()
    by_name = approved(version, portal.job_url(ACME_1.board_token, ACME_1.id),
                       job_id=uuid.uuid4()).model_copy(update={"company": "initech ltd"})

    await bot.deliver(by_name)
    await bot.deliver(approved(version, portal.job_url(GLOBEX.board_token, GLOBEX.id),
                               job_id=uuid.uuid4()))

    assert portal.store.all() == []
    failures = await bot.emitted(ApplicationFailed)
    assert sorted(f["reason"] for f in failures) == [
        "the candidate has blacklisted 'globex'", "the candidate has blacklisted 'initech ltd'"]
    assert not any(f["retryable"] for f in failures)


async def test_the_daily_caps_hold_and_a_new_day_opens_them_again(
    make_bot: MakeBot, portal: Portal, seed_with_limits: Path
) -> None:
    bot = await make_bot(candidates_seed=seed_with_limits)
    version = await bot.add_resume()

    for job in (ACME_1, ACME_2, ACME_3):
        await bot.deliver(approved(version, portal.job_url(job.board_token, job.id),
                                   job_id=uuid.uuid4()))

    assert len(portal.store.all()) == 2
    [capped] = await bot.emitted(ApplicationFailed)
    assert (capped["reason"], capped["retryable"]) == (
        "daily cap of 2 applications reached", True)

    bot.clock.advance(24 * 3600)
    await bot.deliver(approved(version, f"{portal.url}/jobs/view/3901000004/apply",
                               job_id=uuid.uuid4()))
    await bot.deliver(approved(version, f"{portal.url}/jobs/view/3901000001/apply",
                               job_id=uuid.uuid4()))

    assert len(await bot.emitted(ApplicationSubmitted)) == 3
    reasons = [f["reason"] for f in await bot.emitted(ApplicationFailed)]
    assert reasons[-1] == "daily cap of 1 applications on linkedin reached"
    assert [s.board_token for s in portal.store.all()] == ["acme", "acme", "linkedin"]

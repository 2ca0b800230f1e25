"""Applying in the candidate's own portal session, in headless Chromium against the sandbox.

The sandbox's signed-in posting sends a visitor without a valid session to its sign-in page,
as LinkedIn does. A session expired there stops the visit before any form is filled; the
application waits (nothing failed, no attempt used) and the candidate is asked for a new one;
the new session resumes it; a wait that runs out fails it, retryable.
"""
# ruff: noqa: F811 - the fixtures are shared with test_application_bot and named as there

from __future__ import annotations

import asyncio
import base64
import json
import os
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from infra.portal_sessions import Keyring, session_blob_key
from sandbox.portal.apply_flows.easy_apply import SIGNED_IN_JOB
from sandbox.portal.apply_flows.indeed import SIGNED_IN_INDEED_JOB
from schemas.events.applications import (
    ApplicationFailed,
    ApplicationSubmitted,
    PortalSessionNeeded,
)
from schemas.events.candidates import PortalSessionProvided
from services.application_bot.domain import application_id
from tests.busfixtures import wait_until
from tests.integration.test_application_bot import (  # noqa: F401 - fixtures
    ADA,
    ADA_EMAIL,
    Bot,
    MakeBot,
    Portal,
    approved,
    browser,
    make_bot,
    portal,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

KEY = os.urandom(32)
KEYS = {"portal_session_keys": {"k1": SecretStr(base64.b64encode(KEY).decode())},
        "portal_session_key_id": "k1"}
RING = Keyring({"k1": KEY}, "k1")


# Each portal that applies in the candidate's session: its signed-in posting, and the id the
# portal's record gives a submission to it.
SIGNED_IN = {"linkedin": (f"/jobs/view/{SIGNED_IN_JOB.id}/apply", SIGNED_IN_JOB.id),
             "indeed": (f"/viewjob?jk={SIGNED_IN_INDEED_JOB.jk}", int(SIGNED_IN_INDEED_JOB.jk, 16))}


def signed_in_url(portal: Portal, name: str = "linkedin") -> str:
    return portal.url + SIGNED_IN[name][0]


async def sandbox_session(portal: Portal) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{portal.url}/_sandbox/sessions")
    return dict(answer.json())


async def expire(portal: Portal, token: str) -> None:
    async with httpx.AsyncClient() as http:
        assert (await http.post(f"{portal.url}/_sandbox/sessions/{token}/expire")).is_success


async def hand_over(bot: Bot, storage_state: dict[str, Any],
                    name: str = "linkedin") -> PortalSessionProvided:
    """What the gateway does with a session it is handed: sealed into the blob store."""
    key = session_blob_key(ADA, name)
    await bot.blobs.put(key, RING.seal(json.dumps(storage_state).encode(), ADA, name))
    return PortalSessionProvided(candidate_id=ADA, portal=name, blob_key=key)


@pytest.mark.parametrize("name", sorted(SIGNED_IN))
async def test_an_expired_session_pauses_the_application_until_a_new_one_arrives(
    make_bot: MakeBot, portal: Portal, capfd: pytest.CaptureFixture[str], name: str,
) -> None:
    bot = await make_bot(**KEYS, session_wait_s=3600)
    version = await bot.add_resume()
    old = await sandbox_session(portal)
    await hand_over(bot, old["storage_state"], name)
    await expire(portal, old["token"])

    await bot.deliver(approved(version, signed_in_url(portal, name)))  # nothing to retry

    assert portal.store.all() == [], "no form was filled on the sign-in page"
    [row] = await bot.rows()
    assert (row["state"], row["attempts"], row["portal"]) == ("waiting", 0, name)
    assert "sign-in page" in row["reason"]
    [needed] = await bot.emitted(PortalSessionNeeded)
    assert (needed["portal"], needed["expired"]) == (name, True)
    assert needed["application_id"] == str(application_id(ADA, row["job_id"]))
    assert await bot.emitted(ApplicationFailed) == []
    # The sign-in page is kept, as any page that did not take the application.
    assert await bot.blobs.exists(f"evidence/{row['application_id']}/attempt-1/page.png")

    new = await sandbox_session(portal)
    await bot.deliver(await hand_over(bot, new["storage_state"], name))

    [sent] = portal.store.all()
    assert (sent.job_id, sent.fields["email"]) == (SIGNED_IN[name][1], ADA_EMAIL)
    [row] = await bot.rows()
    assert (row["state"], row["attempts"]) == ("submitted", 1)
    assert row["confirmation"] == sent.confirmation_id
    assert len(await bot.emitted(ApplicationSubmitted)) == 1
    out, err = capfd.readouterr()
    assert old["token"] not in out + err and new["token"] not in out + err, "never logged"


async def test_no_session_at_all_asks_for_one_and_the_wait_runs_out_retryable(
    make_bot: MakeBot, portal: Portal,
) -> None:
    bot = await make_bot(**KEYS, session_wait_s=600)
    version = await bot.add_resume()

    await bot.deliver(approved(version, signed_in_url(portal)))

    [row] = await bot.rows()
    assert (row["state"], row["attempts"]) == ("waiting", 0)
    [needed] = await bot.emitted(PortalSessionNeeded)
    assert needed["expired"] is False

    [sweep] = [task for task in bot.spec.background if task.__name__ == "waiting_sweep"]
    stop = asyncio.Event()
    sweeping = asyncio.create_task(sweep(stop))
    await wait_until(lambda: bot.clock.sleepers > 0)
    bot.clock.advance(bot.settings.sweep_interval_s)  # a round within the wait: nothing
    await wait_until(lambda: bot.clock.sleepers > 0)
    assert (await bot.rows())[0]["state"] == "waiting"
    bot.clock.advance(600)  # the wait ran out
    async with asyncio.timeout(30):
        while (await bot.rows())[0]["state"] == "waiting":
            await asyncio.sleep(0.05)
    stop.set()
    await sweeping

    [row] = await bot.rows()
    assert (row["state"], row["retryable"]) == ("failed", True)
    [failed] = await bot.emitted(ApplicationFailed)
    assert "no new portal session came in time" in failed["reason"]
    assert portal.store.all() == []


async def test_a_valid_session_applies_at_once(make_bot: MakeBot, portal: Portal) -> None:
    bot = await make_bot(**KEYS)
    version = await bot.add_resume()
    await hand_over(bot, (await sandbox_session(portal))["storage_state"])

    await bot.deliver(approved(version, signed_in_url(portal)))

    [sent] = portal.store.all()
    assert sent.job_id == SIGNED_IN_JOB.id
    assert await bot.emitted(PortalSessionNeeded) == []

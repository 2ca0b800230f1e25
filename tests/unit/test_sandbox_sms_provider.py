"""The sandbox's Twilio stand-in answers as Twilio does: auth, validation, the Message resource,
listing newest first, and faults on sending only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from sandbox.portal.app import create_app
from sandbox.portal.sms import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, SmsLedger
from sandbox.portal.submissions import SubmissionStore

MESSAGES = f"/2010-04-01/Accounts/{SANDBOX_ACCOUNT_SID}/Messages.json"
AUTH = (SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN)


@pytest.fixture
async def twilio() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SubmissionStore(), sms=SmsLedger())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox.test") as client:
        yield client


def text(to: str = "+447700900123", body: str = "JAMS: hello (ref 0123456789)") -> dict[str, str]:
    return {"To": to, "From": "+15005550006", "Body": body}


async def test_a_message_is_taken_and_answered_as_twilios_message_resource(
    twilio: httpx.AsyncClient,
) -> None:
    answer = await twilio.post(MESSAGES, data=text(), auth=AUTH)

    assert answer.status_code == 201
    message = answer.json()
    assert message["sid"].startswith("SM") and len(message["sid"]) == 34
    assert (message["status"], message["to"], message["from"], message["account_sid"]) == (
        "queued", "+447700900123", "+15005550006", SANDBOX_ACCOUNT_SID)
    assert (await twilio.get("/_sandbox/sms")).json() == [message]


@pytest.mark.parametrize(("form", "status", "code"), [
    (text(to="07700 900123"), 400, 21211),
    (text(to=""), 400, 21604),
    (text(body=""), 400, 21602),
    ({"To": "+447700900123", "Body": "x"}, 400, 21603),
])
async def test_a_bad_request_gets_twilios_error_and_nothing_is_sent(
    twilio: httpx.AsyncClient, form: dict[str, str], status: int, code: int
) -> None:
    answer = await twilio.post(MESSAGES, data=form, auth=AUTH)

    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert answer.json()["more_info"].endswith(f"/errors/{code}")
    assert (await twilio.get("/_sandbox/sms")).json() == []


async def test_a_wrong_token_or_account_is_refused(twilio: httpx.AsyncClient) -> None:
    wrong = await twilio.post(MESSAGES, data=text(), auth=(SANDBOX_ACCOUNT_SID, "guess"))
    other = await twilio.get(MESSAGES.replace(SANDBOX_ACCOUNT_SID, "AC" + "0" * 32), auth=AUTH)
    assert (wrong.status_code, wrong.json()["code"]) == (401, 20003)
    assert other.status_code == 401
    assert (await twilio.get("/_sandbox/sms")).json() == []


async def test_messages_are_listed_newest_first_by_recipient(twilio: httpx.AsyncClient) -> None:
    for to, body in [("+447700900123", "one"), ("+447700900999", "other"), ("+447700900123",
                                                                           "two")]:
        await twilio.post(MESSAGES, data=text(to, body), auth=AUTH)

    listed = await twilio.get(MESSAGES, params={"To": "+447700900123", "PageSize": 1},
                              auth=AUTH)

    assert [m["body"] for m in listed.json()["messages"]] == ["two"]
    everything = await twilio.get(MESSAGES, params={"To": "+447700900123"}, auth=AUTH)
    assert [m["body"] for m in everything.json()["messages"]] == ["two", "one"]


async def test_faults_hit_sending_only_and_rate_limits_say_when_to_come_back(
    twilio: httpx.AsyncClient,
) -> None:
    await twilio.post("/_sandbox/faults", json={"path": MESSAGES, "faults": ["429:7", "503"]})

    assert (await twilio.get(MESSAGES, auth=AUTH)).status_code == 200  # lookups unaffected
    limited = await twilio.post(MESSAGES, data=text(), auth=AUTH)
    failing = await twilio.post(MESSAGES, data=text(), auth=AUTH)
    taken = await twilio.post(MESSAGES, data=text(), auth=AUTH)

    assert (limited.status_code, limited.headers["retry-after"]) == (429, "7")
    assert (failing.status_code, taken.status_code) == (503, 201)
    assert len((await twilio.get("/_sandbox/sms")).json()) == 1

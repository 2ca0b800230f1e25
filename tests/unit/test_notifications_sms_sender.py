"""What the SMS sender makes of Twilio's answers (from the sandbox's stand-in, in process):
which failures are worth retrying, what it waits for, and what it never sends twice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from infra.clock import FakeClock
from sandbox.portal.app import create_app
from sandbox.portal.sms import SANDBOX_ACCOUNT_SID, SmsLedger, sandbox_sms
from sandbox.portal.submissions import SubmissionStore
from services.notifications.adapters.channels import DeliveryFailed
from services.notifications.adapters.sms import TwilioSmsSender
from services.notifications.domain import sms_text

MESSAGES = f"/2010-04-01/Accounts/{SANDBOX_ACCOUNT_SID}/Messages.json"
PHONE = "+447700900123"


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SubmissionStore(), sms=SmsLedger())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox.test") as client:
        yield client


def sender(http: httpx.AsyncClient, **overrides: str | None) -> TwilioSmsSender:
    settings = sandbox_sms("http://sandbox.test")
    options = {"account_sid": settings["sms_account_sid"],
               "auth_token": settings["sms_auth_token"],
               "from_number": settings["sms_from"]} | overrides
    return TwilioSmsSender(FakeClock(), api_url=settings["sms_api_url"], timeout_s=5,
                           client=http, **options)


def payload(to: str = PHONE) -> dict[str, str]:
    notification = uuid.uuid4()
    return {"notification_id": str(notification), "to": to,
            "body": sms_text("Applied to Data Engineer at Acme for you", notification)}


async def sent(http: httpx.AsyncClient) -> list[dict[str, str]]:
    answer: list[dict[str, str]] = (await http.get("/_sandbox/sms")).json()
    return answer


async def test_a_message_found_at_the_provider_is_not_sent_again(
    http: httpx.AsyncClient,
) -> None:
    message, other = payload(), payload()
    await sender(http).send(message)
    await sender(http).send(message)
    await sender(http).send(other)

    assert [m["body"] for m in await sent(http)] == [message["body"], other["body"]]
    assert (await http.get("/_sandbox/requests")).json()[MESSAGES] == 2


async def test_a_number_twilio_calls_invalid_is_given_up_on_without_naming_it(
    http: httpx.AsyncClient,
) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await sender(http).send(payload("+0123"))

    assert failed.value.permanent
    assert failed.value.reason == "HTTP 400: Twilio 21211 (not a valid phone number)"


async def test_wrong_credentials_are_not_retried(http: httpx.AsyncClient) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await sender(http, auth_token="not-the-token").send(payload())

    assert failed.value.permanent and failed.value.reason.startswith("lookup HTTP 401")
    assert await sent(http) == []


async def test_rate_limits_and_server_errors_are_retried_after_what_twilio_asks(
    http: httpx.AsyncClient,
) -> None:
    await http.post("/_sandbox/faults", json={"path": MESSAGES, "faults": ["429:42", "500"]})

    with pytest.raises(DeliveryFailed) as limited:
        await sender(http).send(payload())
    with pytest.raises(DeliveryFailed) as broken:
        await sender(http).send(payload())

    assert (limited.value.permanent, limited.value.retry_after_s) == (False, 42.0)
    assert (broken.value.permanent, broken.value.reason) == (False, "HTTP 500: Twilio 20500")
    assert await sent(http) == []


async def test_without_credentials_a_message_waits_and_says_what_is_missing(
    http: httpx.AsyncClient,
) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await sender(http, account_sid=None).send(payload())

    assert not failed.value.permanent and "JAMS_SMS_ACCOUNT_SID" in failed.value.reason
    assert await sent(http) == []

"""What the SMS sender makes of Twilio's answers (from the sandbox's stand-in, in process):
which failures are worth retrying, what it waits for, and what it never sends twice."""

from __future__ import annotations

import uuid

import httpx
import pytest

from infra.clock import FakeClock
from sandbox.portal.sms import sandbox_sms
from services.notifications.adapters.channels import DeliveryFailed
from services.notifications.adapters.sms import TwilioSmsSender
from services.notifications.domain import sms_text
from tests.unit.test_sandbox_sms_provider import MESSAGES, twilio

__all__ = ["twilio"]  # the sandbox's Twilio, in process, shared with its own tests
PHONE = "+447700900123"


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
    twilio: httpx.AsyncClient,
) -> None:
    message, other = payload(), payload()
    await sender(twilio).send(message)
    await sender(twilio).send(message)
    await sender(twilio).send(other)

    assert [m["body"] for m in await sent(twilio)] == [message["body"], other["body"]]
    assert (await twilio.get("/_sandbox/requests")).json()[MESSAGES] == 2


async def test_a_number_twilio_calls_invalid_is_given_up_on_without_naming_it(
    twilio: httpx.AsyncClient,
) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await sender(twilio).send(payload("+0123"))

    assert failed.value.permanent
    assert failed.value.reason == "HTTP 400: Twilio 21211 (not a valid phone number)"


async def test_wrong_credentials_are_not_retried(twilio: httpx.AsyncClient) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await sender(twilio, auth_token="not-the-token").send(payload())

    assert failed.value.permanent and failed.value.reason.startswith("lookup HTTP 401")
    assert await sent(twilio) == []


async def test_rate_limits_and_server_errors_are_retried_after_what_twilio_asks(
    twilio: httpx.AsyncClient,
) -> None:
    await twilio.post("/_sandbox/faults", json={"path": MESSAGES, "faults": ["429:42", "500"]})

    with pytest.raises(DeliveryFailed) as limited:
        await sender(twilio).send(payload())
    with pytest.raises(DeliveryFailed) as broken:
        await sender(twilio).send(payload())

    assert (limited.value.permanent, limited.value.retry_after_s) == (False, 42.0)
    assert (broken.value.permanent, broken.value.reason) == (False, "HTTP 500: Twilio 20500")
    assert await sent(twilio) == []


async def test_without_credentials_a_message_waits_and_says_what_is_missing(
    twilio: httpx.AsyncClient,
) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await sender(twilio, account_sid=None).send(payload())

    assert not failed.value.permanent and "JAMS_SMS_ACCOUNT_SID" in failed.value.reason
    assert await sent(twilio) == []

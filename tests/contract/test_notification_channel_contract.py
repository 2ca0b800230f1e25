"""The channel port's contract (`Sender`), run on e-mail over a real SMTP server and on SMS
through the sandbox's Twilio stand-in: delivered once, told apart when sent again, refused
recipients given up on, an unreachable server retried."""

from __future__ import annotations

import email
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Session
from aiosmtpd.smtp import Envelope as SmtpEnvelope

from infra.clock import FakeClock
from sandbox.portal.apply_flows.load import portal_in_thread
from sandbox.portal.sms import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, SmsLedger
from services.notifications.adapters.channels import DeliveryFailed, Sender
from services.notifications.adapters.email import SmtpSender
from services.notifications.adapters.sms import TwilioSmsSender
from tests.integration.test_notifications_delivery import free_port

pytestmark = pytest.mark.integration

REFUSED = {"email": "nobody@refused.example", "sms": "+0447700900123"}


@dataclass
class Channel:
    """A sender, the server behind it, and what its recipients see."""

    name: str
    sender: Sender
    unreachable: Sender
    to: str
    payload: Callable[[uuid.UUID, str], dict[str, Any]]
    seen: Callable[[], list[str]]  # the distinct messages recipients see, as their bodies


class RefusingMailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: SmtpEnvelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address == REFUSED["email"]:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session,
                          envelope: SmtpEnvelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def seen(self) -> list[str]:
        # Mail clients show one message per Message-ID.
        by_id = {m["Message-ID"]: str(m.get_payload()).strip() for m in self.messages}
        return list(by_id.values())


def email_channel() -> Iterator[Channel]:
    mailbox, port = RefusingMailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()

    def smtp(at: int) -> SmtpSender:
        return SmtpSender(host="127.0.0.1", port=at, sender="JAMS <n@jams.local>", timeout_s=5)

    def payload(notification_id: uuid.UUID, to: str) -> dict[str, Any]:
        return {"notification_id": str(notification_id), "to": to, "subject": "Hello",
                "body": f"message {notification_id}"}

    try:
        yield Channel("email", smtp(port), smtp(free_port()), "ada@example.com", payload,
                      mailbox.seen)
    finally:
        controller.stop()


def sms_channel() -> Iterator[Channel]:
    ledger = SmsLedger()

    def twilio(url: str) -> TwilioSmsSender:
        return TwilioSmsSender(FakeClock(), api_url=url, account_sid=SANDBOX_ACCOUNT_SID,
                               auth_token=SANDBOX_AUTH_TOKEN, from_number="+15005550006",
                               timeout_s=5)

    def payload(notification_id: uuid.UUID, to: str) -> dict[str, Any]:
        return {"notification_id": str(notification_id), "to": to,
                "body": f"message {notification_id}"}

    with portal_in_thread([], sms=ledger) as portal:
        yield Channel("sms", twilio(portal.url), twilio(f"http://127.0.0.1:{free_port()}"),
                      "+447700900123", payload, lambda: [m["body"] for m in ledger.all()])


@pytest.fixture(params=["email", "sms"])
def channel(request: pytest.FixtureRequest) -> Iterator[Channel]:
    yield from (email_channel() if request.param == "email" else sms_channel())


async def test_a_message_is_delivered_once_even_when_sent_again(channel: Channel) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()

    await channel.sender.send(channel.payload(first, channel.to))
    await channel.sender.send(channel.payload(first, channel.to))  # a retry after a crash
    await channel.sender.send(channel.payload(second, channel.to))

    assert channel.seen() == [f"message {first}", f"message {second}"]


async def test_a_recipient_the_server_refuses_is_given_up_on(channel: Channel) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await channel.sender.send(channel.payload(uuid.uuid4(), REFUSED[channel.name]))

    assert failed.value.permanent
    assert channel.seen() == []


async def test_an_unreachable_server_is_worth_retrying(channel: Channel) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await channel.unreachable.send(channel.payload(uuid.uuid4(), channel.to))

    assert not failed.value.permanent

"""E-mail to a real SMTP server and signed webhooks to a real HTTP receiver, each sent once."""

from __future__ import annotations

import asyncio
import email
import json
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import Message
from typing import Any

import pytest
import sqlalchemy as sa
import structlog
import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Session
from aiosmtpd.smtp import Envelope as SmtpEnvelope
from fastapi import FastAPI, Request, Response

from infra.clock import FakeClock
from infra.db import create_engine
from infra.outbox import outbox
from infra.uow import UnitOfWork
from schemas.events.applications import ApplicationSubmitted
from schemas.events.envelope import Envelope
from schemas.events.notifications import NotificationDelivered
from services.notifications import repository
from services.notifications.adapters.webhook import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify,
)
from services.notifications.app import NAME, make_deliverer, registry
from services.notifications.delivery import Deliverer
from services.notifications.domain import Channel, Preferences
from services.notifications.settings import NotificationsSettings
from services.notifications.tables import notification_deliveries

pytestmark = pytest.mark.integration

CANDIDATE = uuid.UUID("5b2c8a64-9d7e-4f51-a1c3-0a6e1f2b3c4d")
ADDRESS = "ada.okafor@example.com"
SECRET = "whsec-test-7f3a9c"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Mailbox:
    """An aiosmtpd handler keeping what it accepted."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: SMTP, session: Session,
                          envelope: SmtpEnvelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.messages.append(email.message_from_bytes(envelope.content))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@dataclass
class Receiver:
    """A webhook endpoint that refuses the first `failures` calls, verifying every signature."""

    clock: FakeClock
    failures: int = 2
    status_on_failure: int = 503
    retry_after: str | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)
    url: str = ""

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            body = await request.body()
            valid = verify(SECRET, request.headers[TIMESTAMP_HEADER], body,
                           request.headers[SIGNATURE_HEADER],
                           now_s=self.clock.now().timestamp())
            self.calls.append({"valid": valid, "delivery": request.headers[DELIVERY_HEADER]})
            if not valid:
                return Response(status_code=401)
            if len(self.calls) <= self.failures:
                wait = {} if self.retry_after is None else {"Retry-After": self.retry_after}
                return Response(status_code=self.status_on_failure, headers=wait)
            self.accepted.setdefault(request.headers[DELIVERY_HEADER], json.loads(body))
            return Response(status_code=204)

        return app


@pytest.fixture
async def receiver(fake_clock: FakeClock) -> AsyncIterator[Receiver]:
    hook = Receiver(fake_clock)
    server = uvicorn.Server(uvicorn.Config(hook.app(), host="127.0.0.1", port=0,
                                           log_config=None, lifespan="off"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    hook.url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/hook"
    yield hook
    server.should_exit = True
    await serving


@pytest.fixture
async def uow(database_url: str, fake_clock: FakeClock) -> AsyncIterator[UnitOfWork]:
    engine = create_engine(database_url, pool_size=3)
    yield UnitOfWork(engine, fake_clock, source=f"jams/{NAME}")
    await engine.dispose()


def deliverer(uow: UnitOfWork, smtp_port: int = 1, **overrides: Any) -> Deliverer:
    settings = NotificationsSettings(smtp_port=smtp_port, delivery_initial_backoff_s=5,
                                     delivery_max_backoff_s=60, **overrides)
    return make_deliverer(uow, uow.clock, settings)


async def prefer(uow: UnitOfWork, *channels: Channel, url: str | None = None) -> None:
    async with uow.transaction() as tx:
        await repository.set_preferences(tx.conn, Preferences(
            CANDIDATE, frozenset(channels), ADDRESS, url, SECRET), tx.clock.now())


def submitted_event(clock: FakeClock) -> Envelope:
    job = uuid.uuid4()
    return Envelope.wrap(ApplicationSubmitted(
        application_id=uuid.uuid5(CANDIDATE, str(job)), candidate_id=CANDIDATE, job_id=job,
        resume_version_id=uuid.uuid4(), confirmation="GH-1234"), source="jams/tests",
        time=clock.now())


async def deliveries(uow: UnitOfWork) -> list[dict[str, Any]]:
    async with uow.engine.connect() as conn:
        rows = await conn.execute(sa.select(notification_deliveries))
        return [dict(r) for r in rows.mappings()]


async def delivered_events(uow: UnitOfWork, channel: str) -> list[dict[str, Any]]:
    async with uow.engine.connect() as conn:
        rows = (await conn.execute(sa.select(outbox.c.value, outbox.c.headers))).all()
    return [v for v in (json.loads(value) for value, headers in rows
                        if dict(headers).get("ce_type") == NotificationDelivered.TYPE)
            if v["channel"] == channel]


async def test_an_email_reaches_a_real_smtp_server_once_and_no_address_is_logged(
    uow: UnitOfWork, fake_clock: FakeClock, smtp_server: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp_server
    await prefer(uow, "email")
    envelope = submitted_event(fake_clock)
    dispatch = registry().dispatcher(uow)
    send = deliverer(uow, smtp_port=port)

    with structlog.testing.capture_logs() as logs:
        await dispatch(envelope)
        assert await send.run_once() == 1
        await dispatch(envelope)  # redelivered: the inbox drops it
        assert await send.run_once() == 0

    [message] = mailbox.messages
    assert mailbox.recipients == [[ADDRESS]]
    job = json.loads(json.dumps(envelope.data))["job_id"]
    assert message["Subject"] == f"Applied to job {job} for you"
    assert message["Message-ID"].startswith("<") and "@jams.notifications>" in message["Message-ID"]
    assert "(confirmation GH-1234)" in str(message.get_payload())
    [row] = await deliveries(uow)
    assert (row["status"], row["attempts"]) == ("delivered", 1)
    assert len(await delivered_events(uow, "email")) == 1
    assert ADDRESS not in repr(logs) and "GH-1234" not in repr(logs)


async def test_a_signed_webhook_is_retried_after_two_failures_and_delivered_once(
    uow: UnitOfWork, fake_clock: FakeClock, receiver: Receiver
) -> None:
    await prefer(uow, "webhook", url=receiver.url)
    envelope = submitted_event(fake_clock)
    await registry().dispatcher(uow)(envelope)
    send = deliverer(uow)

    assert await send.run_once() == 0  # 503
    assert await send.run_once() == 0  # not due yet: backing off, nothing sent
    assert len(receiver.calls) == 1
    fake_clock.advance(5)
    assert await send.run_once() == 0  # 503 again
    fake_clock.advance(9)
    assert await send.run_once() == 0  # the second backoff is 10 s
    fake_clock.advance(1)
    assert await send.run_once() == 1

    assert [c["valid"] for c in receiver.calls] == [True, True, True]
    [(delivery_id, body)] = receiver.accepted.items()
    assert body["template"] == "application_submitted"
    assert body["about_event_id"] == str(envelope.id)
    [row] = await deliveries(uow)
    assert (str(row["notification_id"]), row["status"], row["attempts"]) == (
        delivery_id, "delivered", 3)
    assert "secret" not in json.dumps(row["payload"])  # read at send time, never stored

    # The same event again, through another consumer group: no second webhook.
    async with uow.handling("jams.notifications.replay", envelope) as tx:
        assert tx is not None
        handler = registry().handlers[ApplicationSubmitted]
        await handler(ApplicationSubmitted.model_validate(envelope.data), tx)
    fake_clock.advance(3600)
    assert await send.run_once() == 0
    assert len(receiver.calls) == 3 and len(receiver.accepted) == 1
    assert len(await delivered_events(uow, "webhook")) == 1


@pytest.mark.parametrize("retry_after", ["999999999999", "99999999999", "9" * 400, "-5"],
                         ids=["past_year_9999", "millennia", "infinite", "negative"])
async def test_a_receivers_retry_after_waits_no_longer_than_the_longest_backoff(
    uow: UnitOfWork, fake_clock: FakeClock, receiver: Receiver, retry_after: str
) -> None:
    receiver.failures, receiver.status_on_failure = 1, 429
    receiver.retry_after = retry_after
    await prefer(uow, "webhook", url=receiver.url)
    await registry().dispatcher(uow)(submitted_event(fake_clock))
    send = deliverer(uow)  # the longest backoff is 60 s

    assert await send.run_once() == 0  # 429, and the loop goes on
    [row] = await deliveries(uow)
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert row["next_attempt_at"] <= fake_clock.now() + timedelta(seconds=60)
    fake_clock.advance(60)
    assert await send.run_once() == 1
    assert len(receiver.accepted) == 1


async def test_a_tampered_body_fails_verification(fake_clock: FakeClock) -> None:
    from services.notifications.adapters.webhook import signature

    now = int(fake_clock.now().timestamp())
    good = signature(SECRET, str(now), b'{"a":1}')
    assert verify(SECRET, str(now), b'{"a":1}', good, now_s=now)
    assert not verify(SECRET, str(now), b'{"a":2}', good, now_s=now)
    assert not verify("another-secret", str(now), b'{"a":1}', good, now_s=now)
    assert not verify(SECRET, str(now), b'{"a":1}', good, now_s=now + 3600)  # replayed late


async def test_deliveries_that_keep_failing_are_dead_lettered(
    uow: UnitOfWork, fake_clock: FakeClock, receiver: Receiver
) -> None:
    receiver.failures = 1000
    await prefer(uow, "webhook", url=receiver.url)
    await registry().dispatcher(uow)(submitted_event(fake_clock))
    send = deliverer(uow, delivery_max_attempts=3)

    for _ in range(5):
        await send.run_once()
        fake_clock.advance(120)

    assert len(receiver.calls) == 3
    async with uow.engine.connect() as conn:
        [dead] = await repository.dead_letters(conn)
    assert (dead["channel"], dead["attempts"], dead["last_error"]) == ("webhook", 3, "HTTP 503")
    assert await delivered_events(uow, "webhook") == []


async def test_a_receiver_that_says_gone_is_dead_lettered_at_once(
    uow: UnitOfWork, fake_clock: FakeClock, receiver: Receiver
) -> None:
    receiver.failures, receiver.status_on_failure = 1000, 410
    await prefer(uow, "webhook", url=receiver.url)
    await registry().dispatcher(uow)(submitted_event(fake_clock))

    await deliverer(uow).run_once()

    [row] = await deliveries(uow)
    assert (row["status"], row["attempts"], row["last_error"]) == ("dead", 1, "HTTP 410")


async def test_channels_follow_each_persons_preferences(
    uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    dispatch = registry().dispatcher(uow)
    await dispatch(submitted_event(fake_clock))  # no preferences: in-app only
    assert await deliveries(uow) == []

    await prefer(uow, "in_app", "email", "webhook", url="http://127.0.0.1:9/hook")
    await dispatch(submitted_event(fake_clock))
    assert sorted(r["channel"] for r in await deliveries(uow)) == ["email", "webhook"]

"""Text messages through a Twilio-shaped provider on a real socket (the sandbox's stand-in):
sent once, retried after the provider's faults, never twice after a kill, only to those who
chose them, and only to numbers that are numbers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import structlog
from typer.testing import CliRunner

from infra.clock import FakeClock
from infra.uow import UnitOfWork
from sandbox.portal.apply_flows.load import RunningPortal, portal_in_thread
from sandbox.portal.sms import SANDBOX_ACCOUNT_SID, SANDBOX_SENDER, SmsLedger, sandbox_sms
from services.cli import app as jams
from services.notifications import repository
from services.notifications.app import make_deliverer, registry
from services.notifications.delivery import Deliverer
from services.notifications.domain import Channel, Preferences
from services.notifications.settings import NotificationsSettings
from services.notifications.tables import notification_preferences
from tests.integration.test_notifications_delivery import (
    ADDRESS,
    CANDIDATE,
    delivered_events,
    deliveries,
    submitted_event,
    uow,
)

pytestmark = pytest.mark.integration

__all__ = ["uow"]  # the fixture, shared with the e-mail tests

ROOT = Path(__file__).resolve().parents[2]
PHONE = "+447700900123"
SENDER = SANDBOX_SENDER
MESSAGES = f"/2010-04-01/Accounts/{SANDBOX_ACCOUNT_SID}/Messages.json"


class Provider:
    """The sandbox's SMS provider, served from a thread, and what it took."""

    def __init__(self, portal: RunningPortal, ledger: SmsLedger) -> None:
        self.url, self.ledger = portal.url, ledger

    def fail_next(self, *faults: str) -> None:
        httpx.post(f"{self.url}/_sandbox/faults",
                   json={"path": MESSAGES, "faults": list(faults)}).raise_for_status()

    def send_requests(self) -> int:
        return int(httpx.get(f"{self.url}/_sandbox/requests").json().get(MESSAGES, 0))

    def sent(self) -> list[dict[str, Any]]:
        """Read over HTTP, as a test of a deployed sandbox would."""
        answer: list[dict[str, Any]] = httpx.get(f"{self.url}/_sandbox/sms").json()
        return answer


@pytest.fixture
def provider() -> Iterator[Provider]:
    ledger = SmsLedger()
    with portal_in_thread([], sms=ledger) as portal:
        yield Provider(portal, ledger)


def sms_settings(provider: Provider, **overrides: Any) -> NotificationsSettings:
    return NotificationsSettings(**sandbox_sms(provider.url), delivery_initial_backoff_s=5,
                                 delivery_max_backoff_s=60, **overrides)


def deliverer(uow: UnitOfWork, provider: Provider, **overrides: Any) -> Deliverer:
    return make_deliverer(uow, uow.clock, sms_settings(provider, **overrides))


async def prefer(uow: UnitOfWork, *channels: Channel, phone: str | None = PHONE) -> None:
    async with uow.transaction() as tx:
        await repository.set_preferences(tx.conn, Preferences(
            CANDIDATE, frozenset(channels), ADDRESS, phone=phone), tx.clock.now())


async def an_sms_queued(uow: UnitOfWork, clock: FakeClock) -> None:
    """The candidate chose SMS alone and has an application to hear of."""
    await prefer(uow, "sms")
    await registry().dispatcher(uow)(submitted_event(clock))


async def test_a_notification_reaches_the_provider_once_as_an_sms(
    uow: UnitOfWork, fake_clock: FakeClock, provider: Provider
) -> None:
    await prefer(uow, "in_app", "sms")
    envelope = submitted_event(fake_clock)
    dispatch, send = registry().dispatcher(uow), deliverer(uow, provider)

    with structlog.testing.capture_logs() as logs:
        await dispatch(envelope)
        assert await send.run_once() == 1
        await dispatch(envelope)  # redelivered: the inbox drops it
        fake_clock.advance(3600)
        assert await send.run_once() == 0

    [message] = provider.sent()
    [row] = [r for r in await deliveries(uow) if r["channel"] == "sms"]
    assert (message["to"], message["from"], message["status"]) == (PHONE, SENDER, "queued")
    assert message["sid"].startswith("SM")
    assert message["body"].startswith("JAMS: Applied to job ")
    assert message["body"].endswith(f"(ref {row['notification_id'].hex[:10]})")
    assert (row["status"], row["attempts"]) == ("delivered", 1)
    assert len(await delivered_events(uow, "sms")) == 1
    assert PHONE not in repr(logs)


async def test_provider_faults_are_retried_with_backoff_then_the_sms_is_delivered(
    uow: UnitOfWork, fake_clock: FakeClock, provider: Provider
) -> None:
    await an_sms_queued(uow, fake_clock)
    send = deliverer(uow, provider)
    provider.fail_next("429:30", "503")

    assert await send.run_once() == 0  # 429: wait the 30 s it asked for, not the 5 s backoff
    fake_clock.advance(29)
    assert await send.run_once() == 0
    assert provider.send_requests() == 1
    fake_clock.advance(1)
    assert await send.run_once() == 0  # 503
    fake_clock.advance(10)  # the second backoff
    assert await send.run_once() == 1

    assert provider.send_requests() == 3
    assert len(provider.sent()) == 1
    [row] = await deliveries(uow)
    assert (row["status"], row["attempts"], row["last_error"]) == ("delivered", 3, None)


async def test_a_timed_out_send_the_provider_took_is_found_on_retry_and_not_sent_again(
    uow: UnitOfWork, fake_clock: FakeClock, provider: Provider
) -> None:
    await an_sms_queued(uow, fake_clock)
    send = deliverer(uow, provider, sms_timeout_s=0.5)
    provider.fail_next("timeout:2")  # taken, but the answer comes after the sender gave up

    assert await send.run_once() == 0
    [row] = await deliveries(uow)
    assert (row["status"], row["attempts"], row["last_error"]) == ("pending", 1, "ReadTimeout")
    fake_clock.advance(5)
    assert await send.run_once() == 1

    assert len(provider.sent()) == 1 and provider.send_requests() == 1
    [row] = await deliveries(uow)
    assert (row["status"], row["attempts"]) == ("delivered", 2)


async def test_an_sms_the_provider_keeps_refusing_is_dead_lettered(
    uow: UnitOfWork, fake_clock: FakeClock, provider: Provider
) -> None:
    await an_sms_queued(uow, fake_clock)
    send = deliverer(uow, provider, delivery_max_attempts=3)
    provider.fail_next(*["503"] * 10)

    for _ in range(5):
        await send.run_once()
        fake_clock.advance(120)

    assert provider.send_requests() == 3 and provider.sent() == []
    async with uow.engine.connect() as conn:
        [dead] = await repository.dead_letters(conn)
    assert (dead["channel"], dead["attempts"], dead["last_error"]) == (
        "sms", 3, "HTTP 503: Twilio 20500")
    assert await delivered_events(uow, "sms") == []


async def test_a_delivery_killed_after_the_provider_took_it_is_not_sent_again(
    uow: UnitOfWork, fake_clock: FakeClock, provider: Provider, database_url: str
) -> None:
    await an_sms_queued(uow, fake_clock)
    provider.fail_next("timeout:8")  # takes the message, answers 8 s later
    settings = {f"JAMS_{key.upper()}": value for key, value in sandbox_sms(provider.url).items()}
    settings |= {"JAMS_DATABASE_URL": database_url, "JAMS_SMS_TIMEOUT_S": "60"}
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.crash.sms_delivery_worker", cwd=ROOT,
        env={**os.environ, **settings}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not provider.ledger.all():  # taken by the provider, not yet recorded
            assert worker.returncode is None and time.monotonic() < deadline
            await asyncio.sleep(0.05)
    finally:
        worker.kill()
        await asyncio.wait_for(worker.wait(), 10)
    [row] = await deliveries(uow)
    assert (row["status"], row["attempts"]) == ("pending", 0)  # its transaction died with it

    send, delivered = deliverer(uow, provider), 0
    for _ in range(100):  # until the server has noticed the dead session and freed the row
        delivered = await send.run_once()
        if delivered:
            break
        await asyncio.sleep(0.1)

    assert delivered == 1
    assert len(provider.sent()) == 1 and provider.send_requests() == 1
    [row] = await deliveries(uow)
    assert (row["status"], row["attempts"]) == ("delivered", 1)
    assert len(await delivered_events(uow, "sms")) == 1


async def test_a_person_who_did_not_choose_sms_or_opted_out_gets_none(
    uow: UnitOfWork, fake_clock: FakeClock, provider: Provider
) -> None:
    dispatch, send = registry().dispatcher(uow), deliverer(uow, provider)
    await prefer(uow, "in_app", "email")  # a number on file, but not the channel
    await dispatch(submitted_event(fake_clock))
    await prefer(uow, "sms")
    await dispatch(submitted_event(fake_clock))
    await prefer(uow, "in_app")  # opted out again
    await dispatch(submitted_event(fake_clock))
    await send.run_once()

    assert [r["channel"] for r in await deliveries(uow)].count("sms") == 1
    assert len(provider.sent()) == 1


def stored_preferences(database_url: str) -> list[dict[str, Any]]:
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(notification_preferences.c.channels,
                                          notification_preferences.c.phone))
            return [dict(r) for r in rows.mappings()]
    finally:
        engine.dispose()


@pytest.mark.parametrize("bad", ["07700 900123", "+44 7700 900123", "447700900123",
                                 "+0447700900123", "+4477009001234567"])
def test_a_bad_phone_number_is_refused_with_a_clear_error_and_nothing_changes(
    database_url: str, bad: str
) -> None:
    runner, env = CliRunner(), {"JAMS_DATABASE_URL": database_url}
    person = str(uuid.uuid4())
    saved = runner.invoke(jams, ["notifications", "set", person, "--channel", "sms",
                                 "--phone", PHONE], env=env)
    assert saved.exit_code == 0, saved.output
    before = stored_preferences(database_url)
    assert before == [{"channels": ["sms"], "phone": PHONE}]

    refused = runner.invoke(jams, ["notifications", "set", person, "--channel", "in_app",
                                   "--channel", "sms", "--phone", bad], env=env)

    assert refused.exit_code == 2
    assert f"--phone {bad!r} is not a phone number in E.164 form" in " ".join(
        refused.output.split())
    assert stored_preferences(database_url) == before

"""Quiet digests on real PostgreSQL and a real SMTP server, through a fake clock: the
submissions of one window become one e-mail, sent exactly once, whatever the redeliveries,
a second loop, or a line that commits after its window's digest went out."""
# ruff: noqa: F811  (fixtures are imported from the delivery tests and reused)

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from infra.clock import FakeClock
from infra.uow import UnitOfWork
from schemas.events.applications import ApplicationFailed
from schemas.events.envelope import Envelope
from services.notifications import repository
from services.notifications.app import registry
from services.notifications.digests import Digester
from services.notifications.domain import Preferences, digest_window
from services.notifications.tables import notification_digest_items, notification_digests
from services.notifications.templates import Templates
from tests.integration.test_notifications_delivery import (  # noqa: F401
    ADDRESS,
    CANDIDATE,
    Mailbox,
    delivered_events,
    deliverer,
    deliveries,
    smtp_server,
    submitted_event,
    uow,
)

pytestmark = pytest.mark.integration
HOUR = 3600


async def quiet(uow: UnitOfWork, *channels: str) -> None:
    async with uow.transaction() as tx:
        await repository.set_preferences(tx.conn, Preferences(
            CANDIDATE, frozenset(channels or ("email",)), ADDRESS,  # type: ignore[arg-type]
            digest_interval_s=HOUR), tx.clock.now())


def at(clock: FakeClock, when: datetime) -> None:
    """Move the fake clock forward to `when`."""
    clock.advance((when - clock.now()).total_seconds())


async def held(uow: UnitOfWork) -> list[dict[str, object]]:
    async with uow.engine.connect() as conn:
        rows = await conn.execute(sa.select(notification_digest_items))
        return [dict(r) for r in rows.mappings()]


async def test_one_window_of_submissions_is_one_email_sent_exactly_once(
    uow: UnitOfWork, fake_clock: FakeClock, smtp_server: tuple[Mailbox, int]
) -> None:
    mailbox, port = smtp_server
    at(fake_clock, datetime(2026, 3, 2, 9, 5, tzinfo=UTC))
    await quiet(uow)
    dispatch = registry().dispatcher(uow)
    events = [submitted_event(fake_clock) for _ in range(3)]
    for envelope in (*events, events[0]):  # the first one redelivered
        await dispatch(envelope)
        fake_clock.advance(600)
    # Not high-volume news: told at once, even to a person who takes digests.
    await dispatch(Envelope.wrap(ApplicationFailed(
        application_id=uuid.uuid4(), candidate_id=CANDIDATE, job_id=uuid.uuid4(),
        reason="the posting is closed"), source="jams/tests", time=fake_clock.now()))
    digester, send = Digester(uow, Templates()), deliverer(uow, smtp_port=port)

    assert len(await held(uow)) == 3
    assert [r["template"] for r in await deliveries(uow)] == ["application_failed"]
    assert await digester.run_once() == 0  # 09:45: the window runs until 10:00
    at(fake_clock, datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    both = await asyncio.gather(digester.run_once(), Digester(uow, Templates()).run_once())
    assert sorted(both) == [0, 1]  # two loops at once: one digest
    assert await digester.run_once() == 0
    assert await send.run_once() == 2

    digest = next(m for m in mailbox.messages if m["Subject"] == "3 updates from JAMS")
    body = str(digest.get_payload())
    for envelope in events:
        assert f"- Applied to job {envelope.data['job_id']} for you" in body
    assert body.count("- Applied to job") == 3
    assert len(mailbox.messages) == 2
    assert len(await delivered_events(uow, "email")) == 2
    fake_clock.advance(2 * HOUR)
    assert await digester.run_once() == 0 and await send.run_once() == 0
    assert len(mailbox.messages) == 2


async def test_a_line_that_missed_its_windows_digest_goes_out_with_the_next(
    uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    at(fake_clock, datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    await quiet(uow, "in_app")
    dispatch = registry().dispatcher(uow)
    await dispatch(submitted_event(fake_clock))
    at(fake_clock, datetime(2026, 3, 2, 10, 0, 5, tzinfo=UTC))
    digester = Digester(uow, Templates())
    assert await digester.run_once() == 1
    # A handler that read the clock at 09:59 commits only now, into the sent window.
    late = submitted_event(fake_clock)
    async with uow.transaction() as tx:
        assert await repository.hold_for_digest(
            tx.conn, late.id, CANDIDATE, "application_submitted", "Applied late",
            digest_window(datetime(2026, 3, 2, 9, 59, tzinfo=UTC), HOUR), fake_clock.now())
    assert await digester.run_once() == 0  # moved to the 10:00-11:00 window, not lost
    at(fake_clock, datetime(2026, 3, 2, 11, 0, tzinfo=UTC))
    assert await digester.run_once() == 1

    async with uow.engine.connect() as conn:
        sent = (await conn.execute(sa.select(notification_digests.c.window_start,
                                             notification_digests.c.item_count)
                                   .order_by(notification_digests.c.window_start))).all()
    assert [(w.hour, n) for w, n in sent] == [(9, 1), (10, 1)]
    in_app = await delivered_events(uow, "in_app")
    assert [e["subject"] for e in in_app] == ["1 update from JAMS", "1 update from JAMS"]
    assert "- Applied late" in in_app[1]["body"]
    assert all(row["digest_id"] is not None for row in await held(uow))


def test_the_command_line_sets_a_persons_digest(database_url: str) -> None:
    from typer.testing import CliRunner

    from services.cli import app

    person = uuid.uuid4()
    result = CliRunner().invoke(
        app, ["notifications", "set", str(person), "--channel", "email", "--channel", "in_app",
              "--email", "ada@example.com", "--digest-interval", "3600"],
        env={"JAMS_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output

    async def stored() -> Preferences:
        from infra.db import create_engine

        engine = create_engine(database_url, pool_size=1)
        try:
            async with engine.connect() as conn:
                return await repository.preferences(conn, person)
        finally:
            await engine.dispose()

    prefs = asyncio.run(stored())
    assert (prefs.channels, prefs.email, prefs.digest_interval_s) == (
        frozenset({"email", "in_app"}), "ada@example.com", 3600)

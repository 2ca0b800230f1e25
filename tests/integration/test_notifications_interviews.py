"""Interview invitations and reminders end to end on real servers: the recruiting service
schedules, reschedules and cancels through its API; the notification service turns its events
into e-mails on a real SMTP server, each with an .ics that a calendar reads as one entry (one
UID, SEQUENCE rising, METHOD REQUEST then CANCEL), and reminds everyone before the interview,
once, through each person's channels."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from typing import Any

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from infra.auth import Role
from infra.bus import codec
from infra.bus.port import InboundRecord
from infra.db import create_engine
from infra.outbox import outbox
from infra.uow import UnitOfWork
from schemas.events.envelope import Envelope
from schemas.events.interviews import InterviewCancelled, InterviewRescheduled, InterviewScheduled
from services.notifications import repository
from services.notifications.app import NAME, registry
from services.notifications.delivery import Deliverer
from services.notifications.domain import Preferences
from services.notifications.handlers import NotifyHandler
from services.notifications.reminders import Reminders
from services.notifications.tables import notifications
from services.notifications.templates import Templates
from tests.integration.recruiting_support import Recruiting, recruiting
from tests.integration.test_notifications_delivery import (
    Mailbox,
    deliverer,
    free_port,
    smtp_server,
)

pytestmark = pytest.mark.integration
__all__ = ["recruiting", "smtp_server"]  # the fixtures

CANDIDATE_MAIL, INTERVIEWER_MAIL = "ada.okafor@example.com", "hm@acme.example.com"
ORGANIZER = "notifications@jams.local"
EVENTS = (InterviewScheduled, InterviewRescheduled, InterviewCancelled)


@dataclass
class Setting:
    api: Recruiting
    uow: UnitOfWork  # the notification service's, on the same clock
    send: Deliverer
    mailbox: Mailbox
    candidate: uuid.UUID
    interviewer: uuid.UUID
    passed: int = 0  # interview events handed over so far

    async def relay(self) -> int:
        """Hand the recruiting service's new interview events (its outbox, as the relay
        publishes it) to the notification service, then deliver what is due; how many e-mails
        went out."""
        wanted = {t.TYPE for t in EVENTS}
        async with self.api.uow.engine.connect() as conn:
            rows = (await conn.execute(sa.select(outbox).order_by(outbox.c.id))).mappings().all()
        envelopes = [codec.decode(InboundRecord(
            row["topic"], 0, row["id"], row["key"], row["value"],
            tuple((k, v.encode()) for k, v in row["headers"]))) for row in rows]
        dispatch = registry(organizer=ORGANIZER).dispatcher(self.uow)
        ours = [e for e in envelopes if e.type in wanted]
        for envelope in ours[self.passed:]:
            await dispatch(envelope)
        self.passed = len(ours)
        return await self.send.run_once()


@pytest.fixture
async def setting(recruiting: Recruiting, database_url: str,
                  smtp_server: tuple[Mailbox, int]) -> AsyncIterator[Setting]:
    api = recruiting
    acme = api.companies[0]
    engine = create_engine(database_url, pool_size=3)
    uow = UnitOfWork(engine, api.clock, source=f"jams/{NAME}")
    candidate, interviewer = acme.candidates[0], acme.people[Role.HIRING_MANAGER]
    async with uow.transaction() as tx:
        for who, address in ((candidate, CANDIDATE_MAIL), (interviewer, INTERVIEWER_MAIL)):
            await repository.set_preferences(tx.conn, Preferences(
                who, frozenset({"in_app", "email"}), address), tx.clock.now())
    yield Setting(api, uow, deliverer(uow, smtp_port=smtp_server[1]), smtp_server[0],
                  candidate, interviewer)
    await engine.dispose()


def calendar_of(message: Message) -> tuple[str, Calendar]:
    """The e-mail's .ics part: its Content-Type method parameter and the parsed calendar."""
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "invite.ics"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return str(part.get_param("method")), Calendar.from_ical(payload.decode())


def mails_to(mailbox: Mailbox, address: str) -> list[Message]:
    return [m for m, to in zip(mailbox.messages, mailbox.recipients, strict=True)
            if to == [address]]


async def schedule(api: Recruiting, in_hours: int = 48) -> dict[str, Any]:
    acme = api.companies[0]
    made = await api.client.post(
        f"/api/v1/jobs/{acme.published_job}/candidates/{acme.candidates[0]}/interviews",
        headers=api.auth(Role.RECRUITER), json={
            "kind": "in_person", "starts_at": (api.clock.now() + timedelta(hours=in_hours))
            .isoformat(), "time_zone": "Europe/Berlin", "duration_min": 60,
            "location": "Acme, Hauptstr. 1, Berlin",
            "interviewer_ids": [str(acme.people[Role.HIRING_MANAGER])]})
    assert made.status_code == 201, made.text
    return dict(made.json())


async def test_invitations_share_one_uid_with_a_rising_sequence_until_cancelled(
        setting: Setting) -> None:
    api = setting.api
    made = await schedule(api)
    assert await setting.relay() == 2  # the candidate and the interviewer
    path = f"/api/v1/interviews/{made['interview_id']}"
    moved = await api.client.patch(path, json={"starts_at": "2026-01-04T15:00:00+01:00",
                                               "duration_min": 90},
                                   headers=api.auth(Role.RECRUITER))
    assert moved.status_code == 200, moved.text
    assert await setting.relay() == 2
    assert (await api.client.post(f"{path}/cancel", headers=api.auth(Role.RECRUITER))
            ).status_code == 200
    assert await setting.relay() == 2
    # A redelivered event sends nothing again.
    setting.passed = 0
    assert await setting.relay() == 0

    for address in (CANDIDATE_MAIL, INTERVIEWER_MAIL):
        mails = mails_to(setting.mailbox, address)
        assert len(mails) == 3, address
        seen = [calendar_of(m) for m in mails]
        assert [method for method, _ in seen] == ["REQUEST", "REQUEST", "CANCEL"]
        assert [str(c["METHOD"]) for _, c in seen] == ["REQUEST", "REQUEST", "CANCEL"]
        events = [c.walk("VEVENT")[0] for _, c in seen]
        assert {str(e["UID"]) for e in events} == {f"interview-{made['interview_id']}@jams"}
        assert [int(str(e["SEQUENCE"])) for e in events] == [0, 1, 2]
        assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
        first, second = events[0].decoded("DTSTART"), events[1].decoded("DTSTART")
        assert first.isoformat() == "2026-01-03T01:00:00+01:00"
        assert str(first.tzinfo) == "Europe/Berlin"
        assert second.isoformat() == "2026-01-04T15:00:00+01:00"
        assert events[1].decoded("DTEND") - second == timedelta(minutes=90)
        assert str(events[0]["LOCATION"]) == "Acme, Hauptstr. 1, Berlin"
        # Each invitation names its own recipient only.
        assert [str(e["ATTENDEE"]) for e in events] == [f"mailto:{address}"] * 3
        assert str(events[0]["ORGANIZER"]) == f"mailto:{ORGANIZER}"
        assert mails[0]["Subject"].startswith("Interview for Backend engineer at Acme at Acme")
        assert "cancelled" in mails[2]["Subject"]


async def test_reminders_go_once_before_the_interview_and_follow_its_changes(
        setting: Setting) -> None:
    api = setting.api
    reminders = Reminders(setting.uow, NotifyHandler(Templates(), ()))
    made = await schedule(api, in_hours=48)
    await setting.relay()
    sent_before = len(setting.mailbox.messages)

    assert await reminders.run_once() == 0  # nothing due yet
    api.clock.advance(24 * 3600)
    # Two loops at once (two replicas): the reminder goes out once.
    assert sum(await asyncio.gather(reminders.run_once(), reminders.run_once())) == 1
    assert await setting.send.run_once() == 2
    reminded = setting.mailbox.messages[sent_before:]
    assert sorted(to for [to] in setting.mailbox.recipients[sent_before:]) == [
        CANDIDATE_MAIL, INTERVIEWER_MAIL]
    assert all("Reminder: interview for" in m["Subject"] and "in 24 hours" in m["Subject"]
               for m in reminded)
    async with setting.uow.engine.connect() as conn:  # the in-app channel, too
        in_app = (await conn.execute(sa.select(notifications.c.recipient_id).where(
            notifications.c.template == "interview_reminder",
            notifications.c.channel == "in_app"))).scalars().all()
    assert sorted(in_app, key=str) == sorted([setting.candidate, setting.interviewer], key=str)

    # Moved a day later: the day-ahead reminder is due again, at the new time.
    path = f"/api/v1/interviews/{made['interview_id']}"
    later = api.clock.now() + timedelta(hours=48)
    assert (await api.client.patch(path, json={"starts_at": later.isoformat()},
                                   headers=api.auth(Role.RECRUITER))).status_code == 200
    await setting.relay()
    assert await reminders.run_once() == 0
    api.clock.advance(24 * 3600)
    assert await reminders.run_once() == 1

    # Cancelled: the hour-ahead reminder never goes.
    assert (await api.client.post(f"{path}/cancel", headers=api.auth(Role.RECRUITER))
            ).status_code == 200
    await setting.relay()
    api.clock.advance(23 * 3600 + 60)
    assert await reminders.run_once() == 0


async def test_an_older_version_arriving_late_does_not_bring_reminders_back(
        setting: Setting) -> None:
    api = setting.api
    reminders = Reminders(setting.uow, NotifyHandler(Templates(), ()))
    made = await schedule(api, in_hours=48)
    path = f"/api/v1/interviews/{made['interview_id']}"
    sooner = (api.clock.now() + timedelta(hours=30)).isoformat()
    assert (await api.client.patch(path, json={"starts_at": sooner},
                                   headers=api.auth(Role.RECRUITER))).status_code == 200
    assert (await api.client.post(f"{path}/cancel", headers=api.auth(Role.RECRUITER))
            ).status_code == 200
    await setting.relay()
    # The first version again, late (another consumer group, a replay): it is older.
    [scheduled] = await api.emitted(InterviewScheduled)
    await registry(organizer=ORGANIZER).dispatcher(setting.uow)(Envelope.wrap(
        InterviewScheduled.model_validate(scheduled), source="test", time=api.clock.now()))
    for _ in range(48):
        api.clock.advance(3600)
        assert await reminders.run_once() == 0


async def test_a_reminder_the_loop_reaches_only_after_the_start_is_not_sent(
        setting: Setting) -> None:
    api = setting.api
    reminders = Reminders(setting.uow, NotifyHandler(Templates(), ()))
    await schedule(api, in_hours=30)
    await setting.relay()
    api.clock.advance(31 * 3600)  # the loop was down through both reminders' times
    assert await reminders.run_once() == 0
    api.clock.advance(3600)
    assert await reminders.run_once() == 0


async def test_an_invitation_the_smtp_server_refused_is_retried_and_sent_once(
        setting: Setting, smtp_server: tuple[Mailbox, int]) -> None:
    api = setting.api
    port = smtp_server[1]
    setting.send = deliverer(setting.uow, smtp_port=free_port())  # nothing listens there
    await schedule(api)
    assert await setting.relay() == 0
    assert setting.mailbox.messages == []
    setting.send = deliverer(setting.uow, smtp_port=port)
    assert await setting.send.run_once() == 0  # backing off
    api.clock.advance(5)
    assert await setting.send.run_once() == 2
    api.clock.advance(3600)
    assert await setting.send.run_once() == 0
    assert sorted(to for [to] in setting.mailbox.recipients) == [CANDIDATE_MAIL, INTERVIEWER_MAIL]
    assert all(calendar_of(m)[0] == "REQUEST" for m in setting.mailbox.messages)

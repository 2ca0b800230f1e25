"""Notifications: who is told of what, once per event, whatever the redeliveries."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from infra.clock import FakeClock
from infra.db import create_engine
from infra.outbox import outbox
from infra.uow import UnitOfWork
from schemas.events.applications import ApplicationFailed, ApplicationSubmitted
from schemas.events.envelope import Envelope, EventData
from schemas.events.notifications import NotificationDelivered
from schemas.events.review import ReviewerLocked, ReviewerPresenceChanged, ReviewerStruck
from services.notifications.app import NAME, registry
from services.notifications.domain import notification_id
from services.notifications.tables import notifications

CANDIDATE = uuid.UUID("5b2c8a64-9d7e-4f51-a1c3-0a6e1f2b3c4d")
REVIEWER, SUPERVISOR = uuid.uuid4(), uuid.uuid4()
GROUP = registry().group


def submitted(job_id: uuid.UUID | None = None) -> ApplicationSubmitted:
    job = job_id or uuid.uuid4()
    return ApplicationSubmitted(application_id=uuid.uuid5(CANDIDATE, str(job)),
                                candidate_id=CANDIDATE, job_id=job,
                                resume_version_id=uuid.uuid4(), confirmation="abc")


def wrap(data: EventData, clock: FakeClock) -> Envelope:
    return Envelope.wrap(data, source="jams/tests", time=clock.now())


@pytest.fixture
async def uow(database_url: str, fake_clock: FakeClock) -> AsyncIterator[UnitOfWork]:
    engine = create_engine(database_url, pool_size=2)
    yield UnitOfWork(engine, fake_clock, source=f"jams/{NAME}")
    await engine.dispose()


async def messages(uow: UnitOfWork) -> list[dict[str, Any]]:
    async with uow.engine.connect() as conn:
        result = await conn.execute(sa.select(notifications).order_by(notifications.c.body))
        return [dict(row) for row in result.mappings()]


async def delivered(uow: UnitOfWork) -> list[dict[str, Any]]:
    async with uow.engine.connect() as conn:
        rows = (await conn.execute(sa.select(outbox.c.value, outbox.c.headers))).all()
    return [json.loads(value) for value, headers in rows
            if dict(headers).get("ce_type") == NotificationDelivered.TYPE]


async def handle(uow: UnitOfWork, envelope: Envelope, group: str = GROUP) -> bool:
    """What the runtime does with one delivery; True if the handler ran."""
    spec = registry([SUPERVISOR])
    async with uow.handling(group, envelope) as tx:
        if tx is None:
            return False
        event_type = next(t for t in spec.handlers if envelope.type == t.TYPE)
        await spec.handlers[event_type](event_type.model_validate(envelope.data), tx)
        return True


def test_only_news_is_handled_on_the_topics_read() -> None:
    spec = registry()
    assert spec.topics == ["applications.results", "recruiting.pipeline", "review.reviewers",
                           "review.tasks"]
    assert ReviewerPresenceChanged not in spec.handled_types  # presence is nobody's news


@pytest.mark.integration
async def test_one_message_per_submission_when_the_envelope_is_handled_twice(
    uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    event = submitted()
    envelope = wrap(event, fake_clock)

    assert await handle(uow, envelope) is True
    assert await handle(uow, envelope) is False  # the inbox knows it

    [message] = await messages(uow)
    assert message["body"].startswith(f"Hello,\n\nwe applied to job {event.job_id} for you.")
    assert (message["recipient_id"], message["about_event_id"]) == (CANDIDATE, envelope.id)
    assert message["notification_id"] == notification_id(envelope.id, CANDIDATE, "in_app")
    [note] = await delivered(uow)
    assert note == {"notification_id": str(message["notification_id"]),
                    "recipient_id": str(CANDIDATE), "channel": "in_app",
                    "template": "application_submitted", "about_event_id": str(envelope.id),
                    # In-app: the text travels to the gateway, which shows it on open pages.
                    "subject": f"Applied to job {event.job_id} for you",
                    "body": message["body"]}


@pytest.mark.integration
async def test_the_unique_event_id_holds_even_where_the_inbox_does_not(
    uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    envelope = wrap(submitted(), fake_clock)

    assert await handle(uow, envelope) is True
    assert await handle(uow, envelope, group="jams.notifications.replay") is True

    assert len(await messages(uow)) == 1
    assert len(await delivered(uow)) == 1


@pytest.mark.integration
async def test_through_the_dispatcher_each_submission_gets_its_own_message(
    uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    dispatch = registry().dispatcher(uow)
    first, second = wrap(submitted(), fake_clock), wrap(submitted(), fake_clock)

    for envelope in (first, second, first, second):
        await dispatch(envelope)

    assert len(await messages(uow)) == 2
    assert {n["about_event_id"] for n in await delivered(uow)} == {str(first.id), str(second.id)}


@pytest.mark.integration
async def test_a_failed_application_is_told_to_the_candidate(
    uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    failed = ApplicationFailed(application_id=uuid.uuid4(), candidate_id=CANDIDATE,
                               job_id=uuid.uuid4(), reason="the posting is closed")

    await registry().dispatcher(uow)(wrap(failed, fake_clock))

    [message] = await messages(uow)
    assert message["template"] == "application_failed"
    assert "the posting is closed" in message["body"] and "will not try again" in message["body"]


@pytest.mark.integration
async def test_strikes_and_locks_reach_the_reviewer_and_the_supervisors(
    uow: UnitOfWork, fake_clock: FakeClock
) -> None:
    struck = ReviewerStruck(reviewer_id=REVIEWER, task_id=uuid.uuid4(), strikes=2)
    locked = ReviewerLocked(reviewer_id=REVIEWER, strikes=3)

    for event in (struck, locked):
        await handle(uow, wrap(event, fake_clock))

    told = {(m["recipient_id"], m["template"]): m["body"] for m in await messages(uow)}
    assert set(told) == {(REVIEWER, "reviewer_struck"), (SUPERVISOR, "reviewer_struck"),
                         (REVIEWER, "reviewer_locked"), (SUPERVISOR, "reviewer_locked")}
    assert told[(REVIEWER, "reviewer_struck")].startswith("You let review task")
    assert told[(SUPERVISOR, "reviewer_locked")].startswith(
        f"After 3 strikes reviewer {REVIEWER} is locked")

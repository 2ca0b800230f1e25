"""The gateway's pushes on real Valkey: an offer carries its resume's text (read from the blob
store, PDF or plain text), an acceptance keeps it, an in-app message reaches the socket, and the
workflow's "away" is recorded in presence and shown."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import structlog
from redis.asyncio import Redis

from infra.blobs import LocalBlobStore
from infra.presence import ValkeyPresence
from schemas.events.envelope import Envelope
from schemas.events.notifications import NotificationDelivered
from schemas.events.review import (
    ReviewerPresenceChanged,
    ReviewTaskAssigned,
    ReviewTaskJobChanged,
    ReviewTaskOffered,
)
from services.gateway.adapters.fanout import RedisFanout
from services.gateway.adapters.offers import RedisOfferBook, RedisReviewerBoard
from services.gateway.adapters.resume_text import BlobResumeText
from services.gateway.publisher import SOURCE
from services.gateway.pushes import TaskPushes
from tests.fixtures.resumes import RESUME, pdf

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Pushed:
    """The pushes that reached this replica's sockets, by recipient."""

    def __init__(self) -> None:
        self.messages: list[tuple[uuid.UUID, dict[str, Any]]] = []

    async def deliver(self, recipient: uuid.UUID, message: dict[str, Any]) -> None:
        self.messages.append((recipient, message))

    async def until(self, count: int) -> list[tuple[uuid.UUID, dict[str, Any]]]:
        async with asyncio.timeout(10):
            while len(self.messages) < count:
                await asyncio.sleep(0.02)
        return self.messages


@pytest.fixture
async def setup(redis_url: str, tmp_path: Path
                ) -> AsyncIterator[tuple[TaskPushes, LocalBlobStore, Pushed]]:
    namespace = f"push{uuid.uuid4().hex[:10]}"
    redis = Redis.from_url(redis_url)
    blobs = LocalBlobStore(tmp_path / "blobs")
    pushed = Pushed()
    fanout = RedisFanout(redis, namespace, deliver=pushed.deliver)
    stop = asyncio.Event()
    listener = asyncio.create_task(fanout.run(stop))
    await asyncio.wait_for(fanout.listening.wait(), 10)
    try:
        yield (TaskPushes(RedisOfferBook(redis, namespace), fanout,
                          RedisReviewerBoard(redis, namespace), ValkeyPresence(redis, namespace),
                          BlobResumeText(blobs)),
               blobs, pushed)
    finally:
        stop.set()
        await listener
        keys = [k async for k in redis.scan_iter(match=f"{namespace}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


def offered(reviewer: uuid.UUID, key: str | None) -> ReviewTaskOffered:
    return ReviewTaskOffered(
        task_id=uuid.uuid4(), reviewer_id=reviewer, offer_expires_at=NOW + timedelta(minutes=1),
        match_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(), score=80.0,
        matched_skills=["Python"], missing_skills=["Kafka"], breakdown={"skills": 0.7},
        hints=["mention streaming work if true"], resume_blob_key=key)


def envelope(data: Any) -> Envelope:
    return Envelope.wrap(data, source="jams/workflow", time=NOW)


async def test_offer_carries_the_pdf_resume_text_and_acceptance_keeps_it(
        setup: tuple[TaskPushes, LocalBlobStore, Pushed]) -> None:
    pushes, blobs, pushed = setup
    alice = uuid.uuid4()
    await blobs.put("resumes/a/v1.pdf", pdf())
    event = offered(alice, "resumes/a/v1.pdf")
    await pushes.on_offered(event, envelope(event))
    [(to, message)] = await pushed.until(1)
    assert to == alice
    assert "Jane Doe" in message["resume_text"]
    assert (message["matched_skills"], message["missing_skills"]) == (["Python"], ["Kafka"])
    assert message["breakdown"] == {"skills": 0.7}
    assert message["hints"] == ["mention streaming work if true"]

    accepted = ReviewTaskAssigned(
        task_id=event.task_id, reviewer_id=alice, due_at=NOW + timedelta(minutes=20),
        match_id=event.match_id, candidate_id=event.candidate_id, job_id=event.job_id)
    await pushes.on_assigned(accepted, envelope(accepted))
    (_, after) = (await pushed.until(2))[1]
    assert after["state"] == "assigned"
    assert after["resume_text"] == message["resume_text"]
    assert after["missing_skills"] == ["Kafka"]
    stored = await pushes.offers.open_offers(alice)
    assert [s["resume_text"] for s in stored] == [message["resume_text"]]


async def test_acceptance_without_a_stored_offer_reads_the_text_itself(
        setup: tuple[TaskPushes, LocalBlobStore, Pushed]) -> None:
    pushes, blobs, pushed = setup
    await blobs.put("resumes/b/v.txt", RESUME.encode())
    accepted = ReviewTaskAssigned(
        task_id=uuid.uuid4(), reviewer_id=uuid.uuid4(), due_at=NOW + timedelta(minutes=20),
        match_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(),
        resume_blob_key="resumes/b/v.txt")
    await pushes.on_assigned(accepted, envelope(accepted))
    [(_, message)] = await pushed.until(1)
    assert message["resume_text"] == RESUME


async def test_a_missing_or_unsafe_resume_file_still_offers_the_task(
        setup: tuple[TaskPushes, LocalBlobStore, Pushed]) -> None:
    pushes, blobs, pushed = setup
    await blobs.put("resumes/c/broken.pdf", b"%PDF-1.4 Jane Doe, not really a PDF")
    with structlog.testing.capture_logs() as logs:
        for key in ("resumes/nobody/none.txt", "../../etc/passwd", "resumes/c/broken.pdf",
                    None):
            event = offered(uuid.uuid4(), key)
            await pushes.on_offered(event, envelope(event))
    assert [m["resume_text"] for _, m in await pushed.until(4)] == [None] * 4
    assert "Jane Doe" not in repr(logs)  # a resume's content never reaches the log


async def test_in_app_messages_are_pushed_and_other_channels_are_not(
        setup: tuple[TaskPushes, LocalBlobStore, Pushed]) -> None:
    pushes, _, pushed = setup
    bob = uuid.uuid4()
    for channel in ("email", "in_app"):
        event = NotificationDelivered(
            notification_id=uuid.uuid4(), recipient_id=bob, channel=channel,
            template="task_warning", about_event_id=uuid.uuid4(),
            subject="Five minutes left", body="Finish the task")
        await pushes.on_notification(event, envelope(event))
    [(to, message)] = await pushed.until(1)
    await asyncio.sleep(0.2)  # the e-mail record would have arrived by now
    assert len(pushed.messages) == 1
    assert (to, message["type"], message["subject"], message["body"]) == (
        bob, "notification", "Five minutes left", "Finish the task")


async def test_the_workflows_away_is_recorded_and_shown_unless_the_reviewer_came_back(
        setup: tuple[TaskPushes, LocalBlobStore, Pushed]) -> None:
    pushes, _, pushed = setup
    missed, back, stepped = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for who in (missed, back, stepped):
        await pushes.presence.connect(who, "page", NOW - timedelta(minutes=1))
    # `back` said "available" after the workflow's decision (at NOW) and before its event came.
    await pushes.presence.set_status(back, "page", "available", NOW + timedelta(seconds=1))
    for who in (missed, back):
        event = ReviewerPresenceChanged(reviewer_id=who, status="away")
        await pushes.on_presence(event, envelope(event))
    # The gateway's own announcements came from the page: nothing to record or show.
    own = ReviewerPresenceChanged(reviewer_id=stepped, status="away")
    await pushes.on_presence(own, Envelope.wrap(own, source=SOURCE, time=NOW))

    [(to, message)] = await pushed.until(1)
    await asyncio.sleep(0.2)  # any other push would have arrived by now
    assert len(pushed.messages) == 1
    assert (to, message) == (missed, {"type": "reviewer", "status": "away"})
    entries = await pushes.presence.entries()
    assert {who: e.status for who, e in entries.items()} == {
        missed: "away", back: "available", stepped: "available"}
    assert entries[missed].since == NOW


async def test_an_edited_job_updates_the_holders_task_card_and_nothing_else(
        setup: tuple[TaskPushes, LocalBlobStore, Pushed]) -> None:
    pushes, _, pushed = setup
    alice = uuid.uuid4()
    event = offered(alice, None)
    await pushes.on_offered(event, envelope(event))
    lines = ["title: Platform engineer \u2192 Staff platform engineer"]

    def changed(task_id: uuid.UUID, reviewer: uuid.UUID | None) -> ReviewTaskJobChanged:
        return ReviewTaskJobChanged(task_id=task_id, job_id=event.job_id, reviewer_id=reviewer,
                                    job_title="Staff platform engineer",
                                    apply_url="https://jobs.example/9?v=2", job_changes=lines)

    for data in (changed(uuid.uuid4(), None), changed(uuid.uuid4(), alice),
                 changed(event.task_id, alice)):
        await pushes.on_job_changed(data, envelope(data))

    (_, message) = (await pushed.until(2))[1]
    assert (message["type"], message["task_id"], message["job_title"], message["job_changes"]) \
        == ("task_offered", str(event.task_id), "Staff platform engineer", lines)
    assert message["hints"] == ["mention streaming work if true"], "the rest of the card stays"
    assert [s["job_changes"] for s in await pushes.offers.open_offers(alice)] == [lines]
    await asyncio.sleep(0.2)
    assert len(pushed.messages) == 2, "a queued task or one not on the page pushes nothing"

"""What the gateway's orders do in the services that own the data: preferences and scoring
config in the ATS engine, erasure in the ATS engine, the bot and notifications."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from infra.blobs import LocalBlobStore
from infra.clock import FakeClock
from infra.db import create_engine
from infra.documents.postgres import PostgresDocumentStore
from infra.uow import UnitOfWork
from schemas.events.candidates import CandidateErased, UpdateAnswerBank, UpdateCandidatePreferences
from schemas.events.config import ScoringConfigChanged
from schemas.events.envelope import EventData
from services.application_bot.answer_banks import CandidateOrders
from services.application_bot.domain import Applicant
from services.application_bot.privacy_handlers import on_candidate_erased as bot_erase
from services.application_bot.screening import bank_of
from services.application_bot.tables import applications, bot_resume_versions
from services.ats_engine.candidate_handlers import on_candidate_erased as ats_erase
from services.ats_engine.candidate_handlers import on_update_preferences
from services.ats_engine.config_handlers import AdoptableWeights, ConfigHandlers
from services.ats_engine.tables import candidates, preferences
from services.ats_engine.weights import DEFAULT_FILE
from services.notifications.privacy_handlers import on_candidate_erased as notify_erase
from services.notifications.tables import notification_digest_items, notification_preferences

pytestmark = pytest.mark.integration
WHO = uuid.uuid4()


@pytest.fixture
async def uow(database_url: str, fake_clock: FakeClock) -> AsyncIterator[UnitOfWork]:
    engine = create_engine(database_url, pool_size=2)
    yield UnitOfWork(engine, fake_clock, source="jams/tests")
    await engine.dispose()


async def handle(uow: UnitOfWork, handler: object, event: EventData) -> None:
    async with uow.transaction() as tx:
        await handler(event, tx)  # type: ignore[operator]


async def test_the_ats_engine_applies_valid_preferences_only(uow: UnitOfWork) -> None:
    await handle(uow, on_update_preferences, UpdateCandidatePreferences(
        candidate_id=WHO, preferences={"locations": ["Berlin"], "daily_cap": 4,
                                       "from_a_newer_api": True}))
    await handle(uow, on_update_preferences, UpdateCandidatePreferences(
        candidate_id=WHO, preferences={"daily_cap": -3, "colour": "blue"}))
    async with uow.engine.connect() as conn:
        stored = await conn.scalar(sa.select(preferences.c.preferences)
                                   .where(preferences.c.candidate_id == WHO))
    assert stored is not None
    assert stored["locations"] == ["Berlin"]
    assert stored["daily_cap"] == 4


async def test_an_erased_candidate_leaves_only_ids_in_ats_bot_and_notifications(
        uow: UnitOfWork) -> None:
    now = uow.clock.now()
    async with uow.transaction() as tx:
        await tx.conn.execute(insert(candidates).values(
            candidate_id=WHO, resume_version_id=uuid.uuid4(), skills=["python"],
            resume_text="Jane Doe, jane@example.com"))
        await tx.conn.execute(insert(preferences).values(candidate_id=WHO,
                                                         preferences={"daily_cap": 2}))
        await tx.conn.execute(insert(bot_resume_versions).values(
            resume_version_id=uuid.uuid4(), candidate_id=WHO, blob_key="resumes/x",
            content_sha256="0" * 64, created_at=now))
        await tx.conn.execute(insert(applications).values(
            application_id=uuid.uuid4(), candidate_id=WHO, job_id=uuid.uuid4(),
            resume_version_id=uuid.uuid4(), apply_url="https://example.com/a",
            state="submitted", confirmation="C-9", evidence_key="evidence/x/manifest.json",
            created_at=now, updated_at=now))
        await tx.conn.execute(insert(notification_preferences).values(
            recipient_id=WHO, email="jane@example.com", phone="+447700900123", updated_at=now))
        await tx.conn.execute(insert(notification_digest_items).values(
            about_event_id=uuid.uuid4(), recipient_id=WHO, template="application_submitted",
            line="Applied to Data Engineer at Acme", window_start=now, window_end=now,
            created_at=now))
    erased = CandidateErased(candidate_id=WHO)
    for handler in (ats_erase, bot_erase, notify_erase):
        await handle(uow, handler, erased)
        await handle(uow, handler, erased)  # twice: erasure is idempotent
    async with uow.engine.connect() as conn:
        ats = (await conn.execute(sa.select(candidates))).mappings().one()
        assert (ats["resume_text"], ats["skills"], ats["active"]) == (None, [], False)
        assert await conn.scalar(sa.select(sa.func.count()).select_from(preferences)) == 0
        assert await conn.scalar(sa.select(sa.func.count())
                                 .select_from(bot_resume_versions)) == 0
        application = (await conn.execute(sa.select(applications))).mappings().one()
        # The row stays: it is what keeps the bot from applying twice.
        assert (application["state"], application["evidence_key"],
                application["confirmation"]) == ("submitted", None, None)
        for table in (notification_preferences, notification_digest_items):
            assert await conn.scalar(sa.select(sa.func.count()).select_from(table)) == 0


def weights_file(tmp_path: Path) -> Path:
    path = tmp_path / "weights.json"
    shutil.copy(DEFAULT_FILE, path)
    return path


CONFIG = {"thresholds": {"auto_apply": 80, "review_floor": 40},
          "weights": {"must_skills": 0.7, "title": 0.3}}


async def test_a_new_scoring_config_reaches_every_replica(uow: UnitOfWork,
                                                          tmp_path: Path) -> None:
    documents = PostgresDocumentStore(uow.engine)
    path = weights_file(tmp_path)
    first, second = AdoptableWeights(path), AdoptableWeights(path)
    receiver = ConfigHandlers(documents, first, uow.clock)
    await handle(uow, receiver.on_scoring_config_changed,
                 ScoringConfigChanged(version="api-2", config=CONFIG))
    assert first.current().version == "api-2"
    assert first.current().thresholds.auto_apply == 80
    # Another replica did not get the event; it follows the stored version.
    assert second.current().version != "api-2"
    await ConfigHandlers(documents, second, uow.clock).refresh()
    assert second.current().version == "api-2"


async def test_an_invalid_config_or_a_newer_file_keeps_scoring_sane(uow: UnitOfWork,
                                                                    tmp_path: Path) -> None:
    documents = PostgresDocumentStore(uow.engine)
    path = weights_file(tmp_path)
    weights = AdoptableWeights(path)
    handlers = ConfigHandlers(documents, weights, uow.clock)
    before = weights.current().version
    await handle(uow, handlers.on_scoring_config_changed,
                 ScoringConfigChanged(version="bad", config={"weights": {"charm": 1}}))
    assert weights.current().version == before
    await handle(uow, handlers.on_scoring_config_changed,
                 ScoringConfigChanged(version="api-3", config=CONFIG))
    assert weights.current().version == "api-3"
    # An operator edits the file afterwards: the file wins, even after a poll of the store.
    edited = path.read_text().replace(f'"{before}"', '"file-4"')
    path.write_text(edited)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert weights.current().version == "file-4"
    await handlers.refresh()
    assert weights.current().version == "file-4"


class SeedDirectory:
    async def applicant(self, candidate_id: uuid.UUID) -> Applicant | None:
        return Applicant("Jane", "Doe", "jane@example.com", "", bank_of([(["visa"], "no",
                                                                          "seed")]))


async def test_the_bot_answers_from_the_bank_set_through_the_api(uow: UnitOfWork,
                                                                 tmp_path: Path) -> None:
    orders = CandidateOrders(PostgresDocumentStore(uow.engine), LocalBlobStore(tmp_path))
    directory = orders.directory(SeedDirectory())
    before = await directory.applicant(WHO)
    assert before is not None and before.answers.answer("Do you need a visa?") is not None
    await handle(uow, orders.on_update_answer_bank, UpdateAnswerBank(
        candidate_id=WHO, answers=[{"keywords": ["years", "python"], "answer": "7",
                                    "source": "candidate, via the API"}]))
    after = await directory.applicant(WHO)
    assert after is not None
    answered = after.answers.answer("How many years of Python experience?")
    assert answered is not None and answered.answer == "7"
    assert after.answers.answer("Do you need a visa?") is None  # replaced, not merged
    await handle(uow, orders.on_candidate_erased, CandidateErased(candidate_id=WHO))
    erased = await directory.applicant(WHO)
    assert erased is not None and erased.answers.facts == ()

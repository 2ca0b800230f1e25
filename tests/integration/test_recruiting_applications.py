"""An application to a job an employer posted here with no form of its own: the bot delivers
it to the employer's pipeline once, with no browser, and the recruiting service's ranked list
shows the candidate as applied. Both services on one real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.auth import Role
from infra.blobs import LocalBlobStore
from infra.clock import Clock
from infra.employer_jobs import platform_apply_url
from infra.runtime import open_platform
from infra.service import ServiceSpec
from infra.uow import UnitOfWork
from schemas.events.applications import ApplicationSubmitted
from schemas.events.envelope import Envelope, EventData
from schemas.events.matching import ApplicationApproved, MatchesScored
from schemas.events.resumes import ResumeVersionCreated
from schemas.events.review import TaskCompleted
from services.application_bot import repository
from services.application_bot.adapters.appliers import ApplierRegistry
from services.application_bot.adapters.browser import BrowserPage
from services.application_bot.adapters.candidates import SeedCandidateDirectory
from services.application_bot.adapters.portal_ledger import LedgerAnswer, LedgerQuery
from services.application_bot.app import NAME, assemble
from services.application_bot.applying import ApplicationBot, BotPorts
from services.application_bot.domain import (
    IN_PLATFORM_CONFIRMATION,
    ApplyRequest,
    application_id,
    claim,
    new_application,
)
from services.application_bot.settings import ApplicationBotSettings
from services.recruiting.settings import RecruitingSettings
from tests.integration.recruiting_support import Recruiting, recruiting, scored

__all__ = ["recruiting"]

SEED = Path(__file__).resolve().parents[2] / "sandbox" / "seed" / "candidates.json"
ADA = uuid.UUID("5b2c8a64-9d7e-4f51-a1c3-0a6e1f2b3c4d")


class NoBrowser:
    """A browser that counts every page asked of it; none may be."""

    def __init__(self) -> None:
        self.pages = 0

    def page(self, storage_state: Mapping[str, Any] | None = None, *,
             upstream: Any = None) -> AbstractAsyncContextManager[BrowserPage]:
        self.pages += 1
        raise AssertionError("an application delivered in the platform opened a browser")

    async def close(self) -> None:
        return None


class NoLedger:
    """No portal holds an application delivered in the platform; none may be asked."""

    async def check(self, query: LedgerQuery) -> LedgerAnswer:
        raise AssertionError("a portal was asked about an application delivered in the platform")


@dataclass
class Bot:
    spec: ServiceSpec
    uow: UnitOfWork
    blobs: LocalBlobStore
    settings: ApplicationBotSettings
    browser: NoBrowser
    clock: Clock

    async def deliver(self, data: EventData) -> Envelope:
        envelope = Envelope.wrap(data, source="test", time=self.clock.now())
        await self.spec.dispatcher(self.uow)(envelope)
        return envelope

    async def add_resume(self) -> uuid.UUID:
        version = uuid.uuid4()
        key = f"resumes/{ADA}/{version}.txt"
        digest = await self.blobs.put(key, b"Ada Okafor\nPython, PostgreSQL\n")
        await self.deliver(ResumeVersionCreated(candidate_id=ADA, resume_version_id=version,
                                                blob_key=key, content_sha256=digest))
        return version

    def applying(self) -> ApplicationBot:
        """The bot's applying alone, as the orphan sweep runs it."""
        ports = BotPorts(self.uow, self.blobs, self.browser, ApplierRegistry({}, career_site=None),
                         SeedCandidateDirectory(SEED), NoLedger())
        return ApplicationBot(ports, max_attempts=3,
                              employer_apply_url=self.settings.employer_apply_url)


@pytest.fixture
async def bot(recruiting: Recruiting, database_url: str, tmp_path: Path) -> AsyncIterator[Bot]:
    settings = ApplicationBotSettings(
        database_url=database_url, blob_dir=tmp_path / "bot-blobs", data_dir=tmp_path,
        chromium_path=tmp_path / "no-chromium", candidates_seed=SEED,
        employer_apply_url=RecruitingSettings().employer_apply_url)
    async with open_platform(settings, clock=recruiting.clock) as platform:
        uow = platform.unit_of_work(NAME)
        blobs = LocalBlobStore(settings.blob_dir)
        browser = NoBrowser()
        yield Bot(assemble(uow, blobs, settings, browser), uow, blobs, settings, browser,
                  recruiting.clock)


async def _scored_and_approved(recruiting: Recruiting, bot: Bot) -> ApplicationApproved:
    """Ada scored 96 on Acme's published job, and the approval the ATS engine sends."""
    job = recruiting.companies[0].published_job
    version = await bot.add_resume()
    pair = scored(job, ADA, 96.0)
    await recruiting.deliver(MatchesScored(batch_id=uuid.uuid4(), pairs=[pair]))
    return ApplicationApproved(
        match_id=pair.match_id, candidate_id=ADA, job_id=job, score=96.0,
        resume_version_id=version, company="Acme",
        apply_url=platform_apply_url(bot.settings.employer_apply_url, job))


async def test_an_approved_pair_on_an_employer_job_is_applied_for_once_without_a_browser(
        recruiting: Recruiting, bot: Bot) -> None:
    approval = await _scored_and_approved(recruiting, bot)
    job, version = approval.job_id, approval.resume_version_id

    first = await bot.deliver(approval)
    await bot.spec.dispatcher(bot.uow)(first)  # redelivered
    await bot.deliver(approval)  # a re-scored duplicate
    await bot.deliver(TaskCompleted(
        task_id=uuid.uuid4(), reviewer_id=uuid.uuid4(), match_id=approval.match_id,
        candidate_id=ADA, job_id=job, resume_version_id=version, apply_url=approval.apply_url))

    [submitted] = await recruiting.emitted(ApplicationSubmitted)
    assert bot.browser.pages == 0
    assert submitted["application_id"] == str(application_id(ADA, job))
    assert submitted["confirmation"] == IN_PLATFORM_CONFIRMATION
    assert submitted["resume_version_id"] == str(version)

    event = ApplicationSubmitted.model_validate(submitted)
    await recruiting.deliver(event)
    await recruiting.deliver(event)  # redelivered: still one application
    listed = await recruiting.client.get(f"/api/v1/jobs/{job}/candidates",
                                         headers=recruiting.auth(Role.RECRUITER))
    assert listed.status_code == 200, listed.text
    rows = {row["candidate_id"]: row for row in listed.json()["items"]}
    assert rows[str(ADA)]["score"] == 96.0
    assert rows[str(ADA)]["applied_at"] is not None
    others = [row for candidate, row in rows.items() if candidate != str(ADA)]
    assert others and all(row["applied_at"] is None for row in others)




async def test_a_delivery_cut_off_before_it_settled_is_delivered_once_by_the_sweep(
        recruiting: Recruiting, bot: Bot) -> None:
    """A worker that died between claiming and settling delivered nothing (delivering is the
    settling transaction): the sweep delivers it, asks no portal, opens no browser; a later
    order finds it settled."""
    approval = await _scored_and_approved(recruiting, bot)
    request = ApplyRequest(ADA, approval.job_id, approval.resume_version_id,
                           approval.apply_url, "Acme")
    async with bot.uow.transaction() as tx:  # what the dead worker left: claimed, unsettled
        assert await repository.insert_if_absent(tx.conn, claim(new_application(request)),
                                                 tx.clock.now())
    recruiting.clock.advance(3600)

    assert await bot.applying().settle_orphans(recruiting.clock.now()) == 1
    await bot.deliver(approval)

    [submitted] = await recruiting.emitted(ApplicationSubmitted)
    assert submitted["confirmation"] == IN_PLATFORM_CONFIRMATION
    assert bot.browser.pages == 0

"""An application to a job an employer posted here with no form of its own: the bot delivers
it to the employer's pipeline once, with no browser, and the recruiting service's ranked list
shows the candidate as applied. Both services on one real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from infra.auth import Role
from infra.blobs import LocalBlobStore
from infra.employer_jobs import platform_apply_url
from infra.runtime import open_platform
from schemas.events.applications import ApplicationSubmitted
from schemas.events.envelope import Envelope
from schemas.events.matching import ApplicationApproved, MatchesScored
from schemas.events.resumes import ResumeVersionCreated
from schemas.events.review import TaskCompleted
from services.application_bot.adapters.browser import BrowserPage
from services.application_bot.app import NAME, assemble
from services.application_bot.domain import IN_PLATFORM_CONFIRMATION, application_id
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


async def test_an_approved_pair_on_an_employer_job_is_applied_for_once_without_a_browser(
        recruiting: Recruiting, database_url: str, tmp_path: Path) -> None:
    job = recruiting.companies[0].published_job
    base = RecruitingSettings().employer_apply_url
    settings = ApplicationBotSettings(
        database_url=database_url, blob_dir=tmp_path / "bot-blobs", data_dir=tmp_path,
        chromium_path=tmp_path / "no-chromium", candidates_seed=SEED, employer_apply_url=base)
    browser = NoBrowser()
    async with open_platform(settings, clock=recruiting.clock) as platform:
        uow = platform.unit_of_work(NAME)
        blobs = LocalBlobStore(settings.blob_dir)
        bot = assemble(uow, blobs, settings, browser)

        async def deliver(data: Any) -> Envelope:
            envelope = Envelope.wrap(data, source="test", time=recruiting.clock.now())
            await bot.dispatcher(uow)(envelope)
            return envelope

        version = uuid.uuid4()
        key = f"resumes/{ADA}/{version}.txt"
        digest = await blobs.put(key, b"Ada Okafor\nPython, PostgreSQL\n")
        await deliver(ResumeVersionCreated(candidate_id=ADA, resume_version_id=version,
                                           blob_key=key, content_sha256=digest))
        pair = scored(job, ADA, 96.0)
        await recruiting.deliver(MatchesScored(batch_id=uuid.uuid4(), pairs=[pair]))
        apply_url = platform_apply_url(base, job)
        approval = ApplicationApproved(match_id=pair.match_id, candidate_id=ADA, job_id=job,
                                       score=96.0, resume_version_id=version,
                                       apply_url=apply_url, company="Acme")

        first = await deliver(approval)
        await bot.dispatcher(uow)(first)  # redelivered
        await deliver(approval)  # a re-scored duplicate
        await deliver(TaskCompleted(task_id=uuid.uuid4(), reviewer_id=uuid.uuid4(),
                                    match_id=pair.match_id, candidate_id=ADA, job_id=job,
                                    resume_version_id=version, apply_url=apply_url))

        [submitted] = await recruiting.emitted(ApplicationSubmitted)
        assert browser.pages == 0
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



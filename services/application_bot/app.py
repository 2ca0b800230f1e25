"""Composition root of the application bot."""

from __future__ import annotations

import asyncio

from infra.blobs import BlobStore
from infra.runtime import Platform
from infra.service import BackgroundTask, ServiceSpec
from infra.uow import UnitOfWork
from schemas.events.matching import (
    ApplicationApproved,
    ManualReviewRequired,
    MatchRejected,
    MatchScored,
)
from schemas.events.resumes import ResumeVersionCreated
from schemas.events.review import (
    ReviewTaskAssigned,
    ReviewTaskCreated,
    ReviewTaskMissed,
    ReviewTaskWarning,
    TaskCompleted,
    TaskRejected,
)
from services.application_bot.adapters.browser import Browser, PlaywrightBrowser
from services.application_bot.adapters.candidates import SeedCandidateDirectory
from services.application_bot.adapters.greenhouse_form import GreenhouseApplier
from services.application_bot.adapters.portal_ledger import SandboxSubmissionLedger
from services.application_bot.applying import ApplicationBot, BotPorts
from services.application_bot.handlers import ApplyHandlers, on_resume_version_created
from services.application_bot.settings import ApplicationBotSettings

NAME = "application_bot"


def build(platform: Platform, settings: ApplicationBotSettings) -> ServiceSpec:
    """The service with its own Chromium, closed when the service stops."""
    browser = PlaywrightBrowser(settings.chromium_path, timeout_s=settings.navigation_timeout_s)

    async def close_browser_on_stop(stop: asyncio.Event) -> None:
        await stop.wait()
        await browser.close()

    return assemble(platform.unit_of_work(NAME), platform.blobs, settings, browser,
                    background=[close_browser_on_stop])


def assemble(
    uow: UnitOfWork, blobs: BlobStore, settings: ApplicationBotSettings, browser: Browser,
    *, background: list[BackgroundTask] | None = None,
) -> ServiceSpec:
    """The registry of which handler takes which event, over the given edges."""
    ports = BotPorts(
        uow=uow,
        blobs=blobs,
        browser=browser,
        applier=GreenhouseApplier(confirmation_timeout_s=settings.confirmation_timeout_s),
        candidates=SeedCandidateDirectory(settings.candidates_seed),
        ledger=SandboxSubmissionLedger(timeout_s=settings.portal_check_timeout_s),
    )
    apply = ApplyHandlers(ApplicationBot(ports, max_attempts=settings.max_attempts))
    return ServiceSpec(
        name=NAME,
        handlers={ResumeVersionCreated: on_resume_version_created},
        raw_handlers={
            ApplicationApproved: apply.on_application_approved,
            TaskCompleted: apply.on_task_completed,
        },
        # Others' events on the topics we read: scoring, review bookkeeping, rejections.
        ignores=frozenset({
            MatchScored, ManualReviewRequired, MatchRejected,
            ReviewTaskCreated, ReviewTaskAssigned, ReviewTaskWarning, ReviewTaskMissed,
            TaskRejected,
        }),
        background=background or [],
    )

"""Composition root of the application bot."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import structlog
from sqlalchemy.exc import SQLAlchemyError

from infra.blobs import BlobStore
from infra.clock import Clock, sleep_unless_stopped
from infra.documents.postgres import PostgresDocumentStore
from infra.portal_automation import StoredSwitches
from infra.portal_sessions import keyring_of
from infra.runtime import Platform
from infra.service import BackgroundTask, ServiceSpec
from infra.uow import UnitOfWork
from schemas.events.candidates import PortalSessionProvided
from schemas.events.config import PortalAutomationChanged
from schemas.events.matching import (
    ApplicationApproved,
)
from schemas.events.resumes import ResumeVersionCreated
from schemas.events.review import (
    ReviewTaskCreated,
    TaskCompleted,
    TaskRejected,
)
from services.application_bot.adapters.appliers import ApplierRegistry
from services.application_bot.adapters.browser import Browser, OutboundGuard, PlaywrightBrowser
from services.application_bot.adapters.candidates import SeedCandidateDirectory
from services.application_bot.adapters.career_form import CareerFormApplier
from services.application_bot.adapters.easy_apply import EasyApplyApplier
from services.application_bot.adapters.greenhouse_form import GreenhouseApplier
from services.application_bot.adapters.hosted_flows import hosted_appliers
from services.application_bot.adapters.mail_ledger import ImapConfirmations, Mailbox
from services.application_bot.adapters.page_ledger import CapturedConfirmation, PortalPageLedger
from services.application_bot.adapters.portal_ledger import (
    FirstAnswer,
    SandboxSubmissionLedger,
    SubmissionLedger,
)
from services.application_bot.answer_banks import CandidateOrders
from services.application_bot.applying import ApplicationBot, BotPorts
from services.application_bot.handlers import (
    ApplyHandlers,
    on_resume_version_created,
    on_review_task_created,
)
from services.application_bot.metrics import report_orphans
from services.application_bot.politeness import OpenGate, PortalGate, RedisPortalGate
from services.application_bot.portal_sessions import NoSessions, SessionVault
from services.application_bot.questionnaires import StoredScreening
from services.application_bot.settings import ApplicationBotSettings

NAME = "application_bot"

log = structlog.get_logger(__name__)


def build(platform: Platform, settings: ApplicationBotSettings) -> ServiceSpec:
    """The service with its own Chromium, closed when the service stops."""
    browser = PlaywrightBrowser(settings.chromium_path, timeout_s=settings.navigation_timeout_s,
                                guard=OutboundGuard(settings.allow_private_hosts))

    async def close_browser_on_stop(stop: asyncio.Event) -> None:
        await stop.wait()
        await browser.close()

    gate = RedisPortalGate(
        platform.redis, platform.clock, policies=settings.portal_policies,
        default=settings.default_portal_policy, prefix=settings.politeness_prefix,
        breaker_wait_max_s=settings.breaker_wait_max_s)
    spec = assemble(platform.unit_of_work(NAME), platform.blobs, settings, browser,
                    background=[close_browser_on_stop], gate=gate)
    return dataclasses.replace(spec, readiness={"browser": browser.check})


def orphan_sweep(
    bot: ApplicationBot, clock: Clock, settings: ApplicationBotSettings
) -> BackgroundTask:
    """Every interval, settle applications a crash left unsettled with their event consumed,
    and report the orphans left (their count and the oldest one's age)."""

    async def settle_and_report(older_than: datetime) -> int:
        settled = await bot.settle_orphans(older_than)
        report_orphans(await bot.orphans(), clock.now())
        return settled

    return _sweep("orphan_sweep", clock, settings.sweep_interval_s, settings.sweep_grace_s,
                  settle_and_report, "orphaned applications settled")


def waiting_sweep(
    bot: ApplicationBot, clock: Clock, settings: ApplicationBotSettings
) -> BackgroundTask:
    """Every interval, fail applications that waited longer than allowed for a new session."""
    return _sweep("waiting_sweep", clock, settings.sweep_interval_s, settings.session_wait_s,
                  bot.give_up_waiting, "applications stopped waiting for a session")


def _sweep(name: str, clock: Clock, interval_s: float, age_s: float,
           settle: Callable[[datetime], Awaitable[int]], done: str) -> BackgroundTask:
    """Every interval, `settle` what is older than `age_s`."""

    async def sweep(stop: asyncio.Event) -> None:
        while not await sleep_unless_stopped(clock, interval_s, stop):
            try:
                if count := await settle(clock.now() - timedelta(seconds=age_s)):
                    log.info(done, count=count)
            except (OSError, SQLAlchemyError) as exc:
                # The database or portal is away for a moment; the next round tries again.
                log.warning(f"{name.replace('_', ' ')} failed", error=str(exc))

    sweep.__name__ = sweep.__qualname__ = name
    return sweep


def sessions(blobs: BlobStore, settings: ApplicationBotSettings) -> SessionVault | NoSessions:
    """Candidates' sealed portal sessions, where a key to open them is configured."""
    keyring = keyring_of(settings.portal_session_keys, settings.portal_session_key_id)
    return NoSessions() if keyring is None else SessionVault(blobs, keyring)


def assemble(
    uow: UnitOfWork, blobs: BlobStore, settings: ApplicationBotSettings, browser: Browser,
    *, background: list[BackgroundTask] | None = None, gate: PortalGate | None = None,
) -> ServiceSpec:
    """The registry of which handler takes which event, over the given edges."""
    # The bot's own JSONB documents, whatever holds the scrapers' raw pages.
    documents = PostgresDocumentStore(uow.engine)
    orders = CandidateOrders(documents, blobs)
    switches = StoredSwitches(documents, "bot_portal_automation")
    screening = StoredScreening(documents)
    ports = BotPorts(
        uow=uow,
        blobs=blobs,
        browser=browser,
        applier=appliers(settings),
        candidates=orders.directory(SeedCandidateDirectory(settings.candidates_seed)),
        ledger=submission_ledger(settings, blobs, browser),
        gate=gate or OpenGate(),
        sessions=sessions(blobs, settings),
        switches=switches,
        screening=screening,
    )
    worst_batch_s = settings.consumer_batch_size * settings.worst_visit_s
    if worst_batch_s > settings.consumer_max_poll_interval_s:
        # Kafka would hand the partitions on mid-batch and the batch would come again; the
        # claim keeps applying once, but the work is repeated.
        log.warning("consumer batch may outlive the poll interval", worst_batch_s=worst_batch_s,
                    max_poll_interval_s=settings.consumer_max_poll_interval_s)
    bot = ApplicationBot(ports, max_attempts=settings.max_attempts,
                         allow_private_hosts=settings.allow_private_hosts,
                         session_wait=timedelta(seconds=settings.session_wait_s),
                         orphan_review_after=timedelta(seconds=settings.orphan_review_after_s),
                         employer_apply_url=settings.employer_apply_url)
    apply = ApplyHandlers(bot)
    return ServiceSpec(
        name=NAME,
        handlers={ResumeVersionCreated: on_resume_version_created,
                  ReviewTaskCreated: on_review_task_created,
                  TaskRejected: apply.on_task_rejected, **orders.handlers,
                  PortalAutomationChanged: switches.on_changed, **screening.handlers},
        raw_handlers={
            ApplicationApproved: apply.on_application_approved,
            TaskCompleted: apply.on_task_completed,
            PortalSessionProvided: apply.on_portal_session_provided,
        },
        background=[*(background or []), orphan_sweep(bot, uow.clock, settings),
                    waiting_sweep(bot, uow.clock, settings)],
        consumer_batch_size=settings.consumer_batch_size,
        consumer_max_poll_interval_s=settings.consumer_max_poll_interval_s,
    )


def submission_ledger(settings: ApplicationBotSettings, blobs: BlobStore,
                      browser: Browser) -> SubmissionLedger:
    """How an orphan is settled: the sandbox's own record only on the sandbox; elsewhere what
    the candidate could see (a captured confirmation, the portal's pages, their e-mail)."""
    if settings.sandbox_ledger:
        return SandboxSubmissionLedger(timeout_s=settings.portal_check_timeout_s)
    ledgers: list[SubmissionLedger] = [
        CapturedConfirmation(blobs),
        # Until candidates hand over their sessions, a fresh context: signed out, it cannot
        # tell, and the e-mail or a person settles the orphan.
        PortalPageLedger(lambda _candidate_id: browser.page()),
    ]
    if settings.confirmation_imap_url is not None:
        ledgers.append(ImapConfirmations(
            Mailbox.parse(settings.confirmation_imap_url.get_secret_value()),
            timeout_s=settings.portal_check_timeout_s))
    return FirstAnswer(ledgers)


def appliers(settings: ApplicationBotSettings) -> ApplierRegistry:
    """Each portal's applier by the posting's URL; a career site's generic form otherwise."""
    timeout_s = settings.confirmation_timeout_s
    return ApplierRegistry({
        "greenhouse": GreenhouseApplier(confirmation_timeout_s=timeout_s),
        "linkedin": EasyApplyApplier(confirmation_timeout_s=timeout_s),
        **hosted_appliers(confirmation_timeout_s=timeout_s),
    }, career_site=CareerFormApplier(confirmation_timeout_s=timeout_s))

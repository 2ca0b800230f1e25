"""Orphans settled without the sandbox's own record: by a confirmation e-mail on the real dev
IMAP server, by the portal's page in the candidate's session, or by a person's answer."""
# ruff: noqa: F811 - the fixtures are shared with test_application_bot and named as there

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from playwright.async_api import async_playwright
from prometheus_client import REGISTRY
from pydantic import SecretStr

from sandbox.portal import SEED_JOBS, SubmissionStore
from sandbox.portal.apply_flows.easy_apply import BOARD, MEMBER_COOKIE, SEED_EASY_APPLY_JOBS
from sandbox.portal.apply_flows.load import portal_in_thread
from sandbox.portal.mail import ImapMailer
from sandbox.portal.submissions import Submission
from schemas.events.applications import ApplicationNeedsReview, ApplicationSubmitted
from schemas.events.envelope import Envelope
from schemas.events.review import ReviewTaskCreated, TaskCompleted, TaskRejected
from services.application_bot.adapters.browser import BrowserPage, PlaywrightPage
from services.application_bot.adapters.candidates import SeedCandidateDirectory
from services.application_bot.adapters.greenhouse_form import GreenhouseApplier
from services.application_bot.adapters.mail_ledger import ImapConfirmations, Mailbox
from services.application_bot.adapters.page_ledger import PortalPageLedger
from services.application_bot.adapters.portal_ledger import (
    Applied,
    LedgerQuery,
    NotApplied,
)
from services.application_bot.app import submission_ledger
from services.application_bot.applying import ApplicationBot, BotPorts
from services.application_bot.domain import ORPHAN_QUESTION, ApplyRequest, application_id
from services.application_bot.metrics import report_orphans
from services.application_bot.tables import applications
from tests.integration.test_application_bot import (  # noqa: F401 - fixtures
    ADA,
    ADA_EMAIL,
    JOB,
    Bot,
    CrashAfterSubmitting,
    MakeBot,
    Portal,
    SimulatedCrash,
    approved,
    browser,
    make_bot,
    portal,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

REVIEW_AFTER_S = 600


def sweeper(bot: Bot) -> ApplicationBot:
    """The bot as `assemble` builds it for its settings, with the ledger that implies."""
    ports = BotPorts(bot.uow, bot.blobs, bot.browser, GreenhouseApplier(confirmation_timeout_s=10),
                     SeedCandidateDirectory(bot.settings.candidates_seed),
                     submission_ledger(bot.settings, bot.blobs, bot.browser))
    return ApplicationBot(ports, max_attempts=bot.settings.max_attempts,
                          allow_private_hosts=bot.settings.allow_private_hosts,
                          orphan_review_after=timedelta(seconds=bot.settings.orphan_review_after_s))


async def crash_after_submitting(bot: Bot, apply_url: str) -> uuid.UUID:
    version = await bot.add_resume()
    order = approved(version, apply_url)
    with pytest.raises(SimulatedCrash):
        await bot.bot_with(CrashAfterSubmitting(confirmation_timeout_s=10)).apply(
            ApplyRequest(ADA, JOB, version, apply_url),
            Envelope.wrap(order, source="jams/tests", time=bot.clock.now()))
    return version


async def answer(bot: Bot, task_id: uuid.UUID, reply: TaskRejected | TaskCompleted) -> None:
    """The workflow's events for the bot's question: the task, then the reviewer's answer."""
    await bot.deliver(ReviewTaskCreated(task_id=task_id, match_id=application_id(ADA, JOB),
                                        candidate_id=ADA, job_id=JOB, score=0))
    await bot.deliver(reply)


async def test_an_orphan_nothing_settles_is_asked_about_once_then_settled_as_sent(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot(sandbox_ledger=False, orphan_review_after_s=REVIEW_AFTER_S)
    await crash_after_submitting(bot, portal.job_url())
    [sent] = portal.store.all()
    sweep = sweeper(bot)

    bot.clock.advance(1)
    assert await sweep.settle_orphans(bot.clock.now()) == 0  # nothing can tell, yet
    assert await bot.emitted(ApplicationNeedsReview) == []
    report_orphans(await sweep.orphans(), bot.clock.now())
    assert REGISTRY.get_sample_value("jams_application_bot_orphans_applications") == 1

    bot.clock.advance(REVIEW_AFTER_S)
    assert await sweep.settle_orphans(bot.clock.now()) == 1  # put to a person
    assert await sweep.settle_orphans(bot.clock.now()) == 0  # asked once, not again
    [question] = await bot.emitted(ApplicationNeedsReview)
    assert question["question"] == ORPHAN_QUESTION
    assert question["application_id"] == str(application_id(ADA, JOB))
    report_orphans(await sweep.orphans(), bot.clock.now())
    assert REGISTRY.get_sample_value(
        "jams_application_bot_orphan_age_seconds") == pytest.approx(REVIEW_AFTER_S + 1)

    # Another task's rejection says nothing about it; the one that asked settles it.
    await bot.deliver(TaskRejected(task_id=uuid.uuid4(), reviewer_id=uuid.uuid4()))
    assert [r["state"] for r in await bot.rows()] == ["submitting"]
    task_id = uuid.uuid4()
    await answer(bot, task_id, TaskRejected(task_id=task_id, reviewer_id=uuid.uuid4()))

    assert portal.store.all() == [sent]  # never resent
    [row] = await bot.rows()
    assert (row["state"], row["review_asked_at"]) == ("submitted", None)
    assert len(await bot.emitted(ApplicationSubmitted)) == 1
    report_orphans(await sweep.orphans(), bot.clock.now())
    assert REGISTRY.get_sample_value("jams_application_bot_orphan_age_seconds") == 0


async def test_a_reviewer_who_saw_nothing_sent_has_it_sent_once_more(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot(sandbox_ledger=False, orphan_review_after_s=REVIEW_AFTER_S)
    version = await bot.add_resume()
    order = approved(version, portal.job_url())
    async with bot.uow.transaction() as tx:  # a claim whose worker died before the form,
        await tx.conn.execute(applications.insert().values(  # on its last attempt
            application_id=application_id(ADA, JOB), candidate_id=ADA, job_id=JOB,
            resume_version_id=version, apply_url=order.apply_url, state="submitting",
            attempts=bot.settings.max_attempts, created_at=bot.clock.now(),
            updated_at=bot.clock.now()))
    await bot.deliver(order)  # a redelivery cannot tell either: it waits, sends nothing
    assert portal.store.all() == []

    bot.clock.advance(REVIEW_AFTER_S + 1)
    await sweeper(bot).settle_orphans(bot.clock.now())
    assert len(await bot.emitted(ApplicationNeedsReview)) == 1
    await bot.deliver(order)  # while a person is asked, an order changes nothing
    assert portal.store.all() == []

    task_id = uuid.uuid4()
    await answer(bot, task_id, TaskCompleted(
        task_id=task_id, reviewer_id=uuid.uuid4(), match_id=application_id(ADA, JOB),
        candidate_id=ADA, job_id=JOB, resume_version_id=version, apply_url=order.apply_url))

    [submission] = portal.store.all()
    [row] = await bot.rows()
    assert (row["state"], row["confirmation"]) == ("submitted", submission.confirmation_id)
    # One visit more than it had, past its last; one that sends nothing then gives up.
    assert row["attempts"] == bot.settings.max_attempts + 1


async def test_a_confirmation_email_settles_an_orphan_without_a_person(
    make_bot: MakeBot, mailbox_url: str
) -> None:
    store = SubmissionStore(on_add=ImapMailer(mailbox_url))
    with portal_in_thread(SEED_JOBS, store=store) as running:
        posting = SEED_JOBS[0]
        apply_url = f"{running.url}/{posting.board_token}/jobs/{posting.id}"
        bot = await make_bot(sandbox_ledger=False, orphan_review_after_s=0,
                             confirmation_imap_url=SecretStr(mailbox_url))
        await crash_after_submitting(bot, apply_url)
        [sent] = store.all()
        mailbox = ImapConfirmations(Mailbox.parse(mailbox_url), timeout_s=5)
        query = LedgerQuery(application_id(ADA, JOB), ADA, apply_url, ADA_EMAIL)
        for _ in range(100):  # the portal's mail comes a moment after its page
            if await mailbox.check(query) is not None:
                break
            await asyncio.sleep(0.1)
        assert isinstance(await mailbox.check(query), Applied)
        assert await mailbox.check(LedgerQuery(
            application_id(ADA, JOB), ADA, apply_url, "someone.else@example.com")) is None
        other_job = f"{running.url}/{posting.board_token}/jobs/{SEED_JOBS[1].id}"
        assert await mailbox.check(LedgerQuery(
            application_id(ADA, JOB), ADA, other_job, ADA_EMAIL)) is None

        bot.clock.advance(1)
        assert await sweeper(bot).settle_orphans(bot.clock.now()) == 1

        assert store.all() == [sent]
    [row] = await bot.rows()
    assert row["state"] == "submitted"
    assert await bot.emitted(ApplicationNeedsReview) == []  # the e-mail told, nobody asked
    [event] = await bot.emitted(ApplicationSubmitted)
    assert sent.confirmation_id in event["confirmation"]


@asynccontextmanager
async def signed_in_pages(chromium_path: str, origin: str, email: str
                          ) -> AsyncIterator[PortalPageLedger]:
    """The page ledger with the candidate's session: the portal's member cookie."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=chromium_path)

        @asynccontextmanager
        async def session(_candidate_id: uuid.UUID) -> AsyncIterator[BrowserPage]:
            context = await chromium.new_context()
            await context.add_cookies([{"name": MEMBER_COOKIE, "value": email, "url": origin}])
            try:
                yield PlaywrightPage(await context.new_page())
            finally:
                await context.close()

        try:
            yield PortalPageLedger(session)
        finally:
            await chromium.close()


async def test_the_portal_page_in_the_candidates_session_tells_applied_from_not(
    make_bot: MakeBot, portal: Portal, chromium_path: str
) -> None:
    bot = await make_bot(sandbox_ledger=False)
    job = SEED_EASY_APPLY_JOBS[0]
    apply_url = f"{portal.url}/jobs/view/{job.id}/apply"
    query = LedgerQuery(application_id(ADA, JOB), ADA, apply_url, ADA_EMAIL)
    signed_out = PortalPageLedger(lambda _candidate_id: bot.browser.page())

    async with signed_in_pages(chromium_path, portal.url, ADA_EMAIL) as signed_in:
        assert isinstance(await signed_in.check(query), NotApplied)
        portal.store.add(Submission(
            confirmation_id="c-1", board_token=BOARD, job_id=job.id,
            fields={"email": ADA_EMAIL}, resume_filename="cv.txt", resume_sha256="0",
            resume_size=1, submitted_at="2026-01-05T10:00:00+00:00"))
        found = await signed_in.check(query)
        assert isinstance(found, Applied) and "Applied" in found.confirmation
        # Someone else's application is not this candidate's.
        other = LedgerQuery(application_id(ADA, JOB), ADA, apply_url, "b@example.com")
        async with signed_in_pages(chromium_path, portal.url, "b@example.com") as theirs:
            assert isinstance(await theirs.check(other), NotApplied)
    assert await signed_out.check(query) is None  # no session: it cannot tell

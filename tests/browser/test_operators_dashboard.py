"""The operators' dashboard in headless Chromium: the login redirect, figures and charts
moving while work flows through the system, and a dead letter replayed from the page."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright, expect

from infra.auth import Role
from infra.bus.bus import PermanentError
from infra.runtime import open_platform
from infra.settings import CommonSettings
from schemas.events.applications import ApplicationFailed, ApplicationSubmitted
from schemas.events.envelope import Envelope
from schemas.events.jobs import JobPublished
from schemas.events.matching import ApplicationApproved, ManualReviewRequired
from schemas.events.review import ReviewerPresenceChanged
from services.analytics.app import build as build_analytics
from services.gateway.app import build as build_gateway
from services.gateway.settings import GatewaySettings
from tests.integration.test_analytics import (
    OPERATOR,
    Running,
    analytics_settings,
    job_found,
    match,
    running,
    scored,
    token,
)
from tests.serving import seed_accounts, serving

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]
UI_TIMEOUT_MS = 20_000


@asynccontextmanager
async def chromium(chromium_path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


class FlakyConsumer:
    """A consumer group that rejects one event until it is fixed, as a poisoned one would."""

    def __init__(self, system: Running, poison: uuid.UUID) -> None:
        self.poison = poison
        self.broken = True
        self.consumed: set[uuid.UUID] = set()
        self.stop = asyncio.Event()
        self.ready = asyncio.Event()
        self.task = asyncio.create_task(system.platform.bus.consume(
            "jams.test-flaky", ["jobs.raw"], self.handle, stop=self.stop, ready=self.ready,
            poll_timeout_s=0.2))

    async def handle(self, envelope: Envelope) -> None:
        if envelope.id == self.poison and self.broken:
            raise PermanentError("downstream refused the posting")
        self.consumed.add(envelope.id)

    async def close(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 30)


async def test_unauthenticated_visitors_are_sent_to_the_login_page(
    database_url: str, redis_url: str, chromium_path: str, tmp_path: Path,
) -> None:
    settings = analytics_settings("embedded", database_url, redis_url, tmp_path)
    async with running(settings) as system, chromium(chromium_path) as browser:
        page = await browser.new_page()
        await page.goto(f"{system.base}/operators")
        assert page.url == f"{system.base}/login?next=/operators"


async def test_figures_move_live_and_a_dead_letter_is_replayed_from_the_page(
    database_url: str, redis_url: str, chromium_path: str, tmp_path: Path,
) -> None:
    settings = analytics_settings("embedded", database_url, redis_url, tmp_path)
    async with running(settings) as system, chromium(chromium_path) as browser:
        context = await browser.new_context()
        await context.add_cookies([{"name": "jams_access", "value": token(OPERATOR, Role.OPERATOR),
                                    "url": system.base}])
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(f"{system.base}/operators")
        await expect(page.locator("#status")).to_have_text("connected", timeout=UI_TIMEOUT_MS)
        await expect(page.locator("#jobs_found")).to_have_text("0")

        # Work flows in: postings found, one canonical job, decisions, applications.
        for n in range(3):
            await system.publish(job_found("greenhouse:acme", n))
        await system.publish(JobPublished(job_id=uuid.uuid4(), company="Acme", title="SRE",
                                          apply_url="https://jobs.example/apply",
                                          sources=["greenhouse:acme:0"]))
        # As the ATS engine decides: the batch of scored pairs, then the actions it starts.
        await system.publish(scored(("apply", 96, True), ("review", 75, True)))
        await system.publish(match(ApplicationApproved, 96))
        await system.publish(match(ManualReviewRequired, 75))
        await expect(page.locator("#jobs_found")).to_have_text("3", timeout=UI_TIMEOUT_MS)
        await expect(page.locator("#jobs_deduplicated")).to_have_text("2")
        await expect(page.locator("#active_scrapers")).to_have_text("1")
        await expect(page.locator("#auto_apply_rate")).to_have_text("50 %")
        jobs_legend = page.locator('#chart-jobs .legend span[data-series="jobs found"]')
        await expect(jobs_legend).to_have_attribute("data-total", "3", timeout=UI_TIMEOUT_MS)
        await expect(page.locator("#chart-jobs svg path")).to_have_count(1)
        await expect(page.locator('tr[data-source="greenhouse:acme"]')).to_contain_text("ok")

        # And they keep moving while more arrives.
        await system.publish(scored(("reject", 10, True)))  # a rejection is only in the batch
        for n in range(3, 5):
            await system.publish(job_found("lever:globex", n))
        await system.publish(ApplicationSubmitted(
            application_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(),
            resume_version_id=uuid.uuid4()))
        await system.publish(ApplicationFailed(
            application_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(),
            reason="portal closed"))
        await expect(page.locator("#jobs_found")).to_have_text("5", timeout=UI_TIMEOUT_MS)
        await expect(page.locator("#active_scrapers")).to_have_text("2")
        await expect(page.locator("#manual_review_rate")).to_have_text("33 %")
        await expect(page.locator("#applications_submitted")).to_have_text("1")
        await expect(page.locator("#applications_failed")).to_have_text("1")
        # Each batch is one event read, however many pairs it counted.
        await expect(page.locator("#events")).to_have_text("12")
        await expect(jobs_legend).to_have_attribute("data-total", "5", timeout=UI_TIMEOUT_MS)

        # A poison event: one consumer group cannot take it, so it goes to jobs.raw.dlq.
        poison = uuid.uuid4()
        flaky = FlakyConsumer(system, poison)
        try:
            await asyncio.wait_for(flaky.ready.wait(), 30)
            await system.publish(job_found("greenhouse:acme", 99), event_id=poison)
            row = page.locator('tr[data-topic="jobs.raw"]')
            await expect(row.locator("td.waiting")).to_have_text("1", timeout=UI_TIMEOUT_MS)
            await expect(page.locator("#dead_letters_waiting")).to_have_text("1")
            assert poison not in flaky.consumed

            flaky.broken = False  # the consumer is fixed; the operator replays from the page
            await row.get_by_role("button", name="Replay jobs.raw").click()
            await expect(page.locator("#notice")).to_have_text(
                "replayed 1 dead letter(s) of jobs.raw", timeout=UI_TIMEOUT_MS)
            async with asyncio.timeout(30):
                while poison not in flaky.consumed:
                    await asyncio.sleep(0.05)
            await expect(row.locator("td.waiting")).to_have_text("0", timeout=UI_TIMEOUT_MS)
            await expect(page.locator("#dead_letters_waiting")).to_have_text("0")
            # Replayed, the event is a duplicate to analytics: counted once, not twice.
            await expect(page.locator("#jobs_found")).to_have_text("6")
        finally:
            await flaky.close()
        assert errors == []


async def test_the_operators_page_names_reviewers_by_their_email(
    database_url: str, redis_url: str, chromium_path: str, tmp_path: Path,
) -> None:
    settings = analytics_settings("embedded", database_url, redis_url, tmp_path)
    gateway_settings = GatewaySettings(**settings.model_dump(include=set(
        CommonSettings.model_fields)), presence_namespace=settings.analytics_namespace,
        password_hash_time_cost=1, password_hash_memory_kib=8192)
    reviewer = uuid.uuid4()
    async with open_platform(settings) as platform, chromium(chromium_path) as browser:
        await seed_accounts(platform, gateway_settings, "correct horse battery staple",
                            [(reviewer, "rita@example.test", Role.REVIEWER)])
        specs = [build_gateway(platform, gateway_settings), build_analytics(platform, settings)]
        async with serving(platform, specs) as base:
            await platform.bus.publish(Envelope.wrap(
                ReviewerPresenceChanged(reviewer_id=reviewer, status="available"),
                source="jams/test", time=datetime.now(UTC)))
            context = await browser.new_context()
            await context.add_cookies([{"name": "jams_access",
                                        "value": token(OPERATOR, Role.OPERATOR), "url": base}])
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(f"{base}/operators")
            row = page.locator("#reviewers tr", has_text="rita@example.test")
            await expect(row).to_contain_text("available", timeout=UI_TIMEOUT_MS)
            await expect(page.locator("#reviewers")).not_to_contain_text(str(reviewer))
    assert errors == []

"""The reviewer dashboard in headless Chromium: log in on /login, go available, receive a task
live, complete it with an edited resume, reconnect after the access token is gone; and, with a
short SLA, the warning banner and then the task moving to another reviewer."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from pydantic import SecretStr
from websockets.asyncio.client import connect

from infra.auth import Role, mint_access_token
from infra.bus import codec
from infra.runtime import Platform, open_platform
from schemas.events.envelope import Envelope, EventData
from schemas.events.matching import ManualReviewRequired
from schemas.events.registry import parse_data
from schemas.events.resumes import ResumeFileUploaded
from schemas.events.review import ReviewTaskMissed, TaskCompleted
from services.gateway.app import build as build_gateway
from services.gateway.settings import GatewaySettings
from services.workflow.app import build as build_workflow
from services.workflow.settings import WorkflowSettings
from tests.serving import seed_accounts, serving

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]

E = TypeVar("E", bound=EventData)
ALICE, BOB, ADMIN, SUPERVISOR = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
SECRET = SecretStr("browser-test-jwt-secret-0123456789")
PASSWORD = "correct horse battery staple"
# Accounts every dashboard starts with (reviewers' user ids are their reviewer ids).
ACCOUNTS = {ALICE: ("alice@example.test", Role.REVIEWER), BOB: ("bob@example.test", Role.REVIEWER),
            ADMIN: ("admin@example.test", Role.ADMIN),
            SUPERVISOR: ("supervisor@example.test", Role.SUPERVISOR)}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]


@dataclass
class Dashboard:
    platform: Platform
    base: str

    async def publish(self, data: EventData) -> None:
        await self.platform.bus.publish(Envelope.wrap(data, source="jams/test",
                                                      time=datetime.now(UTC)))

    async def published(self, kind: type[E]) -> list[E]:
        records = await self.platform.bus.transport.read_all(kind.TOPIC)
        found = [parse_data(codec.decode(record)) for record in records]
        return [data for data in found if isinstance(data, kind)]

    async def until(self, kind: type[E], count: int = 1) -> list[E]:
        async with asyncio.timeout(30):
            while len(found := await self.published(kind)) < count:
                await asyncio.sleep(0.1)
        return found


@asynccontextmanager
async def dashboard(database_url: str, redis_url: str, tmp_path: Path,
                    **workflow: Any) -> AsyncIterator[Dashboard]:
    namespace = f"ui{uuid.uuid4().hex[:10]}"
    common: dict[str, Any] = {"bus": "embedded", "database_url": database_url,
                              "redis_url": redis_url, "mongo_url": None,
                              "blob_dir": tmp_path / "blobs", "shutdown_grace_s": 5,
                              "presence_namespace": namespace}
    # Cheap password hashing: the machine running the tests is busy enough.
    gateway_settings = GatewaySettings(**common, jwt_secret=SECRET, heartbeat_interval_s=1,
                                       password_hash_time_cost=1,
                                       password_hash_memory_kib=8192)
    workflow_settings = WorkflowSettings(**common, assign_sweep_s=0.5, timer_poll_s=0.1,
                                         **workflow)
    async with open_platform(gateway_settings) as platform:
        await seed_accounts(platform, gateway_settings, PASSWORD,
                            [(user_id, email, role) for user_id, (email, role) in ACCOUNTS.items()])
        specs = [build_gateway(platform, gateway_settings),
                 build_workflow(platform, workflow_settings)]
        try:
            async with serving(platform, specs) as base:
                yield Dashboard(platform, base)
        finally:
            keys = [k async for k in platform.redis.scan_iter(match=f"{namespace}:*")]
            if keys:
                await platform.redis.delete(*keys)


@asynccontextmanager
async def chromium(chromium_path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def new_page(browser: Browser, errors: list[str]) -> Page:
    """A page whose script errors are collected (the tests assert there are none)."""
    page = await browser.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def socket_url(base: str, reviewer: uuid.UUID) -> str:
    """A reviewer's socket for a non-browser client: the access token in the query."""
    token = mint_access_token(SECRET, reviewer, Role.REVIEWER)
    return f"ws://{base.removeprefix('http://')}/ws/reviewers/{reviewer}?access_token={token}"


async def log_in(page: Page, base: str, user: uuid.UUID, path: str = "/review",
                 password: str = PASSWORD) -> None:
    """Open `path`; the page sends us to /login, which sends us back once logged in."""
    await page.goto(f"{base}{path}")
    await expect(page).to_have_url(f"{base}/login?next={path}")
    await page.get_by_label("Email").fill(ACCOUNTS[user][0])
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    if password == PASSWORD:
        await expect(page).to_have_url(f"{base}{path}", timeout=20_000)


def decision(candidate: uuid.UUID | None = None) -> ManualReviewRequired:
    return ManualReviewRequired(
        match_id=uuid.uuid4(), candidate_id=candidate or uuid.uuid4(), job_id=uuid.uuid4(),
        score=82.0, resume_version_id=uuid.uuid4(), apply_url="https://jobs.example/42",
        job_title="Staff Data Engineer", company="Umbrella",
        explanation=["python: matched", "airflow: missing — add pipeline work"],
    )


async def test_reviewer_logs_in_receives_a_task_and_completes_it_with_an_edited_resume(
    database_url: str, redis_url: str, chromium_path: str, tmp_path: Path
) -> None:
    async with dashboard(database_url, redis_url, tmp_path) as ui, \
            chromium(chromium_path) as browser:
        errors: list[str] = []
        page = await new_page(browser, errors)
        await log_in(page, ui.base, ALICE, password="not the password")
        await expect(page.locator("#message")).to_contain_text("wrong email or password")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Log in").click()
        await expect(page).to_have_url(f"{ui.base}/review")
        await expect(page.locator("#status")).to_have_text("connected")
        # The session lives in HTTP-only cookies, out of the page script's reach.
        cookies = {c["name"]: c for c in await page.context.cookies()}
        assert cookies["jams_access"]["httpOnly"] and cookies["jams_refresh"]["httpOnly"]
        assert cookies["jams_access"]["sameSite"] == "Strict"
        assert await page.evaluate("document.cookie") == ""
        await page.get_by_role("button", name="Step away").click()
        await expect(page.locator("#presence")).to_have_text("away")
        await page.get_by_role("button", name="Go available").click()
        await expect(page.locator("#presence")).to_have_text("available")

        event = decision()
        await ui.publish(event)
        card = page.locator("article.task")
        await expect(card).to_contain_text("Staff Data Engineer · Umbrella", timeout=10_000)
        await expect(card).to_contain_text("score 82")
        await expect(card).to_contain_text("airflow: missing")
        await expect(card.locator(".countdown")).to_contain_text("left")

        await card.get_by_role("button", name="Accept").click()
        await expect(card.locator(".state")).to_have_text("accepted")
        # A dropped socket reconnects by itself; a reloaded page resumes the same task.
        await page.evaluate("socket.close()")
        await expect(page.locator("#status")).to_have_text("connected")
        # Without its access token (as when it expires) the socket is refused with 4401; the
        # page refreshes the session with the refresh cookie and reconnects.
        await page.context.clear_cookies(name="jams_access")
        # Waited for by its request: "connected" may still show before the close is noticed.
        async with page.expect_response("**/api/v1/auth/refresh") as refreshed:
            await page.evaluate("socket.close()")
        assert (await refreshed.value).ok
        await expect(page.locator("#status")).to_have_text("connected")
        assert "jams_access" in {c["name"] for c in await page.context.cookies()}
        await page.reload()
        await expect(page.locator("#status")).to_have_text("connected")
        await expect(card.locator(".state")).to_have_text("accepted")
        await expect(card).to_contain_text("Staff Data Engineer · Umbrella")
        edited = "Ada Okafor\nBuilt Airflow pipelines moving 2 TB a day.\nPython, SQL."
        await card.locator("textarea").fill(edited)
        await card.get_by_role("button", name="Complete").click()
        await expect(page.locator("article.task")).to_have_count(0)

        (completed,) = await ui.until(TaskCompleted)
        versions = [v for v in await ui.published(ResumeFileUploaded)
                    if v.created_by == "reviewer"]
        assert len(versions) == 1
        assert versions[0].task_id == completed.task_id
        assert versions[0].candidate_id == event.candidate_id
        assert versions[0].uploaded_by == ALICE
        assert completed.resume_version_id == versions[0].resume_version_id
        assert await ui.platform.blobs.get(versions[0].blob_key) == edited.encode()
        assert errors == []


async def test_warning_banner_then_the_task_moves_to_another_reviewer(
    database_url: str, redis_url: str, chromium_path: str, tmp_path: Path
) -> None:
    short = {"short_sla_for_tests": True, "review_sla_s": 6, "warning_before_s": 4,
             "offer_window_s": 30}
    async with dashboard(database_url, redis_url, tmp_path, **short) as ui, \
            chromium(chromium_path) as browser:
        errors: list[str] = []
        page = await new_page(browser, errors)
        await log_in(page, ui.base, ALICE)
        await expect(page.locator("#status")).to_have_text("connected")
        await ui.publish(decision())
        card = page.locator("article.task")
        await card.get_by_role("button", name="Accept").click(timeout=10_000)
        await expect(card.locator(".state")).to_have_text("accepted")
        # Bob comes online only now, so the offer went to Alice.
        async with connect(socket_url(ui.base, BOB)) as bob:
            await expect(page.locator(".banner.warning")).to_be_visible(timeout=10_000)
            await expect(page.locator("article.task")).to_have_count(0, timeout=15_000)
            await expect(page.locator("#notice")).to_contain_text("another reviewer")
            await expect(page.locator("#presence")).to_have_text("away")
            await expect(page.locator("#strikes")).to_have_text("strikes: 1")
            async with asyncio.timeout(15):
                while True:
                    message = json.loads(await bob.recv())
                    if message["type"] == "task_offered":
                        break
        (missed,) = await ui.until(ReviewTaskMissed)
        assert missed.reviewer_id == ALICE
        assert message["task_id"] == str(missed.task_id)
        assert errors == []

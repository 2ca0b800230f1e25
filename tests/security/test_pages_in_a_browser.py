"""The pages in headless Chromium, as an attacker would use them: a crafted `next` never leads
off the site, another site cannot frame a page, and the strict content policy blocks nothing
the pages need (their sockets, charts and the API docs work)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route, expect

from infra.auth import Role
from tests.browser.test_review_dashboard import chromium
from tests.security.system import ACCOUNTS, PASSWORD, System, web_system

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]

EVIL = "http://evil.example"
# `next` values that a prefix check lets through or that browsers read as another host.
CRAFTED_NEXT = ["/%09/evil.example/", "/%0A/evil.example/", "/%0D/evil.example/",
                "//evil.example/", "/%5Cevil.example/", "%2F%2Fevil.example/",
                "http://evil.example/", "https:evil.example", "javascript:alert(document.domain)"]
UI_TIMEOUT_MS = 20_000


class Watched:
    """A browser context whose visits to the attacker's site are answered and recorded, and
    whose pages' content-policy complaints and script errors are collected."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.evil_visits: list[str] = []
        self.complaints: list[str] = []

    async def page(self) -> Page:
        page = await self.context.new_page()
        page.on("pageerror", lambda error: self.complaints.append(f"script error: {error}"))
        page.on("console", lambda message: self.complaints.append(message.text)
                if "Content Security Policy" in message.text else None)
        return page

    async def evil_site(self, route: Route) -> None:
        self.evil_visits.append(route.request.url)
        await route.fulfill(status=200, content_type="text/html",
                            body="<p>the attacker's page</p>")


@asynccontextmanager
async def watched(browser: Browser) -> AsyncIterator[Watched]:
    context = await browser.new_context()
    spy = Watched(context)
    await context.route(f"{EVIL}/**", spy.evil_site)
    try:
        yield spy
    finally:
        await context.close()


async def log_in(page: Page, system: System, role: Role, path: str) -> None:
    await page.goto(f"{system.base}/login?next={path}")
    await page.get_by_label("Email").fill(ACCOUNTS[role][1])
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page).to_have_url(f"{system.base}{path}", timeout=UI_TIMEOUT_MS)


async def test_a_crafted_next_never_leads_off_the_site(
    database_url: str, redis_url: str, chromium_path: str, tmp_path: Path
) -> None:
    async with web_system(database_url, redis_url, tmp_path) as system, \
            chromium(chromium_path) as browser, watched(browser) as spy:
        page = await spy.page()
        await log_in(page, system, Role.SUPERVISOR, "/supervisor?view=all")
        for crafted in CRAFTED_NEXT:
            # Logged in already: the page refreshes the session on its own and moves on.
            await page.goto(f"{system.base}/login?next={crafted}")
            await expect(page).to_have_url(f"{system.base}/supervisor", timeout=UI_TIMEOUT_MS)
        # Logging in with the form goes the same way.
        await page.context.clear_cookies()
        await page.goto(f"{system.base}/login?next={CRAFTED_NEXT[0]}")
        await page.get_by_label("Email").fill(ACCOUNTS[Role.SUPERVISOR][1])
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Log in").click()
        await expect(page).to_have_url(f"{system.base}/supervisor", timeout=UI_TIMEOUT_MS)
        assert spy.evil_visits == []


@contextmanager
def neighbour_site(html: str) -> Iterator[str]:
    """Another origin on the same host (another port): a real server, as Chromium's local
    network rules treat a page answered by the test itself as public."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_another_site_cannot_frame_a_page(
    database_url: str, redis_url: str, chromium_path: str, tmp_path: Path
) -> None:
    async with web_system(database_url, redis_url, tmp_path) as system, \
            chromium(chromium_path) as browser, watched(browser) as spy:
        framing = f'<iframe id="victim" src="{system.base}/login"></iframe>'
        with neighbour_site(framing) as neighbour:
            page = await spy.page()
            await page.goto(f"{neighbour}/clickjack")
            victim = await page.wait_for_selector("#victim")
            assert victim is not None
            frame = await victim.content_frame()
            assert frame is not None
            await page.wait_for_timeout(1000)
            assert await frame.locator("#login").count() == 0


async def test_the_strict_policy_blocks_nothing_the_pages_need(
    database_url: str, redis_url: str, chromium_path: str, tmp_path: Path
) -> None:
    async with web_system(database_url, redis_url, tmp_path) as system, \
            chromium(chromium_path) as browser:
        async with watched(browser) as spy:
            page = await spy.page()
            await log_in(page, system, Role.REVIEWER, "/review")
            await expect(page.locator("#status")).to_have_text("connected",
                                                               timeout=UI_TIMEOUT_MS)
            await page.goto(f"{system.base}/docs")
            await expect(page.locator(".opblock").first).to_be_visible(timeout=UI_TIMEOUT_MS)
            assert spy.complaints == []
        async with watched(browser) as spy:
            page = await spy.page()
            await log_in(page, system, Role.OPERATOR, "/operators")
            await expect(page.locator("#status")).to_have_text("connected",
                                                               timeout=UI_TIMEOUT_MS)
            await expect(page.locator("#jobs_found")).to_have_text("0")
            assert spy.complaints == []
        async with watched(browser) as spy:
            page = await spy.page()
            await log_in(page, system, Role.SUPERVISOR, "/supervisor")
            await page.wait_for_timeout(2500)  # a refresh of the tables
            await expect(page.locator("#notice")).to_have_text("")
            assert spy.complaints == []
        async with watched(browser) as spy:
            page = await spy.page()
            await log_in(page, system, Role.RECRUITER, "/recruiting")
            await expect(page.locator("#status")).to_have_text("connected",
                                                               timeout=UI_TIMEOUT_MS)
            await expect(page.locator("#jobs-empty")).to_be_visible(timeout=UI_TIMEOUT_MS)
            await expect(page.locator("#notice")).to_have_text("")
            assert spy.complaints == []

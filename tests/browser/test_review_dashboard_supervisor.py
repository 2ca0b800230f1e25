"""The supervisor view in headless Chromium: presence, load, tasks in flight with time left,
misses and a lock; a supervisor may not unlock, an admin unlocks with a reason."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect
from websockets.asyncio.client import ClientConnection, connect

from schemas.events.review import ReviewerLocked, ReviewerUnlocked
from tests.browser.test_review_dashboard import (
    ADMIN,
    BOB,
    SUPERVISOR,
    chromium,
    dashboard,
    decision,
    log_in,
    new_page,
    socket_url,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]


async def next_of(socket: ClientConnection, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(20):
        while True:
            message: dict[str, Any] = json.loads(await socket.recv())
            if message["type"] == kind:
                return message


async def test_supervisor_sees_load_misses_and_unlocks_a_locked_reviewer(
    database_url: str, redis_url: str, chromium_path: str, tmp_path: Path,
) -> None:
    rules = {"short_sla_for_tests": True, "review_sla_s": 3, "warning_before_s": 1,
             "strike_warn_at": 1, "strike_lock_at": 2}
    async with dashboard(database_url, redis_url, tmp_path, **rules) as ui, \
            chromium(chromium_path) as browser:
        url = socket_url(ui.base, BOB)
        errors: list[str] = []
        page = await new_page(browser, errors)
        # Logged in first: the 3-second SLA of this test leaves no time to log in later.
        await log_in(page, ui.base, SUPERVISOR, "/supervisor")
        async with connect(url) as bob:
            await ui.publish(decision())
            first = await next_of(bob, "task_offered")
            await bob.send(json.dumps({"type": "accept", "task_id": first["task_id"]}))
            await next_of(bob, "task_assigned")

            # People by e-mail, never by their ids.
            row = page.locator("#reviewers tr", has_text="bob@example.test")
            await expect(row).to_contain_text("available")
            task_row = page.locator("#tasks tr", has_text=first["task_id"])
            await expect(task_row).to_contain_text("assigned")
            await expect(task_row).to_contain_text("bob@example.test")
            await expect(page.locator("main")).not_to_contain_text(str(BOB))
            await expect(task_row).to_contain_text(" s")

            # Two misses: the first strike warns, the second locks (rules of this test).
            await next_of(bob, "task_closed")
            await bob.send(json.dumps({"type": "status", "status": "available"}))
            await ui.publish(decision())
            offer = await next_of(bob, "task_offered")
            await bob.send(json.dumps({"type": "accept", "task_id": offer["task_id"]}))
            await next_of(bob, "task_closed")
            await ui.until(ReviewerLocked)
            await expect(row).to_contain_text("2", timeout=10_000)  # misses
            await expect(row).to_contain_text("locked", timeout=10_000)

            # A supervisor sees the lock but only an admin may lift it.
            await row.get_by_placeholder("reason").fill("reviewed the misses with Bob")
            await row.get_by_role("button", name="Unlock").click()
            await expect(page.locator("#notice")).to_contain_text("403")
            await page.get_by_role("link", name="Log out").click()
            await expect(page).to_have_url(f"{ui.base}/login?next=%2Fsupervisor")
            await log_in(page, ui.base, ADMIN, "/supervisor")
            await row.get_by_placeholder("reason").fill("reviewed the misses with Bob")
            await row.get_by_role("button", name="Unlock").click()
            (unlocked,) = await ui.until(ReviewerUnlocked)
            assert (unlocked.reviewer_id, unlocked.admin_id, unlocked.reason) == (
                BOB, str(ADMIN), "reviewed the misses with Bob")
            await expect(row).not_to_contain_text("locked", timeout=10_000)
        assert errors == []

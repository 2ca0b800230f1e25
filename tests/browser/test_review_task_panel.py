"""The reviewer's task panel in headless Chromium: the offered task shows the resume text, the
score breakdown, matched and missing skills and tailoring hints; the editor starts from that
resume; an edit of the job shows on the held task; an in-app message reaches the open page."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from infra.auth import Role
from schemas.events.jobs import JobUpdated
from schemas.events.matching import ManualReviewRequired
from schemas.events.notifications import NotificationDelivered
from services.gateway.accounts.passwords import Passwords
from services.gateway.accounts.service import Accounts
from tests.browser.test_review_dashboard import Dashboard, chromium, dashboard, new_page

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]

ALICE = uuid.uuid4()
# Page → socket → bus → workflow → bus → gateway → page; generous for a busy machine.
ROUND_TRIP = 30_000
PASSWORD = "correct horse battery staple 7"
RESUME = "Ada Okafor\nData engineer, 6 years.\nBuilt Spark jobs in Python <b>and</b> SQL.\n"


async def log_in(page: Page, ui: Dashboard, reviewer: uuid.UUID) -> None:
    """A reviewer account made as an admin would, then the login page, then the dashboard."""
    email = f"r{reviewer.hex[:12]}@example.com"
    accounts = Accounts(ui.platform.unit_of_work("gateway"), Passwords(), None, None,
                        refresh_ttl_s=0)
    await accounts.create_staff("test", email, PASSWORD, Role.REVIEWER, reviewer)
    await page.goto(f"{ui.base}/login?next=/review")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.locator("#status")).to_have_text("connected", timeout=15_000)
    await expect(page.locator("#who")).to_have_text(f"reviewer {email}")  # not their id


async def test_offered_task_shows_resume_breakdown_skills_and_hints(
    database_url: str, redis_url: str, chromium_path: str, tmp_path: Path
) -> None:
    async with dashboard(database_url, redis_url, tmp_path) as ui, \
            chromium(chromium_path) as browser:
        errors: list[str] = []
        page = await new_page(browser, errors)
        await log_in(page, ui, ALICE)
        candidate = uuid.uuid4()
        key = f"resumes/{candidate}/{uuid.uuid4()}.txt"
        await ui.platform.blobs.put(key, RESUME.encode())
        decision = review_decision(candidate, key)
        await ui.publish(decision)

        card = page.locator("article.task")
        await expect(card).to_contain_text("Analytics Engineer · Globex", timeout=ROUND_TRIP)
        # The resume's text, shown as text (its markup-like bits are not interpreted).
        await expect(card.locator(".resume")).to_contain_text(
            "Built Spark jobs in Python <b>and</b> SQL")
        await expect(card.locator(".matched-skills")).to_contain_text("Python")
        await expect(card.locator(".missing-skills")).to_contain_text("dbt")
        await expect(card.locator(".hints")).to_contain_text("the job requires dbt")
        await expect(card.locator(".breakdown")).to_contain_text("skills")
        await expect(card.locator(".breakdown")).to_contain_text("75%")

        await card.get_by_role("button", name="Accept").click()
        await expect(card.locator(".state")).to_have_text("accepted", timeout=ROUND_TRIP)
        await expect(card.locator("textarea")).to_have_value(RESUME)
        await expect(card.locator(".missing-skills")).to_contain_text("dbt")  # still there

        # The job is edited while the task is held: the card shows the new title and the change.
        await ui.publish(JobUpdated(
            job_id=decision.job_id, revision=1, company="Globex",
            title="Senior Analytics Engineer", apply_url="https://jobs.example/5",
            changed=["title"], previous={"title": "Analytics Engineer"}))
        await expect(card).to_contain_text("Senior Analytics Engineer · Globex",
                                           timeout=ROUND_TRIP)
        await expect(card.locator(".job-changes")).to_contain_text(
            "title: Analytics Engineer \u2192 Senior Analytics Engineer")
        await expect(card.locator("textarea")).to_have_value(RESUME)  # the editor is kept

        await ui.publish(NotificationDelivered(
            notification_id=uuid.uuid4(), recipient_id=ALICE, channel="in_app",
            template="task_warning", about_event_id=uuid.uuid4(),
            subject="Five minutes left", body="Complete or hand back the task now."))
        await expect(page.locator("#inbox")).to_contain_text("Five minutes left",
                                                             timeout=ROUND_TRIP)

        # Giving back an accepted task before the warning: no strike, still available.
        await card.get_by_role("button", name="Hand back").click()
        await expect(page.locator("article.task")).to_have_count(0, timeout=ROUND_TRIP)
        await expect(page.locator("#presence")).to_have_text("available")
        # Declining an offer sets the reviewer away, as leaving it unanswered does.
        await ui.publish(review_decision(uuid.uuid4()))
        offer = page.locator("article.task")
        await offer.get_by_role("button", name="Hand back").click(timeout=ROUND_TRIP)
        await expect(page.locator("#presence")).to_have_text("away", timeout=ROUND_TRIP)
        await expect(page.locator("#notice")).to_contain_text("declined the offer")
        await expect(page.locator("#strikes")).to_be_hidden()
        assert errors == []


def review_decision(candidate: uuid.UUID, key: str | None = None) -> ManualReviewRequired:
    return ManualReviewRequired(
        match_id=uuid.uuid4(), candidate_id=candidate, job_id=uuid.uuid4(), score=77.0,
        resume_version_id=uuid.uuid4(), apply_url="https://jobs.example/5",
        job_title="Analytics Engineer", company="Globex",
        explanation=["score 77 (review)"], breakdown={"skills": 0.75, "experience": 0.5},
        matched_skills=["Python", "SQL"], missing_skills=["dbt"],
        hints=["the job requires dbt; add it only if the candidate really has it"],
        resume_blob_key=key)

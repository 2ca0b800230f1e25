"""The recruiters' page in headless Chromium, on the gateway and the recruiting service served
together: the login redirect, jobs posted, published and closed, a job's candidates ranked
best-first with their breakdown as they are scored (live, without a reload), filters, and
status buttons. Notes, interviews and shared links are tested where the service serves them."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Locator, Page, expect
from pydantic import SecretStr

from infra.auth import ACCESS_COOKIE, Role, TokenVerifier
from infra.clock import SystemClock
from infra.db import create_engine
from infra.uow import UnitOfWork
from schemas.events.matching import MatchesScored, ScoredPair
from schemas.events.rescoring import RescoreProgressed
from services.recruiting.app import recruiting_app
from services.recruiting.settings import RecruitingSettings
from services.recruiting.web import features
from tests.browser.test_review_dashboard import chromium
from tests.integration.test_recruiting_live import PASSWORD, Employer, Served, served_recruiting

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]

UI_TIMEOUT_MS = 20_000


def served_features() -> set[str]:
    """The page's optional parts whose routes the recruiting API has (nothing is connected)."""
    secret = SecretStr("only-to-list-the-routes-0123456789")
    engine = create_engine("postgresql://127.0.0.1/none")
    app = recruiting_app(UnitOfWork(engine, SystemClock(), "recruiting"), TokenVerifier(secret),
                         RecruitingSettings(jwt_secret=secret))
    return set(features(app.openapi()["paths"]))


def test_the_page_offers_every_part_the_service_serves() -> None:
    assert {"notes", "interviews", "links", "rescore"} <= served_features()


def pair(job_id: str, candidate: uuid.UUID, score: float, parts: dict[str, float],
         matched: list[str], missing: list[str]) -> ScoredPair:
    return ScoredPair(match_id=uuid.uuid4(), candidate_id=candidate, job_id=uuid.UUID(job_id),
                      resume_version_id=uuid.uuid4(), score=score,
                      decision="apply" if score >= 90 else "review" if score >= 50 else "reject",
                      explanation=[f"overall {score:.0f} of 100"], breakdown=parts,
                      matched_skills=matched, missing_skills=missing)


@dataclass
class Open:
    """A logged-in page and what it should not have complained about."""

    page: Page
    errors: list[str]


@asynccontextmanager
async def logged_in(browser: Browser, system: Served, employer: Employer,
                    role: Role = Role.RECRUITER) -> AsyncIterator[Open]:
    """The login form filled in as `role` of `employer`; the page lands on /recruiting."""
    context = await browser.new_context()
    try:
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
        page.on("console", lambda message: errors.append(message.text)
                if "Content Security Policy" in message.text else None)
        await page.goto(f"{system.base}/login")
        await page.get_by_label("Email").fill(employer.email(role))
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Log in").click()
        # An employer's home is their company's page.
        await expect(page).to_have_url(f"{system.base}/recruiting", timeout=UI_TIMEOUT_MS)
        await expect(page.locator("#status")).to_have_text("connected", timeout=UI_TIMEOUT_MS)
        yield Open(page, errors)
    finally:
        await context.close()


@asynccontextmanager
async def recruiter_page(database_url: str, redis_url: str, tmp_path: Path,
                         chromium_path: str) -> AsyncIterator[tuple[Served, Open]]:
    """The served system and its first company's recruiter on their page."""
    async with served_recruiting(database_url, redis_url, tmp_path) as system, \
            chromium(chromium_path) as browser, \
            logged_in(browser, system, system.employers[0]) as opened:
        yield system, opened


def card(page: Page, candidate: uuid.UUID) -> Locator:
    return page.locator(f'#candidates li[data-candidate="{candidate}"]')


async def order(page: Page) -> list[str]:
    return [str(c) for c in await page.locator("#candidates > li").evaluate_all(
        "cards => cards.map(c => c.dataset.candidate)")]


async def test_visitors_are_sent_to_the_login_page(
        database_url: str, redis_url: str, chromium_path: str, tmp_path: Path) -> None:
    async with served_recruiting(database_url, redis_url, tmp_path) as system, \
            chromium(chromium_path) as browser:
        page = await browser.new_page()
        await page.goto(f"{system.base}/recruiting")
        assert page.url == f"{system.base}/login?next=/recruiting"


async def test_jobs_ranked_candidates_live_scores_and_status_buttons(
        database_url: str, redis_url: str, chromium_path: str, tmp_path: Path) -> None:
    async with recruiter_page(database_url, redis_url, tmp_path, chromium_path) as (
            system, opened):
        page, acme = opened.page, system.employers[0]
        await expect(page.locator("#jobs-empty")).to_be_visible()

        # A job posted from the page is chosen at once; nobody is scored against it yet.
        await page.get_by_text("Post a job").click()
        await page.get_by_label("Title").fill("Platform engineer")
        await page.get_by_label("Location").fill("Berlin")
        await page.get_by_label("Post as").select_option("published")
        await page.get_by_role("button", name="Post job").click()
        await expect(page.locator("#job-heading")).to_have_text("Platform engineer",
                                                              timeout=UI_TIMEOUT_MS)
        job = await page.locator('#jobs button[aria-current="true"]').get_attribute("data-job")
        assert job is not None
        await expect(page.locator("#candidates-empty")).to_contain_text("No candidates scored yet")

        # Scores arrive while the page is open: ranked best-first with no reload.
        best, middle, worst = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await system.publish(MatchesScored(batch_id=uuid.uuid4(), pairs=[
            pair(job, middle, 61.5, {"skills": 0.6, "experience": 0.7}, ["python"], ["kafka"]),
            pair(job, best, 88.0, {"skills": 0.9, "experience": 0.85}, ["python", "kafka"], []),
            pair(job, worst, 40.0, {"skills": 0.3, "experience": 0.5}, [], ["python"])]))
        await expect(page.locator("#candidates > li")).to_have_count(3, timeout=UI_TIMEOUT_MS)
        assert await order(page) == [str(best), str(middle), str(worst)]
        await expect(page.locator("#candidates-empty")).to_be_hidden()
        top = card(page, best)
        await expect(top.locator(".score")).to_have_text("88.0")
        await expect(top.locator(".name")).to_have_text(f"#1 Candidate {str(best)[:8]}")
        # The breakdown as a bar chart: one bar per part, its length the part's share.
        chart = top.locator("svg.bars")
        await expect(chart).to_have_attribute("aria-label",
                                              "Score breakdown: skills 90 %, experience 85 %")
        assert await chart.locator("rect.bar").count() == 2
        skills_bar = chart.locator('rect.bar[data-part="skills"]')
        assert float(await skills_bar.get_attribute("width") or 0) == pytest.approx(144.0)
        await expect(top.locator(".skills.matched li")).to_have_text(["python", "kafka"])
        await expect(card(page, middle).locator(".skills.missing li")).to_have_text(["kafka"])
        await expect(top.locator(".explanation")).to_have_text("overall 88 of 100")

        # Status buttons change the candidate's place in the pipeline, kept by the service;
        # from the keyboard, the focus stays on the button pressed.
        await top.get_by_role("button", name="Shortlist").focus()
        await page.keyboard.press("Enter")
        await expect(top.get_by_role("button", name="Shortlist")).to_have_attribute(
            "aria-pressed", "true", timeout=UI_TIMEOUT_MS)
        await expect(top.get_by_role("button", name="Shortlist")).to_be_focused()
        await expect(top.locator(".badge")).to_have_text("shortlisted")
        await card(page, worst).get_by_role("button", name="Reject").click()
        await expect(card(page, worst).locator(".badge")).to_have_text("rejected",
                                                                       timeout=UI_TIMEOUT_MS)
        kept = await system.client.get(f"/api/v1/jobs/{job}/candidates",
                                       headers=system.auth(Role.HIRING_MANAGER, acme))
        assert {c["candidate_id"]: c["status"] for c in kept.json()["items"]} == {
            str(best): "shortlisted", str(middle): "pending", str(worst): "rejected"}

        # Filters, by their labels.
        await page.get_by_label("Pipeline status").select_option("shortlisted")
        await expect(page.locator("#candidates > li")).to_have_count(1, timeout=UI_TIMEOUT_MS)
        await page.get_by_label("Pipeline status").select_option("")
        await page.get_by_label("Lowest score").fill("50")
        await expect(page.locator("#candidates > li")).to_have_count(2, timeout=UI_TIMEOUT_MS)
        await page.get_by_label("Lowest score").fill("99")
        await expect(page.locator("#candidates-empty")).to_have_text(
            "No candidates match these filters.", timeout=UI_TIMEOUT_MS)
        await page.get_by_label("Lowest score").fill("")
        await expect(page.locator("#candidates > li")).to_have_count(3, timeout=UI_TIMEOUT_MS)

        # A new score re-ranks the list live; the status set before stays.
        await system.publish(MatchesScored(batch_id=uuid.uuid4(), pairs=[
            pair(job, worst, 95.0, {"skills": 1.0, "experience": 0.9}, ["python"], [])]))
        await expect(card(page, worst).locator(".score")).to_have_text("95.0",
                                                                        timeout=UI_TIMEOUT_MS)
        assert await order(page) == [str(worst), str(best), str(middle)]
        await expect(card(page, worst).locator(".name")).to_contain_text("#1 ")
        await expect(card(page, worst).locator(".badge")).to_have_text("rejected")

        # A draft published, then closed, from the page (closing asks first).
        await page.get_by_text("Post a job").click()
        await page.get_by_label("Title").fill("Data engineer")
        await page.get_by_role("button", name="Post job").click()
        await expect(page.locator("#job-heading")).to_have_text("Data engineer",
                                                              timeout=UI_TIMEOUT_MS)
        draft = page.locator('#jobs button[aria-current="true"]')
        await expect(draft.locator(".badge")).to_have_text("draft")
        await page.get_by_role("button", name="Publish job").click()
        await expect(draft.locator(".badge")).to_have_text("published", timeout=UI_TIMEOUT_MS)
        page.once("dialog", lambda dialog: dialog.accept())
        await page.get_by_role("button", name="Close job").click()
        await expect(draft.locator(".badge")).to_have_text("closed", timeout=UI_TIMEOUT_MS)
        await expect(page.get_by_role("button", name="Close job")).to_have_count(0)

        # Keyboard: the first job chosen again with Enter.
        await page.locator(f'#jobs button[data-job="{job}"]').focus()
        await page.keyboard.press("Enter")
        await expect(page.locator("#job-heading")).to_have_text("Platform engineer",
                                                              timeout=UI_TIMEOUT_MS)
        await expect(page.locator("#candidates > li")).to_have_count(3, timeout=UI_TIMEOUT_MS)
        assert opened.errors == []


async def test_a_hiring_manager_pages_on_and_sets_statuses_a_colleague_sees_at_once(
        database_url: str, redis_url: str, chromium_path: str, tmp_path: Path) -> None:
    async with served_recruiting(database_url, redis_url, tmp_path) as system, \
            chromium(chromium_path) as browser:
        acme = system.employers[0]
        job = await system.post_job(acme, "Site reliability engineer")
        # More than a page (50): scores 100, 99.5, ... best first.
        ranked = [uuid.uuid4() for _ in range(55)]
        await system.publish(MatchesScored(batch_id=uuid.uuid4(), pairs=[
            pair(job, candidate, 100.0 - n / 2, {"skills": 0.7}, ["go"], [])
            for n, candidate in enumerate(ranked)]))
        async with logged_in(browser, system, acme, Role.HIRING_MANAGER) as opened:
            page = opened.page
            await expect(page.locator("#candidates > li")).to_have_count(50,
                                                                        timeout=UI_TIMEOUT_MS)
            await expect(page.locator("#post-job")).to_be_hidden()
            await expect(page.get_by_role("button", name="Close job")).to_have_count(0)
            await page.get_by_role("button", name="More candidates").click()
            await expect(page.locator("#candidates > li")).to_have_count(55,
                                                                        timeout=UI_TIMEOUT_MS)
            await expect(page.get_by_role("button", name="More candidates")).to_be_hidden()
            assert await order(page) == [str(c) for c in ranked]

            # A new score refreshes every card shown, not only the first page.
            last = ranked[-1]
            await system.publish(MatchesScored(batch_id=uuid.uuid4(), pairs=[
                pair(job, last, 99.75, {"skills": 0.9}, ["go"], [])]))
            await expect(card(page, last).locator(".name")).to_have_text(
                f"#2 Candidate {str(last)[:8]}", timeout=UI_TIMEOUT_MS)
            await expect(page.locator("#candidates > li")).to_have_count(55)
            assert await order(page) == [str(c) for c in [ranked[0], last, *ranked[1:-1]]]

            # A recruiter of the company has the same list open: the change shows there too.
            async with logged_in(browser, system, acme) as colleague:
                await expect(card(colleague.page, last).locator(".badge")).to_have_text(
                    "pending", timeout=UI_TIMEOUT_MS)
                await card(page, last).get_by_role("button", name="Maybe").click()
                await expect(card(page, last).locator(".badge")).to_have_text(
                    "maybe", timeout=UI_TIMEOUT_MS)
                await expect(card(colleague.page, last).locator(".badge")).to_have_text(
                    "maybe", timeout=UI_TIMEOUT_MS)
                assert colleague.errors == []
            assert opened.errors == []


@asynccontextmanager
async def candidate_on_page(database_url: str, redis_url: str, tmp_path: Path,
                            chromium_path: str,
                            ) -> AsyncIterator[tuple[Served, Page, str, uuid.UUID]]:
    """A recruiter's page showing a published job of their company with one candidate scored:
    the system, the page, the job and the candidate."""
    async with recruiter_page(database_url, redis_url, tmp_path, chromium_path) as (
            system, opened):
        page = opened.page
        job = await system.post_job(system.employers[0], "Backend engineer")
        candidate = uuid.uuid4()
        await system.publish(MatchesScored(batch_id=uuid.uuid4(), pairs=[
            pair(job, candidate, 80.0, {"skills": 0.8}, ["python"], [])]))
        await page.reload()
        await page.locator(f'#jobs button[data-job="{job}"]').click()
        await expect(card(page, candidate)).to_be_visible(timeout=UI_TIMEOUT_MS)
        yield system, page, job, candidate
        assert opened.errors == []


async def test_notes_are_written_and_edited_on_the_page(
        database_url: str, redis_url: str, chromium_path: str, tmp_path: Path) -> None:
    async with candidate_on_page(database_url, redis_url, tmp_path, chromium_path) as (
            system, page, job, candidate):
        acme, globex = system.employers
        notes = card(page, candidate).locator("details.notes")
        await notes.locator("summary").click()
        await expect(notes).to_contain_text("No notes yet.", timeout=UI_TIMEOUT_MS)
        await notes.get_by_label("New note").fill("Strong on Kafka; ask about on-call")
        await notes.get_by_role("button", name="Add note").click()
        written = notes.locator(".note-list li")
        await expect(written).to_have_count(1, timeout=UI_TIMEOUT_MS)
        await expect(written.locator(".note-body")).to_have_text(
            "Strong on Kafka; ask about on-call")
        await expect(written.locator(".small")).to_contain_text("you ·")

        await written.get_by_role("button", name="Edit your note").click()
        await notes.get_by_label("Edit note").fill("Strong on Kafka; on-call is fine")
        await notes.get_by_role("button", name="Save note").click()
        await expect(written.locator(".note-body")).to_have_text(
            "Strong on Kafka; on-call is fine", timeout=UI_TIMEOUT_MS)
        await expect(written.locator(".small")).to_contain_text("edited")

        # Its history: both revisions, the first one first, by its author.
        await written.get_by_role("button", name="History").click()
        revisions = written.locator(".note-history li")
        await expect(revisions).to_have_count(2, timeout=UI_TIMEOUT_MS)
        await expect(revisions.locator(".note-body")).to_have_text(
            ["Strong on Kafka; ask about on-call", "Strong on Kafka; on-call is fine"])
        await expect(revisions.locator(".small")).to_contain_text(["revision 1 · you",
                                                                   "revision 2 · you"])
        await expect(written.get_by_role("button", name="History")).to_have_attribute(
            "aria-expanded", "true")

        path = f"/api/v1/jobs/{job}/candidates/{candidate}/notes"
        seen = await system.client.get(path, headers=system.auth(Role.HIRING_MANAGER, acme))
        [note] = seen.json()["items"]
        assert note["body"] == "Strong on Kafka; on-call is fine"
        assert note["edited_at"] is not None and note["author_id"] == str(
            acme.people[Role.RECRUITER])
        other = await system.client.get(path, headers=system.auth(Role.RECRUITER, globex))
        assert other.status_code == 404


async def test_an_interview_is_scheduled_refused_twice_and_cancelled_on_the_page(
        database_url: str, redis_url: str, chromium_path: str, tmp_path: Path) -> None:
    async with candidate_on_page(database_url, redis_url, tmp_path, chromium_path) as (
            system, page, job, candidate):
        acme = system.employers[0]
        interviews = card(page, candidate).locator("details.interviews")
        await interviews.locator("summary").click()
        await expect(interviews).to_contain_text("No interviews scheduled.",
                                                 timeout=UI_TIMEOUT_MS)

        year = datetime.now(UTC).year + 1  # in the future, within the two years allowed

        async def schedule() -> None:
            await interviews.get_by_label("Kind").select_option("video")
            await interviews.get_by_label("Starts at").fill(f"{year}-01-14T10:30")
            await interviews.get_by_label("Time zone").select_option("Europe/Berlin")
            await interviews.get_by_label("Minutes").fill("30")
            await interviews.get_by_label("Meeting link").fill("https://meet.example/abc")
            await interviews.get_by_role("button", name="Schedule interview").click()

        await schedule()
        booked = interviews.locator(".interview-list li")
        await expect(booked).to_have_count(1, timeout=UI_TIMEOUT_MS)
        await expect(booked).to_contain_text("30 min")
        await expect(booked).to_contain_text("scheduled")
        listed = await system.client.get(f"/api/v1/jobs/{job}/interviews",
                                         headers=system.auth(Role.RECRUITER, acme))
        [interview] = listed.json()["items"]
        assert interview["time_zone"] == "Europe/Berlin"
        # 10:30 in Berlin's winter time is 09:30 UTC, whatever offset the answer uses.
        assert datetime.fromisoformat(interview["starts_at"]) == datetime(
            year, 1, 14, 9, 30, tzinfo=UTC)
        assert interview["interviewer_ids"] == [str(acme.people[Role.RECRUITER])]

        # The same interviewer at the same time: refused, and said so.
        await schedule()
        await expect(page.locator("#notice")).to_have_text(
            "interview not scheduled: an interviewer is booked at that time",
            timeout=UI_TIMEOUT_MS)
        await expect(booked).to_have_count(1)

        await booked.get_by_role("button", name="Cancel").click()
        await expect(booked).to_contain_text("cancelled", timeout=UI_TIMEOUT_MS)

        # A rejected candidate cannot be scheduled.
        await card(page, candidate).get_by_role("button", name="Reject").click()
        await expect(card(page, candidate).locator(".badge")).to_have_text(
            "rejected", timeout=UI_TIMEOUT_MS)
        await schedule()
        await expect(page.locator("#notice")).to_have_text(
            "interview not scheduled: a rejected candidate cannot be scheduled",
            timeout=UI_TIMEOUT_MS)


async def test_an_interview_is_rescheduled_and_a_clash_refused_on_the_page(
        database_url: str, redis_url: str, chromium_path: str, tmp_path: Path) -> None:
    async with candidate_on_page(database_url, redis_url, tmp_path, chromium_path) as (
            system, page, job, candidate):
        acme = system.employers[0]
        recruiter = system.auth(Role.RECRUITER, acme)
        year = datetime.now(UTC).year + 1
        booked: list[str] = []
        for day in (14, 15):
            made = await system.client.post(
                f"/api/v1/jobs/{job}/candidates/{candidate}/interviews", headers=recruiter,
                json={"kind": "phone", "starts_at": f"{year}-01-{day}T10:30:00+01:00",
                      "time_zone": "Europe/Berlin", "duration_min": 30,
                      "interviewer_ids": [str(acme.people[Role.RECRUITER])]})
            assert made.status_code == 201, made.text
            booked.append(made.json()["interview_id"])
        first, second = booked
        interviews = card(page, candidate).locator("details.interviews")
        await interviews.locator("summary").click()
        moved = interviews.locator(f'li[data-interview="{second}"]')
        await expect(moved).to_contain_text(f"{year}-01-15 10:30 (Europe/Berlin) · 30 min",
                                            timeout=UI_TIMEOUT_MS)

        # The second moved to another day, zone and length: the list shows the new time.
        await moved.get_by_role("button", name="Reschedule").click()
        await expect(moved.get_by_label("New start")).to_have_value(f"{year}-01-15T10:30")
        await moved.get_by_label("New start").fill(f"{year}-01-20T16:00")
        await moved.get_by_label("Zone").select_option("America/New_York")
        await moved.get_by_label("Length in min").fill("60")
        await moved.get_by_role("button", name="Save new time").click()
        await expect(page.locator("#notice")).to_have_text("interview rescheduled",
                                                           timeout=UI_TIMEOUT_MS)
        await expect(moved).to_contain_text(
            f"{year}-01-20 16:00 (America/New_York) · 60 min", timeout=UI_TIMEOUT_MS)
        await expect(moved.get_by_role("button", name="Save new time")).to_have_count(0)

        async def kept() -> dict[str, tuple[datetime, str, int]]:
            listed = await system.client.get(f"/api/v1/jobs/{job}/interviews",
                                             headers=recruiter)
            return {i["interview_id"]: (datetime.fromisoformat(i["starts_at"]), i["time_zone"],
                                        i["duration_min"]) for i in listed.json()["items"]}

        # 16:00 in New York's winter time is 21:00 UTC.
        assert (await kept())[second] == (datetime(year, 1, 20, 21, 0, tzinfo=UTC),
                                          "America/New_York", 60)

        # The first moved onto the second's time, with the same interviewer: refused, said
        # plainly, and nothing moves.
        clashing = interviews.locator(f'li[data-interview="{first}"]')
        await clashing.get_by_role("button", name="Reschedule").click()
        await clashing.get_by_label("New start").fill(f"{year}-01-20T16:30")
        await clashing.get_by_label("Zone").select_option("America/New_York")
        await clashing.get_by_role("button", name="Save new time").click()
        await expect(page.locator("#notice")).to_have_text(
            "interview not rescheduled: an interviewer is booked at that time",
            timeout=UI_TIMEOUT_MS)
        await expect(page.locator("#notice")).to_have_attribute("aria-live", "polite")
        await expect(clashing).to_contain_text(f"{year}-01-14 10:30 (Europe/Berlin) · 30 min")
        assert (await kept())[first] == (datetime(year, 1, 14, 9, 30, tzinfo=UTC),
                                         "Europe/Berlin", 30)


async def test_a_job_is_rescored_from_the_page_and_its_task_followed_to_the_end(
        database_url: str, redis_url: str, chromium_path: str, tmp_path: Path) -> None:
    async with candidate_on_page(database_url, redis_url, tmp_path, chromium_path) as (
            system, page, job, candidate):
        acme = system.employers[0]

        async def polled() -> list[float]:
            """When the page asked for the task's status, in ms, by the browser's clock."""
            return list(await page.evaluate(
                """() => performance.getEntriesByType("resource")
                     .filter((e) => e.name.includes("/api/v1/match/run/"))
                     .map((e) => e.startTime)"""))

        async def progress(task_id: str, status: str, pairs: int = 0) -> None:
            await system.publish(RescoreProgressed(
                task_id=uuid.UUID(task_id), job_id=uuid.UUID(job), status=status, pairs=pairs,
                weights_version="w2" if status == "done" else None, at=datetime.now(UTC)))

        status = page.locator("#rescore-status")
        rescore = page.get_by_role("button", name="Re-score")
        async with page.expect_response(lambda r: r.request.method == "POST"
                                        and r.url.endswith("/api/v1/match/run")) as asked:
            await rescore.click()
        answer = await asked.value
        assert answer.status == 202
        assert (answer.request.post_data_json or {})["priority"] == "high"
        task = (await answer.json())["task_id"]
        await expect(status).to_have_text("queued", timeout=UI_TIMEOUT_MS)
        await expect(rescore).to_be_disabled()

        await progress(task, "running")
        await expect(status).to_have_text("running", timeout=UI_TIMEOUT_MS)
        # The engine scored the candidate again, then said it was done: the list shows it.
        await system.publish(MatchesScored(batch_id=uuid.uuid4(), pairs=[
            pair(job, candidate, 93.0, {"skills": 0.95}, ["python"], [])]))
        await progress(task, "done", pairs=1)
        await expect(status).to_have_text("done, 1 candidate(s) scored", timeout=UI_TIMEOUT_MS)
        await expect(page.locator("#notice")).to_have_text("re-score done")
        await expect(card(page, candidate).locator(".score")).to_have_text("93.0",
                                                                           timeout=UI_TIMEOUT_MS)
        await expect(rescore).to_be_enabled()
        # Polled no faster than every two seconds, and not after the end.
        asked_at = await polled()
        assert len(asked_at) >= 2, asked_at
        assert all(b - a >= 1990 for a, b in itertools.pairwise(asked_at)), asked_at
        await page.wait_for_timeout(2500)
        assert await polled() == asked_at

        # A colleague queued one first: the page follows that task, to its failure.
        queued = await system.client.post("/api/v1/match/run", json={"job_id": job},
                                          headers=system.auth(Role.HIRING_MANAGER, acme))
        assert queued.status_code == 202, queued.text
        await rescore.click()
        await expect(page.locator("#notice")).to_have_text(
            "a re-score of this job is already queued or running: showing it",
            timeout=UI_TIMEOUT_MS)
        await expect(status).to_have_text("queued")
        await progress(queued.json()["task_id"], "failed")
        await expect(status).to_have_text("failed", timeout=UI_TIMEOUT_MS)
        await expect(page.locator("#notice")).to_have_text("re-score failed")

        # Only a published job is re-scored.
        draft = await system.client.post("/api/v1/jobs", json={"title": "Draft role"},
                                         headers=system.auth(Role.RECRUITER, acme))
        assert draft.status_code == 201, draft.text
        await page.reload()
        await page.locator(f'#jobs button[data-job="{draft.json()["job_id"]}"]').click()
        await expect(page.locator("#job-heading")).to_have_text("Draft role",
                                                              timeout=UI_TIMEOUT_MS)
        await expect(page.get_by_role("button", name="Re-score")).to_have_count(0)

        # A platform admin sees the company's page but may not re-score: no button.
        browser = page.context.browser
        assert browser is not None
        admin = await browser.new_context()
        try:
            await admin.add_cookies([{"name": ACCESS_COOKIE, "value": system.token(Role.ADMIN),
                                      "url": system.base}])
            looking = await admin.new_page()
            await looking.goto(f"{system.base}/recruiting?company_id={acme.company_id}")
            await looking.locator(f'#jobs button[data-job="{job}"]').click()
            await expect(card(looking, candidate)).to_be_visible(timeout=UI_TIMEOUT_MS)
            await expect(looking.locator("#job-heading")).to_have_text("Backend engineer")
            await expect(looking.get_by_role("button", name="Re-score")).to_have_count(0)
        finally:
            await admin.close()


async def test_a_candidate_is_shared_and_the_link_revoked_on_the_page(
        database_url: str, redis_url: str, chromium_path: str, tmp_path: Path) -> None:
    async with candidate_on_page(database_url, redis_url, tmp_path, chromium_path) as (
            system, page, _, candidate):
        share = card(page, candidate).locator("details.share")
        await share.locator("summary").click()
        await expect(share).to_contain_text("Not shared yet.", timeout=UI_TIMEOUT_MS)
        # Personal fields are hidden unless the recruiter chooses otherwise.
        await expect(share.get_by_label("email")).to_be_checked()
        await share.get_by_label("Expires after").select_option("1 day")
        async with page.expect_response(lambda r: r.request.method == "POST"
                                        and r.url.endswith("/links")) as created:
            await share.get_by_role("button", name="Create link").click()
        made = await (await created.value).json()
        assert made["hidden_fields"] == ["name", "email", "phone", "address", "links"]
        url = share.get_by_label("Link to share")
        await expect(url).not_to_have_value("", timeout=UI_TIMEOUT_MS)
        await expect(share.locator(".link-list li")).to_have_count(1, timeout=UI_TIMEOUT_MS)
        shared = urlsplit(await url.input_value()).path
        assert shared == urlsplit(made["url"]).path and shared.startswith("/shared/"), shared
        viewed = await system.client.get(f"/api/v1{shared}")
        assert viewed.status_code == 200, viewed.text
        assert "python" in viewed.text  # the match: its matched skill

        await share.get_by_role("button", name="Revoke").click()
        await expect(share.locator(".link-list li")).to_contain_text("revoked",
                                                                    timeout=UI_TIMEOUT_MS)
        gone = await system.client.get(f"/api/v1{shared}")
        assert gone.status_code == 410


async def test_questionnaire_answers_are_shown_with_the_candidate(
        database_url: str, redis_url: str, chromium_path: str, tmp_path: Path) -> None:
    async with recruiter_page(database_url, redis_url, tmp_path, chromium_path) as (
            system, opened):
        page = opened.page
        job = await system.post_job(system.employers[0], "Warehouse lead")
        candidate = uuid.uuid4()
        answered = pair(job, candidate, 72.0, {"skills": 0.7}, ["forklift"], []).model_dump()
        answered.update(question_score=75.0, questions=[
            {"id": "licence", "text": "Do you hold a forklift licence?", "answer": True,
             "passed": True, "knockout": True, "score": 1.0, "weight": 2.0},
            {"id": "shifts", "text": "Which shifts can you work?", "answer": ["early", "late"],
             "passed": False, "knockout": False, "score": 0.5, "weight": 1.0},
            {"id": "notes", "text": "Anything else?", "answer": "Night bus only",
             "passed": True, "knockout": False, "score": None, "weight": 0.0}])
        await system.publish(MatchesScored(batch_id=uuid.uuid4(),
                                           pairs=[ScoredPair.model_validate(answered)]))
        await page.reload()
        await page.locator(f'#jobs button[data-job="{job}"]').click()
        answers = card(page, candidate).locator(".questions")
        await expect(answers.locator("h4")).to_have_text(
            "Questionnaire answers (question score 75)", timeout=UI_TIMEOUT_MS)
        await expect(answers.locator("tbody tr")).to_have_count(3)
        await expect(answers.locator('tr[data-question="licence"] td')).to_have_text(
            ["Do you hold a forklift licence?", "true", "passed", "100 %"])
        await expect(answers.locator('tr[data-question="shifts"] td')).to_have_text(
            ["Which shifts can you work?", "early, late", "not passed", "50 %"])
        await expect(answers.locator('tr[data-question="notes"] td')).to_have_text(
            ["Anything else?", "Night bus only", "passed", "\u2013"])
        assert opened.errors == []

"""Appliers beyond Greenhouse in headless Chromium: Easy Apply-style steps, questions, review."""
# ruff: noqa: F811 - the fixtures are shared with test_application_bot and named as there

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import httpx
import pytest

from sandbox.portal.apply_flows.easy_apply import SEED_EASY_APPLY_JOBS
from sandbox.portal.apply_flows.lever import (
    PYTHON_YEARS,
    SEED_LEVER_POSTINGS,
    WORK_AUTH,
    LeverPosting,
)
from schemas.events.applications import (
    ApplicationFailed,
    ApplicationNeedsReview,
    ApplicationSubmitted,
)
from services.application_bot.adapters.portal_ledger import GreenhousePosting
from services.application_bot.domain import application_id
from tests.integration.test_application_bot import (  # noqa: F401 - fixtures
    ADA,
    ADA_EMAIL,
    RESUME,
    SEED,
    MakeBot,
    Portal,
    approved,
    browser,
    make_bot,
    portal,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

QUESTIONS_JOB, SALARY_JOB, CHANGED_JOB, PLAIN_JOB = SEED_EASY_APPLY_JOBS
FACTS = [
    {"keywords": ["years", "python"], "answer": "7",
     "source": "resume v1: Python 2019-2026 at Paylane; confirmed by candidate"},
    {"keywords": ["authorized", "work", "european union"], "answer": "Yes",
     "source": "profile: EU citizen, passport checked"},
    {"keywords": ["sponsorship"], "answer": "No", "source": "profile: EU citizen"},
]


@pytest.fixture
def seed_with_answers(tmp_path: Path) -> Path:
    seed = json.loads(SEED.read_text())
    for person in seed["candidates"]:
        if person["candidate_id"] == str(ADA):
            person["answers"] = FACTS
    path = tmp_path / "candidates.json"
    path.write_text(json.dumps(seed))
    return path


def easy_url(portal: Portal, job_id: int) -> str:
    return f"{portal.url}/jobs/view/{job_id}/apply"


async def test_a_multi_step_easy_apply_flow_uploads_and_answers_from_verified_facts(
    make_bot: MakeBot, portal: Portal, seed_with_answers: Path
) -> None:
    bot = await make_bot(candidates_seed=seed_with_answers)
    version = await bot.add_resume()
    job = uuid.uuid4()

    await bot.deliver(approved(version, easy_url(portal, QUESTIONS_JOB.id), job_id=job))

    [sent] = portal.store.all()
    assert (sent.board_token, sent.job_id) == ("linkedin", QUESTIONS_JOB.id)
    assert sent.fields == {"first_name": "Ada", "last_name": "Okafor", "email": ADA_EMAIL,
                           "phone": "+1 415 555 0101", "q_python_years": "7",
                           "q_work_auth": "Yes", "q_sponsorship": "No"}
    assert sent.resume_sha256 == hashlib.sha256(RESUME).hexdigest()
    [row] = await bot.rows()
    assert (row["state"], row["confirmation"]) == ("submitted", sent.confirmation_id)
    [event] = await bot.emitted(ApplicationSubmitted)
    manifest = json.loads(await bot.blobs.get(event["evidence_key"]))
    assert manifest["sent"]["q_python_years"] == "7"
    assert {a["answer"]: a["source"] for a in manifest["answers"]} == {
        fact["answer"]: fact["source"] for fact in FACTS}
    assert (await bot.blobs.get(manifest["files"]["screenshot"])).startswith(b"\x89PNG")


async def test_an_unanswerable_question_stops_before_sending_and_asks_for_review(
    make_bot: MakeBot, portal: Portal, seed_with_answers: Path
) -> None:
    bot = await make_bot(candidates_seed=seed_with_answers)
    version = await bot.add_resume()
    job = uuid.uuid4()

    await bot.deliver(approved(version, easy_url(portal, SALARY_JOB.id), job_id=job))

    assert portal.store.all() == []
    [row] = await bot.rows()
    assert row["state"] == "failed" and not row["retryable"]
    assert "needs review" in row["reason"] and "salary" in row["reason"]
    [review] = await bot.emitted(ApplicationNeedsReview)
    assert review["question"] == "What is your expected annual salary in EUR?"
    assert review["application_id"] == str(application_id(ADA, job))
    assert await bot.emitted(ApplicationFailed) == []
    shot = f"evidence/{application_id(ADA, job)}/attempt-1/page.png"
    assert (await bot.blobs.get(shot)).startswith(b"\x89PNG")


async def test_a_changed_form_fails_cleanly_with_a_screenshot(
    make_bot: MakeBot, portal: Portal, seed_with_answers: Path
) -> None:
    bot = await make_bot(candidates_seed=seed_with_answers)
    version = await bot.add_resume()
    job = uuid.uuid4()

    await bot.deliver(approved(version, easy_url(portal, CHANGED_JOB.id), job_id=job))

    assert portal.store.all() == []
    [failed] = await bot.emitted(ApplicationFailed)
    assert failed["reason"].startswith("the form changed") and failed["retryable"] is False
    prefix = f"evidence/{application_id(ADA, job)}/attempt-1"
    assert (await bot.blobs.get(f"{prefix}/page.png")).startswith(b"\x89PNG")
    assert "Contact info" in (await bot.blobs.get(f"{prefix}/page.html")).decode()


async def test_a_posting_closed_before_submitting_is_not_applied_to(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot()
    version = await bot.add_resume()
    async with httpx.AsyncClient() as client:
        closed = await client.post(f"{portal.url}/_sandbox/easy-apply/{PLAIN_JOB.id}/close")
    assert closed.status_code == 200

    await bot.deliver(approved(version, easy_url(portal, PLAIN_JOB.id), job_id=uuid.uuid4()))

    assert portal.store.all() == []
    [failed] = await bot.emitted(ApplicationFailed)
    assert failed["reason"] == "the posting is closed"


def lever_url(portal: Portal, posting: LeverPosting) -> str:
    return f"{portal.url}/{posting.site}/{posting.id}/apply"


async def test_a_lever_style_page_is_filled_by_its_labels_with_a_full_name(
    make_bot: MakeBot, portal: Portal, seed_with_answers: Path
) -> None:
    bot = await make_bot(candidates_seed=seed_with_answers)
    version = await bot.add_resume()
    posting = SEED_LEVER_POSTINGS[0]

    await bot.deliver(approved(version, lever_url(portal, posting), job_id=uuid.uuid4()))

    [sent] = portal.store.all()
    assert (sent.board_token, sent.job_id) == ("lever-hooli", posting.number)
    assert {k: sent.fields.get(k) for k in ("name", "email", "phone", WORK_AUTH.field,
                                            PYTHON_YEARS.field)} == {
        "name": "Ada Okafor", "email": ADA_EMAIL, "phone": "+1 415 555 0101",
        WORK_AUTH.field: "Yes", PYTHON_YEARS.field: "7"}
    assert sent.resume_sha256 == hashlib.sha256(RESUME).hexdigest()
    [row] = await bot.rows()
    assert (row["state"], row["confirmation"]) == ("submitted", sent.confirmation_id)


async def test_a_closed_lever_posting_is_not_applied_to(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot()
    version = await bot.add_resume()
    posting = SEED_LEVER_POSTINGS[1]
    async with httpx.AsyncClient() as client:
        await client.post(f"{portal.url}/_sandbox/lever/{posting.site}/{posting.id}/close")

    await bot.deliver(approved(version, lever_url(portal, posting), job_id=uuid.uuid4()))

    assert portal.store.all() == []
    [failed] = await bot.emitted(ApplicationFailed)
    assert failed["reason"] == "the posting is closed"


async def test_a_page_with_no_application_form_is_refused_cleanly(
    make_bot: MakeBot, portal: Portal
) -> None:
    bot = await make_bot()
    version = await bot.add_resume()

    await bot.deliver(approved(version, f"{portal.url}/hostile/jobs/1", job_id=uuid.uuid4()))
    await bot.deliver(approved(version, f"{portal.url}/careers/apply?id=7",
                               job_id=uuid.uuid4()))

    reasons = sorted(f["reason"] for f in await bot.emitted(ApplicationFailed))
    assert reasons == ["not the expected application form: no #application_form on the page",
                       "the posting is gone (HTTP 404)"]
    assert portal.store.all() == [] and portal.hits == {}


def test_easy_apply_pages_are_found_in_the_portal_record_after_a_crash() -> None:
    posting = GreenhousePosting.parse("http://127.0.0.1:8700/jobs/view/3901000001/apply")
    assert posting is not None
    assert (posting.board_token, posting.job_id) == ("linkedin", 3901000001)

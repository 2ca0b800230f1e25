"""Lever, Ashby, Workday, Indeed Apply and a plain career site, in headless Chromium.

For each: a full submission with the resume upload and screening answers from verified
facts (with their sources in the evidence), a question the facts cannot answer sent to
review, a redesigned form failing cleanly with a screenshot, and a closed posting refused.
"""
# ruff: noqa: F811 - the fixtures are shared with test_application_bot and named as there

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sandbox.portal.apply_flows.ashby import SEED_ASHBY_JOBS
from sandbox.portal.apply_flows.indeed import SEED_INDEED_JOBS
from sandbox.portal.apply_flows.lever import PYTHON_YEARS, SEED_LEVER_POSTINGS, WORK_AUTH
from sandbox.portal.apply_flows.workday import SEED_WORKDAY_POSTINGS
from schemas.events.applications import (
    ApplicationFailed,
    ApplicationNeedsReview,
    ApplicationSubmitted,
)
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

FACTS = [
    {"keywords": ["years", "python"], "answer": "7",
     "source": "resume v1: Python 2019-2026 at Paylane; confirmed by candidate"},
    {"keywords": ["authorized", "work", "european union"], "answer": "Yes",
     "source": "profile: EU citizen, passport checked"},
    {"keywords": ["authorized", "work", "country"], "answer": "Yes",
     "source": "profile: EU citizen; the job is in the EU"},
    {"keywords": ["sponsorship"], "answer": "No", "source": "profile: EU citizen"},
    {"keywords": ["country"], "answer": "Germany", "source": "profile: lives in Berlin"},
    {"keywords": ["consent", "terms"], "answer": "Yes",
     "source": "candidate agreed to portal terms at sign-up, 2026-01-02"},
    {"keywords": ["driving", "licence"], "answer": "Yes",
     "source": "profile: EU driving licence B, checked"},
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


@dataclass(frozen=True)
class Flow:
    """One portal's sandbox postings: submits, needs review, changed; and how to close one."""

    name: str
    board: str
    urls: tuple[str, str, str]  # paths of the good, unanswerable and redesigned postings
    job_ids: tuple[int, int, int]
    close_path: str  # closes the good posting
    sent: dict[str, str]  # fields of the good posting's submission (a subset)
    question: str  # the one the facts cannot answer


lever = SEED_LEVER_POSTINGS
ashby = SEED_ASHBY_JOBS
workday = SEED_WORKDAY_POSTINGS
indeed = SEED_INDEED_JOBS

FLOWS = [
    Flow("lever", "lever-hooli",
         tuple(f"/{p.site}/{p.id}/apply" for p in (lever[0], lever[3], lever[2])),  # type: ignore[arg-type]
         (lever[0].number, lever[3].number, lever[2].number),
         f"/_sandbox/lever/hooli/{lever[0].id}/close",
         {"name": "Ada Okafor", "email": ADA_EMAIL, "phone": "+1 415 555 0101",
          WORK_AUTH.field: "Yes", PYTHON_YEARS.field: "7"},
         "What is your notice period at your current employer?"),
    Flow("ashby", "ashby-ramp",
         tuple(f"/{j.board}/{j.id}/application" for j in ashby),  # type: ignore[arg-type]
         tuple(j.id.int for j in ashby),  # type: ignore[arg-type]
         f"/_sandbox/ashby/{ashby[0].id}/close",
         {"_systemfield_name": "Ada Okafor", "_systemfield_email": ADA_EMAIL,
          ashby[0].fields[0].path: "Yes", ashby[0].fields[1].path: "7"},
         "Link to a project you are proud of"),
    Flow("workday", "workday-External",
         tuple(f"/en-US/{p.site}{p.path}" for p in workday[:3]),  # type: ignore[arg-type]
         tuple(p.number for p in workday[:3]),  # type: ignore[arg-type]
         f"/_sandbox/workday/External/{workday[0].req_id}/close",
         {"legalNameSection_firstName": "Ada", "legalNameSection_lastName": "Okafor",
          "email": ADA_EMAIL, "phone-number": "+1 415 555 0101", "countryDropdown": "Germany",
          "primaryQuestionnaire_workAuthorization": "Yes",
          "primaryQuestionnaire_sponsorship": "No", "termsAndConditions--checkbox": "true"},
         "Are you willing to relocate to the job's location?"),
    Flow("indeed", "indeed",
         tuple(f"/viewjob?jk={j.jk}" for j in indeed[:3]),  # type: ignore[arg-type]
         tuple(int(j.jk, 16) for j in indeed[:3]),  # type: ignore[arg-type]
         f"/_sandbox/indeed/{indeed[0].jk}/close",
         {"firstName": "Ada", "lastName": "Okafor", "email": ADA_EMAIL,
          "phoneNumber": "+1 415 555 0101", "q_0": "Yes", "q_1": "7"},
         "Will you be able to reliably commute to Berlin for this job?"),
]


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.name)
async def test_a_hosted_application_is_filled_uploaded_answered_and_confirmed(
    make_bot: MakeBot, portal: Portal, seed_with_answers: Path, flow: Flow,
) -> None:
    bot = await make_bot(candidates_seed=seed_with_answers)
    version = await bot.add_resume()
    job = uuid.uuid4()

    await bot.deliver(approved(version, portal.url + flow.urls[0], job_id=job))

    [sent] = portal.store.all()
    assert (sent.board_token, sent.job_id) == (flow.board, flow.job_ids[0])
    assert {k: sent.fields.get(k) for k in flow.sent} == flow.sent
    assert sent.resume_filename == "Ada_Okafor_resume.txt"
    assert sent.resume_sha256 == hashlib.sha256(RESUME).hexdigest()
    [row] = await bot.rows()
    assert (row["state"], row["confirmation"]) == ("submitted", sent.confirmation_id)
    [event] = await bot.emitted(ApplicationSubmitted)
    assert event["application_id"] == str(application_id(ADA, job))
    manifest = json.loads(await bot.blobs.get(event["evidence_key"]))
    assert manifest["confirmation"] == sent.confirmation_id
    sources = {fact["source"] for fact in FACTS}
    assert manifest["answers"] and all(a["source"] in sources for a in manifest["answers"])
    assert (await bot.blobs.get(manifest["files"]["screenshot"])).startswith(b"\x89PNG")


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.name)
async def test_a_question_the_facts_cannot_answer_goes_to_review_unsent(
    make_bot: MakeBot, portal: Portal, seed_with_answers: Path, flow: Flow,
) -> None:
    bot = await make_bot(candidates_seed=seed_with_answers)
    version = await bot.add_resume()
    job = uuid.uuid4()

    await bot.deliver(approved(version, portal.url + flow.urls[1], job_id=job))

    assert portal.store.all() == []
    [review] = await bot.emitted(ApplicationNeedsReview)
    assert review["question"] == flow.question
    assert await bot.emitted(ApplicationFailed) == []
    [row] = await bot.rows()
    assert row["state"] == "failed" and "needs review" in row["reason"]
    shot = f"evidence/{application_id(ADA, job)}/attempt-1/page.png"
    assert (await bot.blobs.get(shot)).startswith(b"\x89PNG")


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.name)
async def test_a_changed_form_fails_cleanly_with_a_screenshot(
    make_bot: MakeBot, portal: Portal, seed_with_answers: Path, flow: Flow,
) -> None:
    bot = await make_bot(candidates_seed=seed_with_answers)
    version = await bot.add_resume()
    job = uuid.uuid4()

    await bot.deliver(approved(version, portal.url + flow.urls[2], job_id=job))

    assert portal.store.all() == []
    [failed] = await bot.emitted(ApplicationFailed)
    assert failed["reason"].startswith("the form changed") and failed["retryable"] is False
    prefix = f"evidence/{application_id(ADA, job)}/attempt-1"
    assert (await bot.blobs.get(f"{prefix}/page.png")).startswith(b"\x89PNG")
    assert await bot.blobs.get(f"{prefix}/page.html")


@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.name)
async def test_a_posting_closed_before_applying_is_not_applied_to(
    make_bot: MakeBot, portal: Portal, seed_with_answers: Path, flow: Flow,
) -> None:
    bot = await make_bot(candidates_seed=seed_with_answers)
    version = await bot.add_resume()
    async with httpx.AsyncClient() as client:
        assert (await client.post(portal.url + flow.close_path)).status_code == 200

    await bot.deliver(approved(version, portal.url + flow.urls[0], job_id=uuid.uuid4()))

    assert portal.store.all() == []
    [failed] = await bot.emitted(ApplicationFailed)
    assert failed["reason"] in ("the posting is closed", "the posting is gone (HTTP 404)")


async def test_a_career_site_form_is_filled_by_its_labels_with_the_chosen_resume_version(
    make_bot: MakeBot, portal: Portal, seed_with_answers: Path,
) -> None:
    bot = await make_bot(candidates_seed=seed_with_answers)
    await bot.add_resume(content=b"Ada Okafor\nan older resume\n")
    tailored = b"Ada Okafor\ntailored for Vandelay\nSkills: Python, logistics\n"
    chosen = await bot.add_resume(content=tailored)

    await bot.deliver(approved(version := chosen,
                               f"{portal.url}/careers/vandelay/positions/501"))

    [sent] = portal.store.all()
    assert sent.board_token == "careers-vandelay" and sent.job_id == 501
    assert sent.fields == {"f_1": "Ada", "f_2": "Okafor", "f_3": ADA_EMAIL,
                           "f_4": "+1 415 555 0101", "f_6": "Yes"}
    assert sent.resume_sha256 == hashlib.sha256(tailored).hexdigest()
    [event] = await bot.emitted(ApplicationSubmitted)
    assert event["resume_version_id"] == str(version)
    manifest = json.loads(await bot.blobs.get(event["evidence_key"]))
    assert manifest["sent"]["f_5"] == "Ada_Okafor_resume.txt"
    assert [a["source"] for a in manifest["answers"]] == ["profile: EU driving licence B, checked"]

"""Questionnaires on a real PostgreSQL: versions, answers checked against them (a bad one
changes nothing), and answers that re-score the pair in the real ATS engine, a knock-out
rejecting it."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from infra.auth import Role
from infra.blobs import LocalBlobStore
from infra.uow import UnitOfWork
from schemas.events.applications import ScreeningAnswersGiven
from schemas.events.candidates import CandidateErased
from schemas.events.envelope import Envelope, EventData
from schemas.events.jobs import JobPublished
from schemas.events.matching import MatchesScored
from schemas.events.recruiting import QuestionnaireAnswered, QuestionnairePublished
from services.ats_engine.engine import Engine
from services.ats_engine.handlers import AtsHandlers
from services.ats_engine.intake import upload_resume
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.tables import question_answers
from services.ats_engine.weights import DEFAULT_FILE, WeightsSource
from services.recruiting.questionnaire_store import fit_questionnaire
from services.recruiting.tables import answers, questionnaires
from tests.fixtures.resumes import RESUME
from tests.integration.recruiting_support import (
    SCREENING,
    Recruiting,
    good_answers,
    recruiting,
)

pytestmark = pytest.mark.integration
__all__ = ["recruiting"]  # the fixture


async def _stored_answers(api: Recruiting) -> list[dict[str, Any]]:
    async with api.uow.engine.connect() as conn:
        return [dict(r) for r in (await conn.execute(
            sa.select(answers).order_by(answers.c.created_at))).mappings()]


async def test_each_change_is_a_new_version_and_the_old_ones_stay(recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    recruiter = api.auth(Role.RECRUITER)
    changed = {"questions": [*SCREENING["questions"], {
        "id": "start", "type": "date", "text": "Earliest start?", "required": False}]}
    put = await api.client.put(f"/api/v1/jobs/{acme.published_job}/questionnaire",
                               json=changed, headers=recruiter)
    assert put.status_code == 200, put.text
    assert (put.json()["questionnaire_id"], put.json()["version"]) == (str(acme.questionnaire), 2)
    newest = await api.client.get(f"/api/v1/questionnaires/{acme.questionnaire}",
                                  headers=recruiter)
    assert newest.json()["version"] == 2 and len(newest.json()["questions"]) == 3
    assert newest.json()["kind"] == "employer"
    assert newest.json()["job_id"] == str(acme.published_job)
    first = await api.client.get(f"/api/v1/questionnaires/{acme.questionnaire}?version=1",
                                 headers=recruiter)
    assert first.json()["questions"] == (await api.client.get(
        f"/api/v1/jobs/{acme.draft_job}/questionnaire", headers=recruiter)).json()["questions"]
    assert len(first.json()["questions"]) == 2
    async with api.uow.engine.connect() as conn:
        versions = list(await conn.scalars(sa.select(questionnaires.c.version).where(
            questionnaires.c.questionnaire_id == acme.questionnaire)
            .order_by(questionnaires.c.version)))
    assert versions == [1, 2]
    announced = [e for e in await api.emitted(QuestionnairePublished)
                 if e["questionnaire_id"] == str(acme.questionnaire)]
    assert [e["version"] for e in announced] == [1, 2]
    assert announced[1]["questions"][2]["type"] == "date"
    # Answers to the old version are refused: applicants answer the newest.
    stale = await api.client.post(f"/api/v1/questionnaires/{acme.questionnaire}/answers",
                                  json=good_answers(acme.candidates[0], 1),
                                  headers=api.auth(Role.ADMIN))
    assert (stale.status_code, stale.json()["error"]["details"]) == (409, {"version": 2})


async def test_a_bad_definition_or_a_closed_job_changes_nothing(recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    recruiter = api.auth(Role.RECRUITER)
    bad = {"questions": [{"id": "x", "type": "yes_no", "text": "Sure?", "knockout": True}]}
    refused = await api.client.put(f"/api/v1/jobs/{acme.published_job}/questionnaire",
                                   json=bad, headers=recruiter)
    assert refused.status_code == 422
    closed = await api.client.patch(f"/api/v1/jobs/{acme.draft_job}",
                                     json={"status": "closed"}, headers=recruiter)
    assert closed.status_code == 200
    late = await api.client.put(f"/api/v1/jobs/{acme.draft_job}/questionnaire",
                                json=SCREENING, headers=recruiter)
    assert late.status_code == 409
    async with api.uow.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.max(questionnaires.c.version))) == 1


async def test_bad_answers_are_each_named_and_nothing_is_kept(recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    before = await api.emitted(QuestionnaireAnswered)
    response = await api.client.post(
        f"/api/v1/questionnaires/{acme.questionnaire}/answers", headers=api.auth(Role.ADMIN),
        json={"candidate_id": str(acme.candidates[0]), "version": 1,
              "answers": {"years": 99, "shoe_size": 44}})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "ERR_VALIDATION"
    assert error["details"] == {"answers": {"shoe_size": "no such question",
                                            "licence": "required",
                                            "years": "above the highest accepted, 50"}}
    assert await _stored_answers(api) == []
    assert await api.emitted(QuestionnaireAnswered) == before


async def test_a_candidate_answers_for_themselves_only_and_a_published_jobs_only(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    me = uuid.uuid4()
    mine = api.auth(Role.CANDIDATE, user_id=me)
    answered = await api.client.post(f"/api/v1/questionnaires/{acme.questionnaire}/answers",
                                     json=good_answers(me), headers=mine)
    assert answered.status_code == 201, answered.text
    assert answered.json()["version"] == 1
    for_another = await api.client.post(
        f"/api/v1/questionnaires/{acme.questionnaire}/answers",
        json=good_answers(acme.candidates[0]), headers=mine)
    assert for_another.status_code == 403
    async with api.uow.engine.connect() as conn:
        draft_questions = await conn.scalar(sa.select(questionnaires.c.questionnaire_id).where(
            questionnaires.c.job_id == acme.draft_job))
    unpublished = await api.client.get(f"/api/v1/questionnaires/{draft_questions}",
                                       headers=mine)
    assert unpublished.status_code == 404
    # What is asked, not the key: an applicant sees no ideal, knock-out, weight or fact.
    asked = await api.client.get(f"/api/v1/questionnaires/{acme.questionnaire}", headers=mine)
    assert asked.status_code == 200, asked.text
    assert [q["id"] for q in asked.json()["questions"]] == ["licence", "years"]
    for question in asked.json()["questions"]:
        assert not {"ideal", "knockout", "weight", "fact"} & set(question), question
    employer = await api.client.get(f"/api/v1/questionnaires/{acme.questionnaire}",
                                    headers=api.auth(Role.RECRUITER))
    assert employer.json()["questions"][0]["knockout"] is True
    [kept] = await _stored_answers(api)
    assert (kept["candidate_id"], kept["submitted_by"], kept["source"]) == (me, me, "candidate")
    assert kept["question_score"] == 100.0
    [event] = await api.emitted(QuestionnaireAnswered)
    assert event["answers_id"] == answered.json()["answers_id"]
    assert event["job_id"] == str(acme.published_job)
    assert [r["passed"] for r in event["results"]] == [True, True]


async def test_the_fit_questionnaire_is_read_and_answered_by_candidates(
        recruiting: Recruiting) -> None:
    api = recruiting
    fit = fit_questionnaire()
    me = uuid.uuid4()
    mine = api.auth(Role.CANDIDATE, user_id=me)
    read = await api.client.get(f"/api/v1/questionnaires/{fit.questionnaire_id}", headers=mine)
    assert read.status_code == 200
    assert (read.json()["kind"], read.json()["job_id"]) == ("fit", None)
    answered = await api.client.post(
        f"/api/v1/questionnaires/{fit.questionnaire_id}/answers", headers=mine,
        json={"candidate_id": str(me), "version": fit.version, "answers": {
            "work_authorised": True, "sponsorship": False, "workplace": ["remote", "hybrid"],
            "employment_type": ["full_time"], "years_experience": 7}})
    assert answered.status_code == 201, answered.text
    [kept] = await _stored_answers(api)
    assert (kept["kind"], kept["job_id"]) == ("fit", None)


async def test_answers_the_bot_gave_are_kept_when_they_fit(recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    candidate = uuid.uuid4()
    given = ScreeningAnswersGiven(
        application_id=uuid.uuid4(), candidate_id=candidate, job_id=acme.published_job,
        questionnaire_id=acme.questionnaire, version=1, answers={"licence": True, "years": 2},
        sources={"licence": "answer bank", "years": "fit:years_experience"})
    await api.deliver(given)
    await api.deliver(ScreeningAnswersGiven.model_validate(
        {**given.model_dump(), "answers": {"years": 2}}))  # the licence left unanswered
    [kept] = await _stored_answers(api)
    assert (kept["candidate_id"], kept["source"], kept["submitted_by"]) == (
        candidate, "bot", None)
    assert kept["answers"] == {"licence": True, "years": 2.0}


class _Ats:
    """The real ATS engine's handlers on the test's database, fed the recruiting service's
    events as the runtime would."""

    def __init__(self, api: Recruiting, tmp_path: Path) -> None:
        self.api = api
        self.engine = Engine(default_taxonomy())
        self.uow = UnitOfWork(api.uow.engine, api.clock, source="jams/ats_engine")
        self.blobs = LocalBlobStore(tmp_path / "ats-blobs")
        self.handlers = AtsHandlers(self.blobs, self.engine, WeightsSource(DEFAULT_FILE))
        self.delivered = 0

    async def handle(self, event: EventData) -> None:
        async with self.uow.handling("ats_engine", Envelope.wrap(
                event, source="test", time=self.api.clock.now())) as tx:
            assert tx is not None
            if isinstance(event, JobPublished):
                await self.handlers.on_job_published(event, tx)
            elif isinstance(event, QuestionnaireAnswered):
                await self.handlers.on_questionnaire_answered(event, tx)
            elif isinstance(event, CandidateErased):
                await self.handlers.on_candidate_erased(event, tx)

    async def resume(self, candidate_id: uuid.UUID, text: str) -> None:
        uploaded = await upload_resume(self.uow, self.blobs, self.engine, candidate_id,
                                       "cv.txt", text.encode())
        async with self.uow.handling("ats_engine", Envelope.wrap(
                uploaded.event, source="test", time=self.api.clock.now())) as tx:
            assert tx is not None
            await self.handlers.on_resume_version_created(uploaded.event, tx)

    async def scores_back(self) -> None:
        """The MatchesScored written since the last call, delivered to the recruiting service."""
        batches = await self.api.emitted(MatchesScored)
        for batch in batches[self.delivered:]:
            await self.api.deliver(MatchesScored.model_validate(batch))
        self.delivered = len(batches)


async def _ranked(api: Recruiting, job_id: str) -> dict[str, dict[str, Any]]:
    response = await api.client.get(f"/api/v1/jobs/{job_id}/candidates",
                                    headers=api.auth(Role.RECRUITER))
    assert response.status_code == 200, response.text
    return {item["candidate_id"]: item for item in response.json()["items"]}


async def test_answers_rescore_the_pair_and_a_knockout_rejects_it(
        recruiting: Recruiting, tmp_path: Path) -> None:
    api = recruiting
    ats = _Ats(api, tmp_path)
    good, knocked, chef = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for candidate in (good, knocked):
        await ats.resume(candidate, RESUME)
    await ats.resume(chef, "Pastry chef, ten years of croissants.\n")
    posted = await api.client.post("/api/v1/jobs", headers=api.auth(Role.RECRUITER), json={
        "title": "Senior Backend Engineer (Python)", "status": "published",
        "description": "Requirements:\n- Python: five or more years\n- PostgreSQL\n- Kafka\n",
        "location": "Remote"})
    job_id = posted.json()["job_id"]
    asked = await api.client.put(f"/api/v1/jobs/{job_id}/questionnaire", json=SCREENING,
                                 headers=api.auth(Role.RECRUITER))
    questionnaire_id = asked.json()["questionnaire_id"]
    [announced] = [e for e in await api.emitted(JobPublished) if e["job_id"] == job_id]
    await ats.handle(JobPublished.model_validate(announced))
    await ats.scores_back()
    before = await _ranked(api, job_id)
    assert before[str(good)]["score"] == before[str(knocked)]["score"]
    assert before[str(good)]["decision"] != "reject"
    assert before[str(good)]["question_score"] is None and before[str(good)]["questions"] == []

    staff = api.auth(Role.OPERATOR)
    assert before[str(chef)]["breakdown"] == {}  # rejected by stage one, unanswered
    for candidate, licence, years in ((good, True, 4), (knocked, False, 1), (chef, True, 4)):
        response = await api.client.post(
            f"/api/v1/questionnaires/{questionnaire_id}/answers", headers=staff,
            json={"candidate_id": str(candidate), "version": 1,
                  "answers": {"licence": licence, "years": years}})
        assert response.status_code == 201, response.text
    for event in await api.emitted(QuestionnaireAnswered):
        await ats.handle(QuestionnaireAnswered.model_validate(event))
    await ats.scores_back()

    after = await _ranked(api, job_id)
    assert after[str(good)]["question_score"] == 100.0
    assert after[str(good)]["breakdown"]["question"] == 1.0
    assert after[str(good)]["score"] >= before[str(good)]["score"]
    assert after[str(good)]["decision"] != "reject"
    assert [(q["id"], q["passed"], q["knockout"], q["score"])
            for q in after[str(good)]["questions"]] == [
        ("licence", True, True, 1.0), ("years", True, False, 1.0)]
    rejected = after[str(knocked)]
    assert rejected["decision"] == "reject" and rejected["score"] < 50
    assert rejected["question_score"] == 0.0
    assert rejected["questions"][0] == {
        "id": "licence", "text": "Do you hold a driving licence?", "answer": False,
        "passed": False, "knockout": True, "score": 0.0, "weight": 1.0}
    assert next(iter(after)) == str(good)  # best first
    # Answered, a pair stage one rejected is scored in full: its answers count and show.
    assert after[str(chef)]["decision"] == "reject"
    assert after[str(chef)]["breakdown"]["question"] == 1.0
    assert [q["passed"] for q in after[str(chef)]["questions"]] == [True, True]

    # The same answers delivered again score nothing twice.
    scored_batches = len(await api.emitted(MatchesScored))
    for event in await api.emitted(QuestionnaireAnswered):
        await ats.handle(QuestionnaireAnswered.model_validate(event))
    assert len(await api.emitted(MatchesScored)) == scored_batches

    # Erased, the candidate's answers leave the ATS engine too, and later ones are dropped.
    await ats.handle(CandidateErased(candidate_id=knocked))
    for event in await api.emitted(QuestionnaireAnswered):
        await ats.handle(QuestionnaireAnswered.model_validate(event))
    async with api.uow.engine.connect() as conn:
        kept = set(await conn.scalars(sa.select(question_answers.c.candidate_id)))
    assert kept == {good, chef}


async def test_an_erased_candidates_answers_go_and_none_come_back(recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    candidate = acme.candidates[0]
    staff = api.auth(Role.ADMIN)
    url = f"/api/v1/questionnaires/{acme.questionnaire}/answers"
    assert (await api.client.post(url, json=good_answers(candidate), headers=staff)
            ).status_code == 201
    await api.deliver(CandidateErased(candidate_id=candidate))
    assert await _stored_answers(api) == []
    late = await api.client.post(url, json=good_answers(candidate), headers=staff)
    assert late.status_code == 404
    await api.deliver(ScreeningAnswersGiven(
        application_id=uuid.uuid4(), candidate_id=candidate, job_id=acme.published_job,
        questionnaire_id=acme.questionnaire, version=1, answers={"licence": True, "years": 4}))
    assert await _stored_answers(api) == []

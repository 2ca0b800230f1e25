"""The application bot answers an employer job's screening questions from the candidate's
facts (their fit questionnaire answers and answer bank) when it delivers the application in the
platform; the recruiting service keeps those answers; a required question no fact answers
stops the bot for a person. Both services on one real PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from infra.auth import Role
from schemas.events.applications import (
    ApplicationNeedsReview,
    ApplicationSubmitted,
    ScreeningAnswersGiven,
)
from schemas.events.candidates import UpdateAnswerBank
from schemas.events.recruiting import QuestionnaireAnswered, QuestionnairePublished
from services.recruiting.questionnaire_store import fit_questionnaire
from services.recruiting.tables import answers
from tests.integration.recruiting_support import SCREENING, Recruiting, recruiting
from tests.integration.test_recruiting_applications import (
    ADA,
    Bot,
    _scored_and_approved,
    bot,
)

pytestmark = pytest.mark.integration
__all__ = ["bot", "recruiting"]  # the fixtures

# The seed's questions, the years now answered by the fit questionnaire's.
WITH_FACT: dict[str, Any] = {"questions": [
    SCREENING["questions"][0], {**SCREENING["questions"][1], "fact": "years_experience"}]}


async def _ask(recruiting: Recruiting, bot: Bot, questions: dict[str, Any]) -> None:
    """The published job's questions as the bot hears of them: every version, in order."""
    acme = recruiting.companies[0]
    put = await recruiting.client.put(f"/api/v1/jobs/{acme.published_job}/questionnaire",
                                      json=questions, headers=recruiting.auth(Role.RECRUITER))
    assert put.status_code == 200, put.text
    for event in await recruiting.emitted(QuestionnairePublished):
        if event["job_id"] == str(acme.published_job):
            await bot.deliver(QuestionnairePublished.model_validate(event))


async def _fit_answers(recruiting: Recruiting, bot: Bot) -> None:
    """Ada answered the fit questionnaire; the bot hears of it."""
    fit = fit_questionnaire()
    answered = await recruiting.client.post(
        f"/api/v1/questionnaires/{fit.questionnaire_id}/answers",
        headers=recruiting.auth(Role.CANDIDATE, user_id=ADA),
        json={"candidate_id": str(ADA), "version": fit.version, "answers": {
            "work_authorised": True, "sponsorship": False, "workplace": ["remote"],
            "employment_type": ["full_time"], "years_experience": 6}})
    assert answered.status_code == 201, answered.text
    [event] = await recruiting.emitted(QuestionnaireAnswered)
    await bot.deliver(QuestionnaireAnswered.model_validate(event))


async def test_the_bot_answers_screening_questions_from_the_candidates_facts(
        recruiting: Recruiting, bot: Bot) -> None:
    approval = await _scored_and_approved(recruiting, bot)
    await _ask(recruiting, bot, WITH_FACT)
    await _fit_answers(recruiting, bot)
    await bot.deliver(UpdateAnswerBank(candidate_id=ADA, answers=[
        {"keywords": ["driving", "licence"], "answer": "Yes", "source": "profile: licence"}]))

    await bot.deliver(approval)

    [submitted] = await recruiting.emitted(ApplicationSubmitted)
    [given] = await recruiting.emitted(ScreeningAnswersGiven)
    assert given["application_id"] == submitted["application_id"]
    assert (given["version"], given["answers"]) == (2, {"licence": True, "years": 6.0})
    assert given["sources"] == {"licence": "profile: licence",
                                "years": "fit questionnaire: years_experience"}
    await recruiting.deliver(ScreeningAnswersGiven.model_validate(given))
    async with recruiting.uow.engine.connect() as conn:
        kept = (await conn.execute(sa.select(answers).where(
            answers.c.source == "bot"))).mappings().one()
    assert (kept["candidate_id"], kept["version"], kept["question_score"]) == (ADA, 2, 100.0)
    announced = [e for e in await recruiting.emitted(QuestionnaireAnswered)
                 if e["kind"] == "employer"]
    assert [e["answers_id"] for e in announced] == [str(kept["answers_id"])]


async def test_a_required_question_no_fact_answers_stops_the_bot_for_a_person(
        recruiting: Recruiting, bot: Bot) -> None:
    approval = await _scored_and_approved(recruiting, bot)
    await _ask(recruiting, bot, WITH_FACT)
    await _fit_answers(recruiting, bot)  # years, but nothing about a licence

    await bot.deliver(approval)

    assert await recruiting.emitted(ApplicationSubmitted) == []
    assert await recruiting.emitted(ScreeningAnswersGiven) == []
    [asked] = await recruiting.emitted(ApplicationNeedsReview)
    assert asked["question"] == "Do you hold a driving licence?"
    assert bot.browser.pages == 0


async def test_a_job_without_questions_is_delivered_as_before(
        recruiting: Recruiting, bot: Bot) -> None:
    """The seed's questions never reached the bot: nothing to answer, delivered at once."""
    approval = await _scored_and_approved(recruiting, bot)
    await bot.deliver(approval)
    assert len(await recruiting.emitted(ApplicationSubmitted)) == 1
    assert await recruiting.emitted(ScreeningAnswersGiven) == []
    assert uuid.UUID(str(approval.job_id)) == recruiting.companies[0].published_job

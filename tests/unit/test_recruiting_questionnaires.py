"""Questionnaire definitions, answers checked against them, scores and knock-outs."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from services.recruiting.questionnaire_store import fit_questionnaire
from services.recruiting.questionnaires import (
    InvalidAnswers,
    Questionnaire,
    Questions,
    check_answers,
    evaluate,
    next_version,
)


def _questionnaire(*questions: dict[str, Any]) -> Questionnaire:
    return Questionnaire(questionnaire_id=uuid.uuid4(), version=1, kind="employer",
                         job_id=uuid.uuid4(), questions=list(questions))


LICENCE = {"id": "licence", "type": "yes_no", "text": "Do you hold a driving licence?",
           "ideal": True, "knockout": True, "weight": 2}
SHIFT = {"id": "shift", "type": "single_choice", "text": "Which shift?",
         "options": ["day", "night", "any"], "ideal": ["day", "any"]}
TOOLS = {"id": "tools", "type": "multiple_choice", "text": "Which do you use?",
         "options": ["git", "docker", "k8s"], "ideal": ["git", "docker"], "required": False}
YEARS = {"id": "years", "type": "number", "text": "Years of Python?", "min": 0, "max": 50,
         "ideal": {"min": 3}}
START = {"id": "start", "type": "date", "text": "Start date?", "min": "2026-01-01",
         "ideal": {"max": "2027-03-01"}}
ABOUT = {"id": "about", "type": "text", "text": "Anything else?", "required": False}
EVERY = _questionnaire(LICENCE, SHIFT, TOOLS, YEARS, START, ABOUT)
GOOD = {"licence": True, "shift": "any", "tools": ["git", "docker"], "years": 5,
        "start": "2027-01-15", "about": "Happy to travel."}


def test_good_answers_pass_every_type_and_score_full() -> None:
    checked = check_answers(EVERY, GOOD)
    assert checked == {**GOOD, "years": 5.0}
    evaluation = evaluate(EVERY, checked)
    assert evaluation.question_score == 100.0
    assert evaluation.knocked_out == []
    by_id = {r.id: r for r in evaluation.results}
    assert by_id["about"].score is None and by_id["about"].passed
    assert by_id["licence"].knockout and by_id["licence"].weight == 2


@pytest.mark.parametrize(("question", "value", "problem"), [
    ("licence", "yes", "expected true or false"),
    ("shift", "evening", "expected one of the options"),
    ("tools", ["git", "git"], "expected distinct options, as a list"),
    ("tools", "git", "expected distinct options, as a list"),
    ("years", 51, "above the highest accepted, 50"),
    ("years", -1, "below the lowest accepted, 0"),
    ("years", True, "expected a number"),
    ("start", "2025-12-31", "below the lowest accepted, 2026-01-01"),
    ("start", "15/01/2027", "expected a date, YYYY-MM-DD"),
    ("about", "   ", "expected text"),
    ("about", "x" * 5001, "expected text of at most 5000 characters, without NUL"),
])
def test_each_bad_answer_is_named(question: str, value: object, problem: str) -> None:
    with pytest.raises(InvalidAnswers) as raised:
        check_answers(EVERY, {**GOOD, question: value})
    assert raised.value.problems == {question: problem}


def test_missing_required_and_unknown_answers_are_all_named() -> None:
    given = {k: v for k, v in GOOD.items() if k not in ("licence", "tools", "about")}
    with pytest.raises(InvalidAnswers) as raised:
        check_answers(EVERY, {**given, "shoe_size": 44, "years": 99})
    assert raised.value.problems == {"shoe_size": "no such question", "licence": "required",
                                     "years": "above the highest accepted, 50"}


def test_a_knockout_answer_is_reported_whatever_the_rest() -> None:
    evaluation = evaluate(EVERY, check_answers(EVERY, {**GOOD, "licence": False}))
    assert [r.id for r in evaluation.knocked_out] == ["licence"]
    # Scored answers: licence 0 (weight 2), the other four 1 (weight 1 each): 4/6.
    assert evaluation.question_score == pytest.approx(66.67)


def test_partial_answers_score_partly() -> None:
    answers = check_answers(EVERY, {**GOOD, "tools": ["git"], "years": 1, "shift": "night",
                                    "start": "2027-04-01"})
    by_id = {r.id: r for r in evaluate(EVERY, answers).results}
    assert by_id["tools"].score == 0.5 and not by_id["tools"].passed
    assert by_id["years"].score == 0.0 and by_id["shift"].score == 0.0
    assert by_id["start"].score == 0.0


def test_an_unanswered_scored_question_scores_nothing() -> None:
    answers = check_answers(EVERY, {k: v for k, v in GOOD.items() if k != "tools"})
    result = {r.id: r for r in evaluate(EVERY, answers).results}["tools"]
    assert result.answer is None and result.score == 0.0


def test_nothing_scored_means_no_question_score() -> None:
    questionnaire = _questionnaire(ABOUT, {**SHIFT, "ideal": None})
    assert evaluate(questionnaire, {"shift": "day"}).question_score is None


@pytest.mark.parametrize("question", [
    {**SHIFT, "options": None},
    {**SHIFT, "options": ["a", "a"]},
    {**SHIFT, "ideal": ["evening"]},
    {**LICENCE, "required": False},
    {**LICENCE, "ideal": None},
    {**ABOUT, "ideal": True},
    {**YEARS, "min": 10, "max": 5},
    {**YEARS, "ideal": True},
    {**START, "min": 5},
    {**ABOUT, "min": 1},
    {**LICENCE, "weight": -1},
    {**LICENCE, "colour": "red"},
])
def test_inconsistent_definitions_are_refused(question: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Questions.model_validate({"questions": [question]})


def test_question_ids_are_distinct() -> None:
    with pytest.raises(ValidationError, match="distinct"):
        Questions.model_validate({"questions": [LICENCE, LICENCE]})


def test_versions_count_up_from_one() -> None:
    assert next_version(None) == 1
    assert next_version(4) == 5


def test_the_fit_questionnaire_ships_as_a_valid_file() -> None:
    fit = fit_questionnaire()
    assert fit.kind == "fit" and fit.job_id is None and fit.version >= 1
    assert {q.type for q in fit.questions} == {"yes_no", "single_choice", "multiple_choice",
                                               "number", "date", "text"}
    checked = check_answers(fit, {"work_authorised": True, "sponsorship": False,
                                  "workplace": ["remote"], "employment_type": ["full_time"],
                                  "years_experience": 4})
    assert evaluate(fit, checked).knocked_out == []

"""Answers to a job's questionnaire in the score: the `question` weight, knock-outs, and pairs
without answers scored exactly as before."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from services.ats_engine.domain import Decision, match_id
from services.ats_engine.engine import Engine
from services.ats_engine.questions import PairAnswers
from services.ats_engine.scoring import combine, outcome_json
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.weights import DEFAULT_FILE, Weights, load_weights
from tests.fixtures.resumes import RESUME

TODAY = date(2026, 11, 26)
engine = Engine(default_taxonomy())
weights = load_weights(DEFAULT_FILE)
BACKEND = engine.parse_job("Senior Backend Engineer (Python)",
                           "Requirements:\n- Python: five or more years\n- PostgreSQL\n- Kafka\n"
                           "- Docker\n- Kubernetes\n", "Remote")
RESUME_PARSED = engine.parse_text(RESUME, TODAY)


def _result(question_id: str, *, passed: bool, knockout: bool = False,
            score: float | None = None) -> dict[str, Any]:
    return {"id": question_id, "text": f"{question_id}?", "answer": passed, "passed": passed,
            "knockout": knockout, "score": float(passed) if score is None else score,
            "weight": 1.0}


def test_the_weights_file_weighs_questions() -> None:
    assert weights.weights["question"] > 0


def test_without_answers_the_question_weight_changes_nothing() -> None:
    parts = {"must_skills": 0.8, "preferred_skills": 0.5, "experience": 1.0, "education": 1.0,
             "title": 0.6, "location": 1.0, "semantic": 0.4}
    without = Weights.model_validate({**weights.model_dump(), "weights": {
        k: w for k, w in weights.weights.items() if k != "question"}})
    assert combine(parts, weights) == combine(parts, without)
    plain = engine.score(RESUME_PARSED, BACKEND, weights)
    assert engine.score(RESUME_PARSED, BACKEND, without).score == plain.score
    assert "question" not in plain.breakdown and "questions" not in outcome_json(plain)


def test_good_answers_raise_the_score_and_bad_ones_lower_it() -> None:
    plain = engine.score(RESUME_PARSED, BACKEND, weights).score
    good = engine.score(RESUME_PARSED, BACKEND, weights, answers=PairAnswers(
        1, [_result("a", passed=True)], 100.0))
    bad = engine.score(RESUME_PARSED, BACKEND, weights, answers=PairAnswers(
        1, [_result("a", passed=False)], 0.0))
    assert bad.score < plain <= good.score
    assert good.breakdown["question"] == 1.0 and bad.breakdown["question"] == 0.0
    details = outcome_json(bad)
    assert details["question_score"] == 0.0
    assert details["questions"][0]["id"] == "a"


def test_a_knockout_answer_rejects_whatever_the_score() -> None:
    plain = engine.score(RESUME_PARSED, BACKEND, weights)
    assert plain.decision is Decision.APPLY
    knocked = engine.score(RESUME_PARSED, BACKEND, weights, answers=PairAnswers(
        1, [_result("licence", passed=False, knockout=True), _result("b", passed=True)],
        50.0))
    assert knocked.decision is Decision.REJECT
    assert knocked.score < weights.thresholds.review_floor
    assert any("knock-out answer (licence?)" in note for note in knocked.notes)


def test_answers_that_score_nothing_leave_the_score_alone() -> None:
    plain = engine.score(RESUME_PARSED, BACKEND, weights)
    unscored = engine.score(RESUME_PARSED, BACKEND, weights, answers=PairAnswers(
        1, [{**_result("about", passed=True), "score": None}], None))
    assert unscored.score == plain.score and "question" not in unscored.breakdown
    assert outcome_json(unscored)["questions"][0]["score"] is None


@pytest.mark.parametrize("revision", [1, 2])
def test_each_set_of_answers_is_a_pair_of_its_own(revision: int) -> None:
    ids = (uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    assert match_id(*ids) == match_id(*ids, 0, 0)
    assert match_id(*ids, 0, revision) != match_id(*ids)
    assert match_id(*ids, 3, revision) != match_id(*ids, 3)


def test_an_unknown_weight_is_still_refused() -> None:
    with pytest.raises(ValueError, match="unknown weights"):
        Weights.model_validate({**weights.model_dump(), "weights": {"questions": 1.0}})

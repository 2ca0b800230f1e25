"""Screening questions answered from facts: a fit answer named by the question first, then the
answer bank, each read as the question's kind of answer; what no fact settles is missing."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.events.recruiting import ScreeningQuestion
from services.application_bot.screening import bank_of
from services.application_bot.screening_answers import answer_screening


def _q(**fields: Any) -> ScreeningQuestion:
    return ScreeningQuestion.model_validate({"id": "q", "text": "Question?", **fields})


BANK = bank_of([
    (("driving", "licence"), "Yes", "profile"),
    (("years", "python"), "7", "profile"),
    (("start", "date"), "2027-02-01", "profile"),
    (("shift",), "night", "profile"),
    (("tools",), "git, docker", "profile"),
    (("salary",), "a lot", "profile"),
])


@pytest.mark.parametrize(("question", "answer"), [
    (_q(type="yes_no", text="Do you hold a driving licence?"), True),
    (_q(type="number", text="Years of Python?", min=0, max=50), 7.0),
    (_q(type="date", text="Earliest start date?"), "2027-02-01"),
    (_q(type="single_choice", text="Which shift?", options=["day", "night"]), "night"),
    (_q(type="multiple_choice", text="Which tools?", options=["git", "docker", "k8s"]),
     ["git", "docker"]),
    (_q(type="text", text="Salary expectations?"), "a lot"),
])
def test_the_bank_answers_each_kind(question: ScreeningQuestion, answer: object) -> None:
    answered = answer_screening([question], BANK, {})
    assert answered.answers == {"q": answer} and answered.missing == ()
    assert answered.sources == {"q": "profile"}


@pytest.mark.parametrize("question", [
    _q(type="number", text="Years of Python?", max=5),  # the fact is out of range
    _q(type="single_choice", text="Which shift?", options=["day", "evening"]),
    _q(type="yes_no", text="Salary expectations?"),  # "a lot" is no yes or no
    _q(type="number", text="Do you hold a driving licence?"),
    _q(type="yes_no", text="Are you left-handed?"),  # no fact at all
])
def test_what_no_fact_settles_is_missing_when_required(question: ScreeningQuestion) -> None:
    answered = answer_screening([question], BANK, {})
    assert answered.answers == {} and answered.missing == (question.text,)
    optional = question.model_copy(update={"required": False})
    assert answer_screening([optional], BANK, {}).missing == ()


def test_a_fit_answer_named_by_the_question_comes_first() -> None:
    question = _q(type="number", text="Years of Python?", fact="years_experience")
    answered = answer_screening([question], BANK, {"years_experience": 9.0})
    assert answered.answers == {"q": 9.0}
    assert answered.sources == {"q": "fit questionnaire: years_experience"}
    assert answered.recorded[0].answer == "9"
    # A fit answer of another kind is not forced: the bank answers instead.
    mismatch = answer_screening([question], BANK, {"years_experience": ["remote"]})
    assert mismatch.answers == {"q": 7.0}


def test_a_multiple_choice_fit_answer_must_fit_the_options() -> None:
    question = _q(type="multiple_choice", text="Where?", options=["remote", "onsite"],
                  fact="workplace")
    assert answer_screening([question], BANK, {"workplace": ["remote"]}).answers == {
        "q": ["remote"]}
    assert answer_screening([question], BANK, {"workplace": ["hybrid"]}).missing == ("Where?",)

"""Questionnaires: versioned definitions, answers checked against them, and each answer's result.

A questionnaire is a list of questions: yes/no, single and multiple choice, a number within a
range, a date within a range, free text. A question may name its `ideal` answer (the scored
part: yes or no, the options that fit, a range of numbers or dates) and a `weight`; one that is
a `knockout` rejects the candidate when the answer misses the ideal, whatever their score.
Free text and questions without an ideal are asked, kept and shown, never scored.

An employer questionnaire belongs to one job and gains a version at each change; the platform's
fit questionnaire is one data file. Answers name the version they answer and are judged
against it. No I/O here.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_TEXT_ANSWER = 5000


class QuestionType(StrEnum):
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    NUMBER = "number"
    DATE = "date"
    TEXT = "text"


_CHOICES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE})
_RANGED = frozenset({QuestionType.NUMBER, QuestionType.DATE})


class Range(BaseModel):
    """Inclusive bounds of a number or a date; either may be left open."""

    model_config = ConfigDict(extra="forbid")

    min: float | date | None = None
    max: float | date | None = None


class Question(BaseModel):
    """One question of a definition."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$",
                    description="Stable across versions: answers are keyed by it")
    type: QuestionType
    text: str = Field(min_length=1, max_length=1000)
    options: list[str] | None = Field(
        default=None, description="The choices of a single or multiple choice question")
    min: float | date | None = Field(
        default=None, description="Lowest answer a number or date question accepts")
    max: float | date | None = Field(
        default=None, description="Highest answer a number or date question accepts")
    required: bool = True
    weight: float = Field(default=1.0, ge=0, le=100,
                          description="Its share of the question score among scored questions")
    ideal: bool | list[str] | Range | None = Field(
        default=None, description="The answer that scores: yes or no (yes_no), the fitting "
        "options (choice questions; a multiple choice scores the share of them picked), or a "
        "range (number, date); none: not scored")
    knockout: bool = Field(default=False,
                           description="An answer that misses the ideal rejects the candidate")
    fact: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_.-]{1,64}$",
        description="The fit question whose answer also answers this one (the application "
        "bot answers from it)")

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        kind = self.type
        if (self.options is not None) != (kind in _CHOICES):
            raise ValueError(f"{self.id}: options are for choice questions, and they need them")
        if self.options is not None and (not self.options
                                         or len(set(self.options)) != len(self.options)
                                         or any(not o.strip() for o in self.options)):
            raise ValueError(f"{self.id}: options must be distinct and not blank")
        if kind not in _RANGED and (self.min is not None or self.max is not None):
            raise ValueError(f"{self.id}: min and max are for number and date questions")
        for bound in (self.min, self.max):
            _check_bound(self.id, kind, bound)
        if self.min is not None and self.max is not None and self.min > self.max:  # type: ignore[operator]
            raise ValueError(f"{self.id}: min is above max")
        self._check_ideal()
        if self.knockout and (self.ideal is None or not self.required):
            raise ValueError(f"{self.id}: a knock-out question is required and names its ideal")
        return self

    def _check_ideal(self) -> None:
        ideal, kind = self.ideal, self.type
        if ideal is None:
            return
        if kind is QuestionType.TEXT:
            raise ValueError(f"{self.id}: free text is not scored")
        if kind is QuestionType.YES_NO and not isinstance(ideal, bool):
            raise ValueError(f"{self.id}: the ideal of a yes/no question is true or false")
        if kind in _CHOICES and (not isinstance(ideal, list) or not ideal
                                 or not set(ideal) <= set(self.options or ())):
            raise ValueError(f"{self.id}: the ideal names some of the options")
        if kind in _RANGED:
            if not isinstance(ideal, Range):
                raise ValueError(f"{self.id}: the ideal of a {kind} question is a range")
            for bound in (ideal.min, ideal.max):
                _check_bound(self.id, kind, bound)


def _check_bound(question_id: str, kind: QuestionType, bound: float | date | None) -> None:
    if bound is None:
        return
    if kind is QuestionType.NUMBER and (not isinstance(bound, float | int)
                                        or not math.isfinite(bound)):
        raise ValueError(f"{question_id}: a number question's bounds are finite numbers")
    if kind is QuestionType.DATE and not isinstance(bound, date):
        raise ValueError(f"{question_id}: a date question's bounds are dates (YYYY-MM-DD)")


class Questions(BaseModel):
    """A definition's questions, as an employer writes them."""

    model_config = ConfigDict(extra="forbid")

    questions: list[Question] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _distinct_ids(self) -> Questions:
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ValueError("question ids must be distinct")
        return self


class Questionnaire(Questions):
    """One version of a questionnaire."""

    questionnaire_id: uuid.UUID
    version: int = Field(ge=1)
    kind: Literal["employer", "fit"]
    job_id: uuid.UUID | None = None


Answer = bool | float | str | list[str]


class AskedQuestion(BaseModel):
    """A question as an applicant meets it: what it asks and accepts, not what scores."""

    id: str
    type: QuestionType
    text: str
    options: list[str] | None = None
    min: float | date | None = None
    max: float | date | None = None
    required: bool = True


class AskedQuestionnaire(BaseModel):
    """A questionnaire as applicants read it: its ideals, knock-outs, weights and the facts
    that answer it stay with the employer, or an applicant could answer to the key."""

    questionnaire_id: uuid.UUID
    version: int
    kind: Literal["employer", "fit"]
    job_id: uuid.UUID | None = None
    questions: list[AskedQuestion]


def as_asked(questionnaire: Questionnaire) -> AskedQuestionnaire:
    """The applicant's view of `questionnaire`."""
    return AskedQuestionnaire(
        questionnaire_id=questionnaire.questionnaire_id, version=questionnaire.version,
        kind=questionnaire.kind, job_id=questionnaire.job_id,
        questions=[AskedQuestion(id=q.id, type=q.type, text=q.text, options=q.options,
                                 min=q.min, max=q.max, required=q.required)
                   for q in questionnaire.questions])


class InvalidAnswers(ValueError):
    """Answers the definition does not admit: each bad one named, with why."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = dict(problems)


def check_answers(questionnaire: Questions, given: Mapping[str, object]) -> dict[str, Answer]:
    """The answers in their stored form (dates as YYYY-MM-DD); InvalidAnswers naming every
    question answered wrongly, every required one left out and every unknown id."""
    problems: dict[str, str] = {}
    known = {q.id: q for q in questionnaire.questions}
    for unknown in sorted(set(given) - set(known)):
        problems[unknown] = "no such question"
    answers: dict[str, Answer] = {}
    for question in questionnaire.questions:
        if given.get(question.id) is None:
            if question.required:
                problems[question.id] = "required"
            continue
        try:
            answers[question.id] = _answer(question, given[question.id])
        except ValueError as exc:
            problems[question.id] = str(exc)
    if problems:
        raise InvalidAnswers(problems)
    return answers


def _answer(question: Question, value: object) -> Answer:
    kind = question.type
    if kind is QuestionType.YES_NO:
        if not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value
    if kind is QuestionType.SINGLE_CHOICE:
        if not isinstance(value, str) or value not in (question.options or ()):
            raise ValueError("expected one of the options")
        return value
    if kind is QuestionType.MULTIPLE_CHOICE:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value) \
                or len(set(value)) != len(value) or not set(value) <= set(question.options or ()):
            raise ValueError("expected distinct options, as a list")
        return list(value)
    if kind is QuestionType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            raise ValueError("expected a number")
        _within(float(value), question.min, question.max)
        return float(value)
    if kind is QuestionType.DATE:
        try:
            day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 \
                else None
        except ValueError:
            day = None
        if day is None:
            raise ValueError("expected a date, YYYY-MM-DD")
        _within(day, question.min, question.max)
        return day.isoformat()
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected text")
    if len(value) > MAX_TEXT_ANSWER or "\x00" in value:
        raise ValueError(f"expected text of at most {MAX_TEXT_ANSWER} characters, without NUL")
    return value


def _within(value: float | date, low: float | date | None, high: float | date | None) -> None:
    if low is not None and value < low:  # type: ignore[operator]
        raise ValueError(f"below the lowest accepted, {_shown(low)}")
    if high is not None and value > high:  # type: ignore[operator]
        raise ValueError(f"above the highest accepted, {_shown(high)}")


def _shown(bound: float | date) -> str:
    return f"{bound:g}" if isinstance(bound, float | int) else bound.isoformat()


@dataclass(frozen=True)
class QuestionResult:
    """How one answer fared: its score (None: not scored), whether it met the ideal."""

    id: str
    text: str
    answer: Answer | None
    passed: bool
    knockout: bool
    score: float | None
    weight: float

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "answer": self.answer, "passed": self.passed,
                "knockout": self.knockout, "score": self.score, "weight": self.weight}


@dataclass(frozen=True)
class Evaluation:
    results: list[QuestionResult]
    question_score: float | None  # 0-100, the weighted mean of the scored answers

    @property
    def knocked_out(self) -> list[QuestionResult]:
        return [r for r in self.results if r.knockout and not r.passed]


def evaluate(questionnaire: Questions, answers: Mapping[str, Answer]) -> Evaluation:
    """Each question's result for checked answers; an unanswered scored question scores 0."""
    results = []
    for question in questionnaire.questions:
        answer = answers.get(question.id)
        score = None if question.ideal is None else \
            0.0 if answer is None else _score(question, answer)
        results.append(QuestionResult(
            question.id, question.text, answer, passed=score is None or score == 1.0,
            knockout=question.knockout, score=None if score is None else round(score, 3),
            weight=question.weight))
    return Evaluation(results, question_score(results))


def question_score(results: Sequence[QuestionResult]) -> float | None:
    """The weighted mean of the scored results, 0-100; None when nothing is scored."""
    scored = [(r.score, r.weight) for r in results if r.score is not None and r.weight > 0]
    total = sum(w for _, w in scored)
    if not total:
        return None
    return round(100 * sum(s * w for s, w in scored) / total, 2)


def _score(question: Question, answer: Answer) -> float:
    ideal = question.ideal
    if isinstance(ideal, bool):
        return float(answer == ideal)
    if isinstance(ideal, list):
        picked = set(answer) if isinstance(answer, list) else {answer}
        if question.type is QuestionType.MULTIPLE_CHOICE:
            return len(picked & set(ideal)) / len(ideal)
        return float(bool(picked & set(ideal)))
    assert isinstance(ideal, Range)
    value: float | date = date.fromisoformat(str(answer)) \
        if question.type is QuestionType.DATE else float(answer)  # type: ignore[arg-type]
    low_ok = ideal.min is None or value >= ideal.min  # type: ignore[operator]
    high_ok = ideal.max is None or value <= ideal.max  # type: ignore[operator]
    return float(low_ok and high_ok)


def next_version(current: int | None) -> int:
    return 1 if current is None else current + 1


def load_fit(text: str | bytes) -> Questionnaire:
    """The platform's fit questionnaire from its data file's text."""
    fit = Questionnaire.model_validate_json(text)
    if fit.kind != "fit" or fit.job_id is not None:
        raise ValueError("the fit questionnaire is of kind fit, for no job")
    return fit

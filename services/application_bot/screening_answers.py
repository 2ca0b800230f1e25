"""An employer job's screening questions answered from the candidate's facts: their answers to
the platform's fit questionnaire (for a question that names its fit question) and their answer
bank. Pure functions; a question the facts do not settle is left unanswered, and a required
one left so stops the bot for a person, as on a portal's form."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from schemas.events.recruiting import AnswerValue, ScreeningQuestion
from services.application_bot.screening import AnswerBank, RecordedAnswer

_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})


@dataclass(frozen=True)
class ScreeningAnswers:
    answers: dict[str, AnswerValue] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    recorded: tuple[RecordedAnswer, ...] = ()
    missing: tuple[str, ...] = ()  # the required questions the facts do not answer


def answer_screening(questions: Sequence[ScreeningQuestion], bank: AnswerBank,
                     fit: Mapping[str, AnswerValue]) -> ScreeningAnswers:
    answers: dict[str, AnswerValue] = {}
    sources: dict[str, str] = {}
    recorded: list[RecordedAnswer] = []
    missing: list[str] = []
    for question in questions:
        found = _from_fit(question, fit)
        if found is None:
            found = _from_bank(question, bank)
        if found is None:
            if question.required:
                missing.append(question.text)
            continue
        value, source = found
        answers[question.id], sources[question.id] = value, source
        recorded.append(RecordedAnswer(question.text, _shown(value), source))
    return ScreeningAnswers(answers, sources, tuple(recorded), tuple(missing))


def _from_fit(question: ScreeningQuestion, fit: Mapping[str, AnswerValue],
              ) -> tuple[AnswerValue, str] | None:
    if question.fact is None or question.fact not in fit:
        return None
    value = _fitting(question, fit[question.fact])
    return None if value is None else (value, f"fit questionnaire: {question.fact}")


def _from_bank(question: ScreeningQuestion, bank: AnswerBank) -> tuple[AnswerValue, str] | None:
    options = question.options if question.type == "single_choice" else ()
    found = bank.answer(question.text, options or ())
    if found is None:
        return None
    value = _parsed(question, found.answer)
    return None if value is None else (value, found.source)


def _fitting(question: ScreeningQuestion, value: AnswerValue) -> AnswerValue | None:
    """A fit answer as this question takes it, if it can; None when their kinds differ."""
    kind = question.type
    if kind == "yes_no":
        return value if isinstance(value, bool) else None
    if kind == "number":
        return _in_range(question, float(value)) \
            if isinstance(value, int | float) and not isinstance(value, bool) else None
    if kind == "multiple_choice":
        picked = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        return picked if picked and set(picked) <= set(question.options or ()) else None
    if isinstance(value, str):
        return _parsed(question, value)
    return None


def _parsed(question: ScreeningQuestion, text: str) -> AnswerValue | None:
    """A fact's text as this question's kind of answer; None when it does not read as one."""
    kind, word = question.type, text.strip().lower()
    if kind == "yes_no":
        return True if word in _YES else False if word in _NO else None
    if kind == "number":
        try:
            number = float(word)
        except ValueError:
            return None
        return _in_range(question, number) if math.isfinite(number) else None
    if kind == "date":
        try:
            day = date.fromisoformat(word)
        except ValueError:
            return None
        return day.isoformat() if _between(question, day.isoformat()) else None
    if kind == "single_choice":
        return text if text in (question.options or ()) else None
    if kind == "multiple_choice":
        picked = [part.strip() for part in text.split(",") if part.strip()]
        return picked if picked and set(picked) <= set(question.options or ()) else None
    return text if text.strip() else None


def _in_range(question: ScreeningQuestion, number: float) -> float | None:
    low, high = question.min, question.max
    if isinstance(low, int | float) and number < low:
        return None
    if isinstance(high, int | float) and number > high:
        return None
    return number


def _between(question: ScreeningQuestion, day: str) -> bool:
    low, high = question.min, question.max
    return (not isinstance(low, str) or day >= low) and (not isinstance(high, str) or day <= high)


def _shown(value: AnswerValue) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value)
    return f"{value:g}" if isinstance(value, float) else value

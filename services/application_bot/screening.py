"""Filling forms from what is known: contact fields by label, screening questions from facts.

Pure functions. A question is answered only from the candidate's bank of verified facts, and
only when exactly one answer fits; anything else is left unanswered so the bot stops and asks
a person rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

_WORD = re.compile(r"[a-z0-9]+")

# Labels of the contact fields as career sites word them, most specific first.
CONTACT_LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("first_name", ("first name", "given name", "forename")),
    ("last_name", ("last name", "family name", "surname")),
    ("email", ("email", "e mail")),
    ("phone", ("phone", "mobile", "telephone", "cell")),
    ("full_name", ("full name", "your name", "legal name")),
)


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def contact_field(label: str) -> str | None:
    """The applicant field a form label asks for (`first_name`, ..., `full_name`), if any."""
    words = f" {_normal(label)} "
    if words == " name ":  # a bare "Name"; "Company name" is someone else's
        return "full_name"
    for name, phrasings in CONTACT_LABELS:
        if any(f" {phrase} " in words for phrase in phrasings):
            return name
    return None


class Contact(Protocol):
    """What a form's contact fields take (the applicant's details)."""

    @property
    def first_name(self) -> str: ...

    @property
    def last_name(self) -> str: ...


def contact_value(applicant: Contact, name: str) -> str:
    if name == "full_name":
        return f"{applicant.first_name} {applicant.last_name}".strip()
    return str(getattr(applicant, name))


@dataclass(frozen=True)
class Fact:
    """One verified fact: the words a question about it contains, its answer and its source."""

    keywords: tuple[str, ...]
    answer: str
    source: str

    def fits(self, label: str) -> bool:
        words = f" {_normal(label)} "
        return all(f" {_normal(keyword)} " in words for keyword in self.keywords)


@dataclass(frozen=True)
class RecordedAnswer:
    """An answer given on a form, with the fact it came from."""

    question: str
    answer: str
    source: str


@dataclass(frozen=True)
class AnswerBank:
    """A candidate's verified facts."""

    facts: tuple[Fact, ...] = field(default_factory=tuple)

    def answer(self, question: str, options: Sequence[str] = ()) -> RecordedAnswer | None:
        """The one answer the facts give to `question` (one of `options` if any), else None."""
        fitting = [fact for fact in self.facts if fact.fits(question)]
        if not fitting:
            return None
        most = max(len(fact.keywords) for fact in fitting)
        best = {fact.answer: fact for fact in fitting if len(fact.keywords) == most}
        if len(best) != 1:
            return None  # two facts disagree: a person decides
        (fact,) = best.values()
        answer = fact.answer
        if options:
            matches = [option for option in options if _normal(option) == _normal(answer)]
            if len(matches) != 1:
                return None
            answer = matches[0]
        return RecordedAnswer(question=" ".join(question.split()), answer=answer,
                              source=fact.source)


def bank_of(facts: Iterable[tuple[Sequence[str], str, str]]) -> AnswerBank:
    """An answer bank from (keywords, answer, source) triples."""
    return AnswerBank(tuple(Fact(tuple(k), a, s) for k, a, s in facts))

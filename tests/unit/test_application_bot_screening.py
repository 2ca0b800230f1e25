"""Contact fields by label and screening answers only from verified facts."""

from __future__ import annotations

import pytest

from services.application_bot.domain import Applicant
from services.application_bot.screening import (
    AnswerBank,
    bank_of,
    contact_field,
    contact_value,
)

ADA = Applicant("Ada", "Okafor", "ada@example.com", "+1 415 555 0101")
BANK = bank_of([
    (("years", "python"), "7", "resume v1: 2019-2026 Paylane; verified by candidate"),
    (("authorized", "work", "european union"), "Yes", "candidate profile: EU citizen"),
    (("sponsorship",), "No", "candidate profile: EU citizen"),
])


@pytest.mark.parametrize(("label", "field"), [
    ("First name", "first_name"), ("Given Name *", "first_name"), ("Last Name", "last_name"),
    ("Surname", "last_name"), ("Email address", "email"), ("E-mail", "email"),
    ("Mobile phone number", "phone"), ("Full name", "full_name"), ("Name", "full_name"),
    ("Cover letter", None), ("Company name?", None), ("Why us?", None),
])
def test_labels_are_matched_to_contact_fields(label: str, field: str | None) -> None:
    assert contact_field(label) == field


def test_full_name_joins_the_names() -> None:
    assert contact_value(ADA, "full_name") == "Ada Okafor"
    assert contact_value(ADA, "email") == "ada@example.com"


def test_a_question_is_answered_from_a_fact_with_its_source() -> None:
    answer = BANK.answer("How many years of work experience do you have with Python?")
    assert answer is not None
    assert (answer.answer, answer.source) == ("7", "resume v1: 2019-2026 Paylane; verified by "
                                                   "candidate")


def test_an_answer_must_be_one_of_the_options() -> None:
    answer = BANK.answer("Are you legally authorized to work in the European Union?",
                         ["Yes", "No"])
    assert answer is not None and answer.answer == "Yes"
    assert BANK.answer("Will you require sponsorship?", ["Maybe", "Later"]) is None


@pytest.mark.parametrize("question", [
    "What is your expected annual salary in EUR?",
    "How many years of experience do you have with Rust?",
    "Are you authorized to work in the United States?",
])
def test_nothing_is_guessed(question: str) -> None:
    assert BANK.answer(question) is None


def test_facts_that_disagree_give_no_answer() -> None:
    bank = bank_of([(("years", "python"), "7", "resume"), (("years", "python"), "5", "profile")])
    assert bank.answer("Years of Python?") is None
    assert AnswerBank().answer("Years of Python?") is None

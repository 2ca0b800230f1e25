"""Scoring rules of the ATS engine, without I/O."""

import uuid

import pytest

from services.ats_engine.domain import (
    Decision,
    Thresholds,
    decide,
    extract_skills,
    match_id,
    score_match,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We use JavaScript and React", {"JavaScript", "React"}),
        ("Java 17 and Kotlin", {"Java", "Kotlin"}),
        ("C++ and C# engineers", {"C++", "C#"}),
        ("Backend in Go; we go live weekly", {"Go"}),
        ("node.js services on Node.js", {"Node.js"}),
        ("postgresql, PostgreSQL", {"PostgreSQL"}),
    ],
)
def test_skills_are_found_on_token_boundaries(text: str, expected: set[str]) -> None:
    assert extract_skills(text) == expected


def test_java_is_not_found_inside_javascript() -> None:
    assert "Java" not in extract_skills("Senior JavaScript developer")


def test_score_is_the_share_of_job_skills_the_resume_shows() -> None:
    result = score_match(frozenset({"Python", "Kafka", "React"}),
                         frozenset({"Python", "Kafka", "Go", "Terraform"}))
    assert result.score == 50.0
    assert result.matched == ("Kafka", "Python")
    assert result.missing == ("Go", "Terraform")
    assert result.explanation() == ["matched: Kafka", "matched: Python", "missing: Go",
                                    "missing: Terraform"]


def test_a_job_naming_no_skills_scores_zero() -> None:
    assert score_match(frozenset({"Python"}), frozenset()).score == 0.0


@pytest.mark.parametrize(
    "score, decision",
    [(100, Decision.APPLY), (90, Decision.APPLY), (89.99, Decision.REVIEW),
     (50, Decision.REVIEW), (49.99, Decision.REJECT), (0, Decision.REJECT)],
)
def test_decision_bands(score: float, decision: Decision) -> None:
    assert decide(score, Thresholds(auto_apply=90, review_floor=50)) is decision


def test_match_id_is_deterministic_per_pair() -> None:
    candidate, job = uuid.uuid4(), uuid.uuid4()
    assert match_id(candidate, job) == match_id(candidate, job)
    assert match_id(candidate, job) != match_id(job, candidate)

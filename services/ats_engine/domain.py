"""Scoring rules: skills found on token boundaries, a score, an explanation and a decision."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from enum import StrEnum

# A small built-in vocabulary; the skills taxonomy with aliases replaces it.
SKILLS: tuple[str, ...] = (
    "Python", "Java", "JavaScript", "TypeScript", "Go", "Rust", "C++", "C#", "Swift",
    "Objective-C", "Kotlin", "Ruby", "PHP", "Scala", "SQL", "PostgreSQL", "MySQL", "Redis",
    "Kafka", "Spark", "Airflow", "Docker", "Kubernetes", "Terraform", "AWS", "GCP", "Azure",
    "Linux", "React", "Vue", "Angular", "Node.js", "GraphQL", "CSS", "HTML", "FastAPI",
    "Django", "Flask", "Xcode",
)

MATCH_NAMESPACE = uuid.UUID("3f1d8e0a-6c55-4c1e-9a59-2b8f6f0f7d10")


class Decision(StrEnum):
    APPLY = "apply"
    REVIEW = "review"
    REJECT = "reject"


@dataclass(frozen=True)
class Thresholds:
    auto_apply: float
    review_floor: float


@dataclass(frozen=True)
class MatchResult:
    score: float
    matched: tuple[str, ...]
    missing: tuple[str, ...]

    def explanation(self) -> list[str]:
        lines = [f"matched: {skill}" for skill in self.matched]
        lines += [f"missing: {skill}" for skill in self.missing]
        return lines


def _pattern(skill: str) -> re.Pattern[str]:
    # Token boundaries that also work for skills ending in symbols ("C++", "Node.js").
    # Two-letter names are matched case-sensitively: "Go" is the language, "go" a verb.
    flags = re.IGNORECASE if len(skill) > 2 else 0
    return re.compile(rf"(?<![\w+#.-]){re.escape(skill)}(?![\w+#-]|\.\w)", flags)


_PATTERNS = {skill: _pattern(skill) for skill in SKILLS}


def extract_skills(text: str) -> frozenset[str]:
    """Skills named in `text` ("Java" is not found in "JavaScript")."""
    return frozenset(skill for skill, pattern in _PATTERNS.items() if pattern.search(text))


def score_match(resume_skills: frozenset[str], job_skills: frozenset[str]) -> MatchResult:
    """Share of the job's skills the resume shows, 0-100; a job naming none scores 0."""
    matched = tuple(sorted(job_skills & resume_skills))
    missing = tuple(sorted(job_skills - resume_skills))
    score = 100.0 * len(matched) / len(job_skills) if job_skills else 0.0
    return MatchResult(round(score, 2), matched, missing)


def decide(score: float, thresholds: Thresholds) -> Decision:
    if score >= thresholds.auto_apply:
        return Decision.APPLY
    if score >= thresholds.review_floor:
        return Decision.REVIEW
    return Decision.REJECT


def match_id(candidate_id: uuid.UUID, job_id: uuid.UUID) -> uuid.UUID:
    """One id per (candidate, job), the same on every replica and retry."""
    return uuid.uuid5(MATCH_NAMESPACE, f"{candidate_id}:{job_id}")

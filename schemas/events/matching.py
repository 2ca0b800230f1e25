"""Scoring and the decision it leads to: apply, review or reject."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, Field

from schemas.events import topics
from schemas.events.envelope import EventData
from schemas.events.recruiting import QuestionResult

# Explanation lines quote the resume (a skill's evidence, a licence line, hidden text, where
# the candidate lives) between these two marks and nowhere else, so a reader who may not see
# resume contents (operators, supervisors) is given the lines with every quote withheld.
QUOTE_OPEN, QUOTE_CLOSE = "\u201c", "\u201d"
WITHHELD = f"{QUOTE_OPEN}resume text withheld{QUOTE_CLOSE}"
_QUOTED = re.compile(f"{QUOTE_OPEN}[^{QUOTE_CLOSE}]*{QUOTE_CLOSE}")
# Lines written before the marks: a skill's evidence and a gate's finding, quoted last.
_QUOTED_BEFORE = re.compile(r"""^(met .*?\): |gate (?:hidden_text|machine_instructions): .*?: )"""
                            r"""(["']).*\2$""", re.S)


def quote_resume(text: str) -> str:
    """Resume text as an explanation line quotes it; a mark inside becomes a plain quote, so
    the quote ends where it should."""
    return (QUOTE_OPEN + text.replace(QUOTE_OPEN, '"').replace(QUOTE_CLOSE, '"')
            + QUOTE_CLOSE)


def without_resume_quotes(lines: Iterable[str]) -> list[str]:
    """The explanation with each resume quote replaced by WITHHELD."""
    return [_QUOTED_BEFORE.sub(rf"\g<1>{WITHHELD}", _QUOTED.sub(WITHHELD, line))
            for line in lines]


class _MatchEvent(EventData):
    TOPIC: ClassVar[str] = topics.MATCHES
    KEY_FIELD: ClassVar[str] = "match_id"

    match_id: uuid.UUID = Field(description="Deterministic id of (candidate, job)")
    candidate_id: uuid.UUID
    job_id: uuid.UUID
    score: float = Field(ge=0, le=100)


class MatchScored(_MatchEvent):
    """A candidate's resume was scored against a job (one pair per event).

    Superseded by `MatchesScored`, which carries all the pairs one scoring step decided; kept
    so that streams written before it still read.
    """

    TYPE: ClassVar[str] = "jams.matches.MatchScored"
    DESCRIPTION: ClassVar[str] = ("The ATS engine scored one (candidate, job) pair. No longer "
                                  "emitted: MatchesScored carries every scored pair.")

    resume_version_id: uuid.UUID
    explanation: list[str] = Field(default_factory=list)


class ApplicationApproved(_MatchEvent):
    """The score cleared the auto-apply threshold: apply without review."""

    TYPE: ClassVar[str] = "jams.matches.ApplicationApproved"
    DESCRIPTION: ClassVar[str] = "Score at or above the auto threshold; the bot applies."

    resume_version_id: uuid.UUID
    apply_url: str
    company: str = Field(default="", description="The employer's name, for the blacklist")


class ManualReviewRequired(_MatchEvent):
    """The score is between the review floor and the auto threshold."""

    TYPE: ClassVar[str] = "jams.matches.ManualReviewRequired"
    DESCRIPTION: ClassVar[str] = "Score in the review band; a reviewer tailors the resume."

    resume_version_id: uuid.UUID
    apply_url: str
    job_title: str = ""
    company: str = ""
    explanation: list[str] = Field(default_factory=list)
    job_posted_at: AwareDatetime | None = Field(
        default=None, description="When the job was posted; fresher jobs are reviewed first")
    candidate_plan: str | None = Field(
        default=None, max_length=50, description="The candidate's plan (free, standard, premium)")
    review_tags: list[str] = Field(
        default_factory=list, description="Skills a reviewer needs for this task (optional)")
    breakdown: dict[str, float] = Field(
        default_factory=dict, description="Score components by name, each a fraction 0-1")
    matched_skills: list[str] = Field(
        default_factory=list, description="Skills the job asks for that the resume shows")
    missing_skills: list[str] = Field(
        default_factory=list, description="Skills the job asks for that the resume lacks")
    hints: list[str] = Field(
        default_factory=list, description="Tailoring hints for the reviewer")
    resume_blob_key: str | None = Field(
        default=None, max_length=600, description="Blob-store key of the scored resume file")


class MatchRejected(_MatchEvent):
    """The score is under the review floor; recorded, nobody's time spent.

    Superseded by the `reject` pairs of `MatchesScored`; kept so that older streams still read.
    """

    TYPE: ClassVar[str] = "jams.matches.MatchRejected"
    DESCRIPTION: ClassVar[str] = ("Score below the review floor. No longer emitted: a rejection "
                                  "is recorded as a `reject` pair of MatchesScored.")


MAX_PAIRS_PER_EVENT = 200


class ScoredPair(BaseModel):
    """One (candidate, job, resume version) pair's score and decision."""

    match_id: uuid.UUID = Field(description="Deterministic id of (candidate, job, resume version)")
    candidate_id: uuid.UUID
    job_id: uuid.UUID
    resume_version_id: uuid.UUID
    score: float = Field(ge=0, le=100)
    decision: Literal["apply", "review", "reject"]
    acted: bool = Field(
        default=True, description="False when an earlier resume version of the pair already led "
        "to this or a stronger action, so no ApplicationApproved or ManualReviewRequired follows")
    filtered: bool = Field(
        default=False, description="True when the candidate's preferences ruled the job out "
        "before scoring (the explanation then names the preference): a reject nobody but the "
        "candidate may see")
    explanation: list[str] = Field(default_factory=list)
    breakdown: dict[str, float] = Field(
        default_factory=dict, description="Score components by name, each a fraction 0-1 (empty "
        "when the pair was decided before the full scorer)")
    matched_skills: list[str] = Field(
        default_factory=list, description="Skills the job asks for that the resume shows")
    missing_skills: list[str] = Field(
        default_factory=list, description="Skills the job asks for that the resume lacks")
    weights_version: str = Field(
        default="", max_length=200, description="The weights version it was scored with "
        "(empty in events written before it was told)")
    question_score: float | None = Field(
        default=None, ge=0, le=100, description="The candidate's answers to the job's "
        "questionnaire, 0-100 (None: not answered, or nothing scored)")
    questions: list[QuestionResult] = Field(
        default_factory=list, description="Each answer to the job's questionnaire and how it "
        "fared (a knock-out not passed rejects the pair)")


class MatchesScored(EventData):
    """The pairs one scoring step decided: a new job against the candidates it can see, or a new
    resume version against the open jobs (cut into events of at most 200 pairs).

    Every decision is recorded here; an `apply` pair is also announced on its own as
    ApplicationApproved and a `review` pair as ManualReviewRequired (unless `acted` is false),
    since those start work. A `reject` pair is recorded only here: nobody's time is spent.
    """

    TYPE: ClassVar[str] = "jams.matches.MatchesScored"
    TOPIC: ClassVar[str] = topics.MATCHES
    KEY_FIELD: ClassVar[str] = "batch_id"
    DESCRIPTION: ClassVar[str] = ("The ATS engine scored a job against candidates, or a resume "
                                  "against open jobs: each pair's score and decision.")

    batch_id: uuid.UUID = Field(description="Deterministic id of this part of the scoring step")
    pairs: list[ScoredPair] = Field(min_length=1, max_length=MAX_PAIRS_PER_EVENT)

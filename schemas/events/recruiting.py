"""The employers' side: a candidate's place in an employer job's pipeline, questionnaires and
the answers given to them."""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, Field

from schemas.events import topics
from schemas.events.envelope import EventData


class CandidateStatusChanged(EventData):
    """Someone of the company moved a candidate in a job's pipeline."""

    TYPE: ClassVar[str] = "jams.recruiting.CandidateStatusChanged"
    TOPIC: ClassVar[str] = topics.RECRUITING
    KEY_FIELD: ClassVar[str] = "job_id"
    DESCRIPTION: ClassVar[str] = ("A recruiter, hiring manager or company admin set a candidate's "
                                  "status for an employer job: pending, shortlisted, maybe or "
                                  "rejected.")

    job_id: uuid.UUID
    candidate_id: uuid.UUID
    company_id: uuid.UUID
    job_title: str = Field(default="", max_length=500)
    status: Literal["pending", "shortlisted", "maybe", "rejected"]
    previous_status: Literal["pending", "shortlisted", "maybe", "rejected"]
    changed_by: uuid.UUID = Field(description="The user who changed it")
    changed_at: AwareDatetime


class NoteMentioned(EventData):
    """A note on a candidate mentioned members of its company for the first time."""

    TYPE: ClassVar[str] = "jams.recruiting.NoteMentioned"
    TOPIC: ClassVar[str] = topics.RECRUITING
    KEY_FIELD: ClassVar[str] = "job_id"
    DESCRIPTION: ClassVar[str] = ("Someone of a company wrote or edited a note on a candidate "
                                  "that mentions colleagues (@user id or @e-mail) not mentioned "
                                  "in it before; each of them is told once. The note's text "
                                  "stays in the recruiting service.")

    note_id: uuid.UUID
    revision: int = Field(ge=1, description="The note's revision that mentioned them")
    job_id: uuid.UUID
    candidate_id: uuid.UUID
    company_id: uuid.UUID
    job_title: str = Field(default="", max_length=500)
    author_id: uuid.UUID = Field(description="Who wrote the note")
    mentioned: list[uuid.UUID] = Field(
        min_length=1, max_length=100,
        description="Members of the company to tell, the author never among them")
QuestionType = Literal["yes_no", "single_choice", "multiple_choice", "number", "date", "text"]
AnswerValue = bool | float | str | list[str]


class ScreeningQuestion(BaseModel):
    """A question of an employer questionnaire, as an applicant meets it."""

    id: str = Field(max_length=64)
    type: QuestionType
    text: str = Field(max_length=1000)
    options: list[str] | None = None
    min: float | str | None = Field(default=None, description="A number, or a YYYY-MM-DD date")
    max: float | str | None = Field(default=None, description="A number, or a YYYY-MM-DD date")
    required: bool = True
    fact: str | None = Field(default=None, description="The fit question whose answer also "
                                                       "answers this one")


class QuestionnairePublished(EventData):
    """A job's employer questionnaire gained a version."""

    TYPE: ClassVar[str] = "jams.recruiting.QuestionnairePublished"
    TOPIC: ClassVar[str] = topics.RECRUITING
    KEY_FIELD: ClassVar[str] = "job_id"
    DESCRIPTION: ClassVar[str] = ("An employer set the screening questions of one of their "
                                  "jobs (a new version; applicants answer the newest).")

    questionnaire_id: uuid.UUID
    version: int = Field(ge=1)
    job_id: uuid.UUID
    questions: list[ScreeningQuestion]


class QuestionResult(BaseModel):
    """One answer and how it fared against the question's ideal."""

    id: str = Field(max_length=64)
    text: str = Field(max_length=1000)
    answer: AnswerValue | None
    passed: bool
    knockout: bool = Field(description="A knock-out question: not passed, it rejects")
    score: float | None = Field(ge=0, le=1, description="None: the question is not scored")
    weight: float = Field(ge=0)


class QuestionnaireAnswered(EventData):
    """A candidate's answers to a questionnaire, checked against the version they answer."""

    TYPE: ClassVar[str] = "jams.recruiting.QuestionnaireAnswered"
    # A candidate's own answers: on their topic, kept as briefly as their other personal data,
    # and ordered with their erasure.
    TOPIC: ClassVar[str] = topics.CANDIDATES
    KEY_FIELD: ClassVar[str] = "candidate_id"
    DESCRIPTION: ClassVar[str] = ("A candidate (or staff for them, or the application bot) "
                                  "answered a job's questionnaire or the platform's fit "
                                  "questionnaire: each answer's result and the question score.")

    answers_id: uuid.UUID
    questionnaire_id: uuid.UUID
    version: int = Field(ge=1)
    kind: Literal["employer", "fit"]
    job_id: uuid.UUID | None = Field(description="None for the fit questionnaire")
    candidate_id: uuid.UUID
    answers: dict[str, AnswerValue]
    results: list[QuestionResult]
    question_score: float | None = Field(ge=0, le=100)
    answered_at: AwareDatetime


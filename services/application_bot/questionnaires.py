"""Employer jobs' screening questions (QuestionnairePublished) and candidates' answers to the
fit questionnaire (QuestionnaireAnswered), kept in the bot's own JSONB documents so every
replica answers from them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from infra.documents import DocumentStore
from infra.service import TransactionalHandler
from infra.uow import Transaction
from schemas.events.envelope import EventData
from schemas.events.recruiting import (
    AnswerValue,
    QuestionnaireAnswered,
    QuestionnairePublished,
    ScreeningQuestion,
)

QUESTIONS = "bot_screening_questions"
FIT_ANSWERS = "bot_fit_answers"


@dataclass(frozen=True)
class JobQuestions:
    questionnaire_id: uuid.UUID
    version: int
    questions: list[ScreeningQuestion]


class ScreeningSource(Protocol):
    async def questions(self, job_id: uuid.UUID) -> JobQuestions | None: ...

    async def fit_answers(self, candidate_id: uuid.UUID) -> dict[str, AnswerValue]: ...


class NoScreening:
    """No job asks anything."""

    async def questions(self, job_id: uuid.UUID) -> JobQuestions | None:
        return None

    async def fit_answers(self, candidate_id: uuid.UUID) -> dict[str, AnswerValue]:
        return {}


class StoredScreening:
    def __init__(self, documents: DocumentStore) -> None:
        self._documents = documents

    @property
    def handlers(self) -> dict[type[EventData], TransactionalHandler]:
        return {QuestionnairePublished: self.on_questionnaire_published,
                QuestionnaireAnswered: self.on_questionnaire_answered}

    async def on_questionnaire_published(self, event: QuestionnairePublished,
                                         tx: Transaction) -> None:
        stored = await self._documents.get(QUESTIONS, str(event.job_id))
        if stored is not None and int(stored["version"]) >= event.version:
            return  # an older version, redelivered late
        await self._documents.put(QUESTIONS, str(event.job_id),
                                  event.model_dump(mode="json"))

    async def on_questionnaire_answered(self, event: QuestionnaireAnswered,
                                        tx: Transaction) -> None:
        if event.kind == "fit":
            await self._documents.put(FIT_ANSWERS, str(event.candidate_id),
                                      {"answers": event.answers})

    async def questions(self, job_id: uuid.UUID) -> JobQuestions | None:
        stored = await self._documents.get(QUESTIONS, str(job_id))
        if stored is None:
            return None
        event = QuestionnairePublished.model_validate(stored)
        return JobQuestions(event.questionnaire_id, event.version, event.questions)

    async def fit_answers(self, candidate_id: uuid.UUID) -> dict[str, AnswerValue]:
        stored: dict[str, Any] | None = await self._documents.get(FIT_ANSWERS, str(candidate_id))
        return dict(stored["answers"]) if stored else {}

"""Questionnaire versions and answers in the recruiting tables, and the events they make."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from infra.uow import Transaction
from schemas.events.recruiting import (
    QuestionnaireAnswered,
    QuestionnairePublished,
    QuestionResult,
    ScreeningQuestion,
)
from services.recruiting.questionnaires import (
    Answer,
    Questionnaire,
    Questions,
    evaluate,
    load_fit,
    next_version,
)
from services.recruiting.tables import answers, questionnaires

FIT_FILE = Path(__file__).parent / "data" / "fit_questionnaire.json"


def fit_questionnaire(path: Path = FIT_FILE) -> Questionnaire:
    return load_fit(path.read_bytes())


def _of(row: Any) -> Questionnaire:
    return Questionnaire.model_validate({
        "questionnaire_id": row.questionnaire_id, "version": row.version, "kind": "employer",
        "job_id": row.job_id, "questions": row.questions})


async def employer_questionnaire(tx: Transaction, *, questionnaire_id: uuid.UUID | None = None,
                                 job_id: uuid.UUID | None = None, version: int | None = None,
                                 lock: bool = False) -> tuple[Questionnaire, uuid.UUID] | None:
    """A job's questionnaire (its newest version unless `version`) and its company's id."""
    query = sa.select(questionnaires)
    if questionnaire_id is not None:
        query = query.where(questionnaires.c.questionnaire_id == questionnaire_id)
    if job_id is not None:
        query = query.where(questionnaires.c.job_id == job_id)
    if version is not None:
        query = query.where(questionnaires.c.version == version)
    query = query.order_by(questionnaires.c.version.desc()).limit(1)
    row = (await tx.conn.execute(query.with_for_update() if lock else query)).first()
    return None if row is None else (_of(row), row.company_id)


async def add_version(tx: Transaction, job: dict[str, Any], questions: Questions,
                      created_by: uuid.UUID) -> Questionnaire:
    """The job's questionnaire with these questions as its next version, announced."""
    current = await employer_questionnaire(tx, job_id=job["job_id"], lock=True)
    questionnaire = Questionnaire(
        questionnaire_id=current[0].questionnaire_id if current else uuid.uuid4(),
        version=next_version(current[0].version if current else None), kind="employer",
        job_id=job["job_id"], questions=questions.questions)
    stored = questionnaire.model_dump(mode="json", exclude_none=True)["questions"]
    await tx.conn.execute(questionnaires.insert().values(
        questionnaire_id=questionnaire.questionnaire_id, version=questionnaire.version,
        job_id=job["job_id"], company_id=job["company_id"], questions=stored,
        created_by=created_by, created_at=tx.clock.now()))
    tx.emit(QuestionnairePublished(
        questionnaire_id=questionnaire.questionnaire_id, version=questionnaire.version,
        job_id=job["job_id"], questions=[ScreeningQuestion.model_validate(
            {k: v for k, v in q.items() if k in ScreeningQuestion.model_fields})
            for q in stored]))
    return questionnaire


async def save_answers(tx: Transaction, questionnaire: Questionnaire, candidate_id: uuid.UUID,
                       given: dict[str, Answer], *, submitted_by: uuid.UUID | None,
                       source: str) -> uuid.UUID:
    """Checked answers kept as the candidate's newest version, judged and announced."""
    evaluation = evaluate(questionnaire, given)
    results = [r.as_json() for r in evaluation.results]
    answers_id, now = uuid.uuid4(), tx.clock.now()
    await tx.conn.execute(answers.insert().values(
        answers_id=answers_id, questionnaire_id=questionnaire.questionnaire_id,
        version=questionnaire.version, kind=questionnaire.kind, job_id=questionnaire.job_id,
        candidate_id=candidate_id, answers=given, results=results,
        question_score=evaluation.question_score, submitted_by=submitted_by, source=source,
        created_at=now))
    tx.emit(QuestionnaireAnswered(
        answers_id=answers_id, questionnaire_id=questionnaire.questionnaire_id,
        version=questionnaire.version, kind=questionnaire.kind, job_id=questionnaire.job_id,
        candidate_id=candidate_id, answers=given,
        results=[QuestionResult.model_validate(r) for r in results],
        question_score=evaluation.question_score, answered_at=now))
    return answers_id

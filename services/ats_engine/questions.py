"""A candidate's answers to a job's questionnaire, as the recruiting service judged them
(QuestionnaireAnswered): their score joins the match through the `question` weight, and a
knock-out answer not passed rejects the pair."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from infra.uow import Transaction
from schemas.events.recruiting import QuestionnaireAnswered
from services.ats_engine.tables import question_answers


@dataclass(frozen=True)
class PairAnswers:
    """The newest answers of one (candidate, job) pair; `revision` counts the answers given."""

    revision: int
    results: list[dict[str, Any]]
    question_score: float | None

    @property
    def knocked_out(self) -> list[str]:
        return [str(r["text"]) for r in self.results if r["knockout"] and not r["passed"]]


async def answers_of(tx: Transaction, keys: Iterable[tuple[uuid.UUID, uuid.UUID]],
                     ) -> dict[tuple[uuid.UUID, uuid.UUID], PairAnswers]:
    """The answers of each (candidate, job) pair that has some, in one round trip. Asked by
    job alone: a step meets few jobs and many candidates, and only answered pairs have rows."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = await tx.conn.execute(sa.select(question_answers).where(
        question_answers.c.job_id.in_(sorted({job for _, job in wanted}))))
    return {(row.candidate_id, row.job_id): PairAnswers(row.revision, list(row.results),
                                                        row.question_score)
            for row in rows if (row.candidate_id, row.job_id) in wanted}


async def keep_answers(event: QuestionnaireAnswered, tx: Transaction) -> bool:
    """The pair's newest answers replace the older ones, at the next revision; False for the fit
    questionnaire's (facts of the candidate, not of one job) and for answers seen already."""
    if event.job_id is None:
        return False
    values = {"answers_id": event.answers_id, "question_score": event.question_score,
              "results": [r.model_dump(mode="json") for r in event.results],
              "answered_at": event.answered_at}
    statement = insert(question_answers).values(candidate_id=event.candidate_id,
                                                job_id=event.job_id, revision=1, **values)
    row = (await tx.conn.execute(statement.on_conflict_do_update(
        index_elements=[question_answers.c.candidate_id, question_answers.c.job_id],
        set_={**{k: statement.excluded[k] for k in values},
              "revision": question_answers.c.revision + 1},
        where=sa.and_(question_answers.c.answers_id != statement.excluded.answers_id,
                      question_answers.c.answered_at <= statement.excluded.answered_at))
        .returning(question_answers.c.revision))).first()
    return row is not None

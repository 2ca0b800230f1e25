"""Answers the application bot gave to an employer job's screening questions when it applied:
kept as the candidate's answers when they fit the version they answer."""

from __future__ import annotations

import sqlalchemy as sa
import structlog

from infra.uow import Transaction
from schemas.events.applications import ScreeningAnswersGiven
from services.recruiting.questionnaire_store import employer_questionnaire, save_answers
from services.recruiting.questionnaires import InvalidAnswers, check_answers
from services.recruiting.tables import erased_candidates

log = structlog.get_logger(__name__)


async def on_screening_answers_given(event: ScreeningAnswersGiven, tx: Transaction) -> None:
    found = await employer_questionnaire(tx, questionnaire_id=event.questionnaire_id,
                                         version=event.version)
    if found is None or found[0].job_id != event.job_id:
        log.warning("screening answers to an unknown questionnaire version",
                    questionnaire_id=str(event.questionnaire_id), version=event.version)
        return
    if await tx.conn.scalar(sa.select(erased_candidates.c.candidate_id).where(
            erased_candidates.c.candidate_id == event.candidate_id)) is not None:
        return
    try:
        checked = check_answers(found[0], event.answers)
    except InvalidAnswers as exc:
        # The bot answers only what its facts settle; what they do not is left to people.
        log.warning("screening answers do not fit their questions; not kept",
                    problems=exc.problems, job_id=str(event.job_id))
        return
    await save_answers(tx, found[0], event.candidate_id, checked, submitted_by=None,
                       source="bot")

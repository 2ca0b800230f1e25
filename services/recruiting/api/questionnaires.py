"""`/api/v1/questionnaires/{id}` and `/api/v1/jobs/{id}/questionnaire`: screening questions and
the answers to them.

A job's questionnaire is read by its company's people (and platform admins), and by
candidates and operators once the job is published; the platform's fit questionnaire by all of
them. Answers come from the candidate themselves (for their own id only) or from platform staff
(admins, operators) on their behalf; employers' people read answers in the ranked list and never
post them.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from infra.auth import Role
from infra.http_conventions import ERR_CONFLICT, ERR_FORBIDDEN, ERR_VALIDATION, ApiError
from infra.uow import Transaction, UnitOfWork
from services.recruiting.access import Authorizer, Caller, not_found
from services.recruiting.api import RESPONSES
from services.recruiting.api.jobs import job_in_scope
from services.recruiting.audit import record
from services.recruiting.domain import JobStatus
from services.recruiting.questionnaire_store import (
    add_version,
    employer_questionnaire,
    save_answers,
)
from services.recruiting.questionnaires import (
    AskedQuestionnaire,
    InvalidAnswers,
    Questionnaire,
    Questions,
    as_asked,
    check_answers,
)
from services.recruiting.tables import erased_candidates, jobs

MAX_VERSION = 2**31 - 1  # a PostgreSQL integer

# Who reads a job's questions as an applicant would: once the job is published.
_APPLICANT_SIDE = frozenset({Role.CANDIDATE, Role.OPERATOR})


class AnswersIn(BaseModel):
    candidate_id: uuid.UUID
    version: int = Field(ge=1, le=MAX_VERSION,
                         description="The questionnaire version answered (the newest)")
    answers: dict[str, object] = Field(description="Each question's answer by its id")


class AnswersOut(BaseModel):
    answers_id: uuid.UUID
    version: int


def questionnaire_routes(uow: UnitOfWork, authorize: Authorizer,
                         fit: Questionnaire) -> APIRouter:
    router = APIRouter(tags=["recruiting"], responses=RESPONSES)

    async def visible(tx: Transaction, caller: Caller, questionnaire_id: uuid.UUID,
                      version: int | None = None) -> Questionnaire:
        """The questionnaire if the caller may read it; 404 as for a missing one otherwise."""
        if questionnaire_id == fit.questionnaire_id and version in (None, fit.version):
            return fit
        found = await employer_questionnaire(tx, questionnaire_id=questionnaire_id,
                                             version=version)
        if found is None:
            raise not_found()
        questionnaire, company_id = found
        if caller.principal.role in _APPLICANT_SIDE:
            status = await tx.conn.scalar(sa.select(jobs.c.status).where(
                jobs.c.job_id == questionnaire.job_id))
            if status != JobStatus.PUBLISHED:
                raise not_found()
        else:
            caller.check(company_id)
        return questionnaire

    @router.get("/api/v1/questionnaires/{questionnaire_id}",
                summary="A questionnaire's definition (its newest version unless `version`)")
    async def get(questionnaire_id: uuid.UUID,
                  version: int | None = Query(None, ge=1, le=MAX_VERSION),
                  caller: Caller = Depends(authorize("questionnaires.get")),
                  ) -> Questionnaire | AskedQuestionnaire:
        async with uow.transaction() as tx:
            found = await visible(tx, caller, questionnaire_id, version)
        # Applicants see what is asked, never what scores or knocks out.
        return as_asked(found) if caller.principal.role in _APPLICANT_SIDE else found

    @router.get("/api/v1/jobs/{job_id}/questionnaire",
                summary="The newest version of a job's employer questionnaire")
    async def of_job(job_id: uuid.UUID,
                     caller: Caller = Depends(authorize("questionnaires.job")),
                     ) -> Questionnaire:
        async with uow.transaction() as tx:
            await job_in_scope(tx, caller, job_id)
            found = await employer_questionnaire(tx, job_id=job_id)
        if found is None:
            raise not_found()
        return found[0]

    @router.put("/api/v1/jobs/{job_id}/questionnaire",
                summary="Set a job's screening questions: a new version each time, the old "
                        "ones kept (announced as QuestionnairePublished)")
    async def put(job_id: uuid.UUID, body: Questions,
                  caller: Caller = Depends(authorize("questionnaires.put"))) -> Questionnaire:
        async with uow.transaction() as tx:
            job = await job_in_scope(tx, caller, job_id, lock=True)
            if job["status"] == JobStatus.CLOSED:
                raise ApiError(409, ERR_CONFLICT, "a closed job's questions are fixed")
            questionnaire = await add_version(tx, job, body, caller.principal.user_id)
            await record(tx, caller, "questionnaire.versioned", "questionnaire",
                         questionnaire.questionnaire_id, job["company_id"],
                         {"job_id": str(job_id), "version": questionnaire.version})
        return questionnaire

    @router.post("/api/v1/questionnaires/{questionnaire_id}/answers", status_code=201,
                 summary="Answer a questionnaire's newest version (the candidate, or staff "
                         "for them); 422 names each bad answer and nothing is kept")
    async def answer(questionnaire_id: uuid.UUID, body: AnswersIn,
                     caller: Caller = Depends(authorize("questionnaires.answer")),
                     ) -> AnswersOut:
        if caller.principal.role is Role.CANDIDATE \
                and not caller.principal.owns(body.candidate_id):
            raise ApiError(403, ERR_FORBIDDEN, "a candidate answers only for themselves")
        async with uow.transaction() as tx:
            questionnaire = await visible(tx, caller, questionnaire_id)
            if body.version != questionnaire.version:
                raise ApiError(409, ERR_CONFLICT, "the questionnaire has another version",
                               {"version": questionnaire.version})
            if await tx.conn.scalar(sa.select(erased_candidates.c.candidate_id).where(
                    erased_candidates.c.candidate_id == body.candidate_id)) is not None:
                raise not_found()
            try:
                checked = check_answers(questionnaire, body.answers)
            except InvalidAnswers as exc:
                raise ApiError(422, ERR_VALIDATION, "some answers do not fit their questions",
                               {"answers": exc.problems}) from None
            source = "candidate" if caller.principal.role is Role.CANDIDATE else "staff"
            answers_id = await save_answers(tx, questionnaire, body.candidate_id, checked,
                                            submitted_by=caller.principal.user_id,
                                            source=source)
        return AnswersOut(answers_id=answers_id, version=questionnaire.version)

    return router

"""What the ATS engine does on each event: keep jobs and resumes, score every new pair."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from infra.blobs import BlobStore
from infra.uow import Transaction
from schemas.events.jobs import JobExpired, JobPublished
from schemas.events.matching import (
    ApplicationApproved,
    ManualReviewRequired,
    MatchRejected,
    MatchScored,
)
from schemas.events.resumes import ResumeVersionCreated
from services.ats_engine.domain import (
    Decision,
    Thresholds,
    decide,
    extract_skills,
    match_id,
    score_match,
)
from services.ats_engine.tables import candidates, jobs, matches


@dataclass(frozen=True)
class _Job:
    job_id: uuid.UUID
    title: str
    company: str
    apply_url: str
    skills: frozenset[str]


@dataclass(frozen=True)
class _Candidate:
    candidate_id: uuid.UUID
    resume_version_id: uuid.UUID
    skills: frozenset[str]


class AtsHandlers:
    """Scores each (candidate, job) pair once, whichever of the two arrives last."""

    def __init__(self, blobs: BlobStore, thresholds: Thresholds) -> None:
        self._blobs = blobs
        self._thresholds = thresholds

    async def on_job_published(self, event: JobPublished, tx: Transaction) -> None:
        skills = extract_skills(f"{event.title}\n{event.description}")
        await tx.conn.execute(
            insert(jobs)
            .values(job_id=event.job_id, title=event.title, company=event.company,
                    apply_url=str(event.apply_url), skills=sorted(skills), open=True)
            .on_conflict_do_nothing()
        )
        job = _Job(event.job_id, event.title, event.company, str(event.apply_url), skills)
        rows = await tx.conn.execute(sa.select(candidates).where(candidates.c.active))
        for row in rows:
            candidate = _Candidate(row.candidate_id, row.resume_version_id, frozenset(row.skills))
            await self._score(tx, candidate, job)

    async def on_job_expired(self, event: JobExpired, tx: Transaction) -> None:
        await tx.conn.execute(jobs.update().where(jobs.c.job_id == event.job_id).values(open=False))

    async def on_resume_version_created(self, event: ResumeVersionCreated, tx: Transaction) -> None:
        text = (await self._blobs.get(event.blob_key)).decode("utf-8", errors="replace")
        skills = extract_skills(text)
        statement = insert(candidates).values(
            candidate_id=event.candidate_id, resume_version_id=event.resume_version_id,
            skills=sorted(skills), active=True,
        )
        await tx.conn.execute(statement.on_conflict_do_update(
            index_elements=[candidates.c.candidate_id],
            set_={"resume_version_id": statement.excluded.resume_version_id,
                  "skills": statement.excluded.skills},
        ))
        if event.created_by == "reviewer":
            return  # a version tailored for one task is applied with, not re-scored everywhere
        candidate = _Candidate(event.candidate_id, event.resume_version_id, skills)
        for row in await tx.conn.execute(sa.select(jobs).where(jobs.c.open)):
            job = _Job(row.job_id, row.title, row.company, row.apply_url, frozenset(row.skills))
            await self._score(tx, candidate, job)

    async def _score(self, tx: Transaction, candidate: _Candidate, job: _Job) -> None:
        result = score_match(candidate.skills, job.skills)
        decision = decide(result.score, self._thresholds)
        the_match_id = match_id(candidate.candidate_id, job.job_id)
        inserted = await tx.conn.execute(
            insert(matches)
            .values(match_id=the_match_id, candidate_id=candidate.candidate_id,
                    job_id=job.job_id, resume_version_id=candidate.resume_version_id,
                    score=result.score, decision=decision.value,
                    explanation=result.explanation(), scored_at=tx.clock.now())
            .on_conflict_do_nothing()
            .returning(matches.c.match_id)
        )
        if inserted.first() is None:
            return  # scored before: one decision per pair
        common = {"match_id": the_match_id, "candidate_id": candidate.candidate_id,
                  "job_id": job.job_id, "score": result.score}
        tx.emit(MatchScored(**common, resume_version_id=candidate.resume_version_id,
                            explanation=result.explanation()))
        if decision is Decision.APPLY:
            tx.emit(ApplicationApproved(**common, resume_version_id=candidate.resume_version_id,
                                        apply_url=job.apply_url))
        elif decision is Decision.REVIEW:
            tx.emit(ManualReviewRequired(
                **common, resume_version_id=candidate.resume_version_id,
                apply_url=job.apply_url, job_title=job.title, company=job.company,
                explanation=result.explanation(),
            ))
        else:
            tx.emit(MatchRejected(**common))

"""What the ATS engine does on each event: keep jobs and resumes, score every new pair."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import insert

from infra.blobs import BlobStore
from infra.resume_files import DocumentError, Extracted, kind_of
from infra.uow import Transaction
from schemas.events.jobs import JobExpired, JobPublished
from schemas.events.matching import (
    ApplicationApproved,
    ManualReviewRequired,
    MatchRejected,
    MatchScored,
)
from schemas.events.resumes import ResumeVersionCreated
from services.ats_engine.domain import Decision, match_id
from services.ats_engine.embeddings import MODEL_NAME
from services.ats_engine.engine import Engine, ParsedResume
from services.ats_engine.explain import explain
from services.ats_engine.filters import Preferences, blocked
from services.ats_engine.gates import Gate
from services.ats_engine.jd import JobRequirements
from services.ats_engine.scoring import outcome_json
from services.ats_engine.semantic import Semantic
from services.ats_engine.tables import (
    candidate_vectors,
    candidates,
    jobs,
    matches,
    preferences,
    resume_versions,
)
from services.ats_engine.weights import WeightsSource

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class _Job:
    job_id: uuid.UUID
    title: str
    company: str
    apply_url: str
    requirements: JobRequirements


@dataclass(frozen=True)
class _Candidate:
    candidate_id: uuid.UUID
    resume_version_id: uuid.UUID
    resume: ParsedResume
    preferences: Preferences


class AtsHandlers:
    """Scores each (job, candidate, resume version) once, whichever arrives last."""

    def __init__(self, blobs: BlobStore, engine: Engine, weights: WeightsSource,
                 semantic: Semantic | None = None) -> None:
        self._blobs = blobs
        self._engine = engine
        self._weights = weights
        self._semantic = semantic

    async def on_job_published(self, event: JobPublished, tx: Transaction) -> None:
        await _serialise_scoring(tx)
        location = event.location or ""
        requirements = self._engine.parse_job(event.title, event.description, location)
        await tx.conn.execute(
            insert(jobs)
            .values(job_id=event.job_id, title=event.title, company=event.company,
                    apply_url=str(event.apply_url), skills=[s.skill for s in requirements.skills],
                    open=True, location=location, description=event.description)
            .on_conflict_do_nothing()
        )
        job = _Job(event.job_id, event.title, event.company, str(event.apply_url), requirements)
        query = sa.select(candidates).where(candidates.c.active)
        if self._semantic is not None:
            # Preselect: nearest candidates by pgvector, plus any not embedded yet.
            nearest = await self._semantic.preselect(tx.conn, requirements)
            query = query.where(sa.or_(candidates.c.candidate_id.in_(nearest),
                                       candidates.c.candidate_id.not_in(
                                           sa.select(candidate_vectors.c.candidate_id))))
        rows = await tx.conn.execute(query)
        for row in rows.all():
            await self._score(tx, await self._candidate(tx, row), job)

    async def on_job_expired(self, event: JobExpired, tx: Transaction) -> None:
        await tx.conn.execute(jobs.update().where(jobs.c.job_id == event.job_id).values(open=False))

    async def on_resume_version_created(self, event: ResumeVersionCreated, tx: Transaction) -> None:
        await _serialise_scoring(tx)
        content = await self._blobs.get(event.blob_key)
        today = tx.clock.now().date()
        try:
            resume = self._engine.parse_file(content, kind_of(event.blob_key), today)
        except DocumentError as exc:
            # Stored by an older path without checks: keep the version, send its pairs to people.
            log.warning("resume version unreadable", resume_version_id=str(event.resume_version_id),
                        error=str(exc))
            resume = ParsedResume(Extracted("text", ""), self._engine.parse_text("", today).profile,
                                  [Gate("poor_extraction", str(exc))])
        gates = [{"code": g.code, "message": g.message} for g in resume.gates]
        values = {"resume_version_id": event.resume_version_id,
                  "skills": sorted(resume.profile.skills), "resume_text": resume.profile.text,
                  "resume_kind": resume.document.kind, "gates": gates}
        statement = insert(candidates).values(candidate_id=event.candidate_id, active=True,
                                              **values)
        await tx.conn.execute(statement.on_conflict_do_update(
            index_elements=[candidates.c.candidate_id],
            set_={key: getattr(statement.excluded, key) for key in values},
        ))
        await self._record_version(tx, event, sorted(resume.profile.skills), resume.document.kind)
        if self._semantic is not None:
            await self._semantic.index_resume(tx.conn, event.candidate_id,
                                              event.resume_version_id, resume.profile)
        if event.created_by == "reviewer":
            return  # a version tailored for one task is applied with, not re-scored everywhere
        candidate = _Candidate(event.candidate_id, event.resume_version_id, resume,
                               await self._preferences(tx, event.candidate_id))
        for row in (await tx.conn.execute(sa.select(jobs).where(jobs.c.open))).all():
            requirements = self._engine.parse_job(row.title, row.description or "",
                                                  row.location or "")
            await self._score(tx, candidate, _Job(row.job_id, row.title, row.company,
                                                  row.apply_url, requirements))

    async def _record_version(self, tx: Transaction, event: ResumeVersionCreated,
                              skills: list[str], kind: str) -> None:
        """Each version's skills, for hints that point at what another version already shows."""
        statement = insert(resume_versions).values(
            resume_version_id=event.resume_version_id, candidate_id=event.candidate_id,
            blob_key=event.blob_key, content_sha256=event.content_sha256, kind=kind,
            filename=event.blob_key.rsplit("/", 1)[-1], created_by=event.created_by,
            created_at=tx.clock.now(), skills=skills)
        await tx.conn.execute(statement.on_conflict_do_update(
            index_elements=[resume_versions.c.resume_version_id], set_={"skills": skills}))

    async def _other_versions(self, tx: Transaction,
                              candidate: _Candidate) -> dict[str, frozenset[str]]:
        rows = await tx.conn.execute(
            sa.select(resume_versions.c.resume_version_id, resume_versions.c.skills).where(
                resume_versions.c.candidate_id == candidate.candidate_id,
                resume_versions.c.resume_version_id != candidate.resume_version_id,
                resume_versions.c.skills.is_not(None)))
        return {str(row.resume_version_id): frozenset(row.skills) for row in rows}

    async def _preferences(self, tx: Transaction, candidate_id: uuid.UUID) -> Preferences:
        raw = await tx.conn.scalar(sa.select(preferences.c.preferences)
                                   .where(preferences.c.candidate_id == candidate_id))
        return Preferences.model_validate(raw) if raw else Preferences()

    async def _candidate(self, tx: Transaction, row: sa.Row[tuple[object, ...]]) -> _Candidate:
        text = row.resume_text or ""
        resume = self._engine.parse_text(text, tx.clock.now().date())
        resume.gates = [Gate(g["code"], g["message"]) for g in (row.gates or [])]
        kind = row.resume_kind or "text"
        resume.document = Extracted(kind, text)  # type: ignore[arg-type]
        return _Candidate(row.candidate_id, row.resume_version_id, resume,
                          await self._preferences(tx, row.candidate_id))

    async def _applied_today(self, tx: Transaction, candidate_id: uuid.UUID) -> int:
        midnight = datetime.combine(tx.clock.now().date(), time.min, tzinfo=tx.clock.now().tzinfo)
        return int(await tx.conn.scalar(
            sa.select(sa.func.count()).select_from(matches).where(
                matches.c.candidate_id == candidate_id, matches.c.decision == "apply",
                matches.c.scored_at >= midnight,
                matches.c.scored_at < midnight + timedelta(days=1))) or 0)

    async def _score(self, tx: Transaction, candidate: _Candidate, job: _Job) -> None:
        weights = self._weights.current()
        versions = self._engine.versions(weights)
        if self._semantic is not None:
            versions["embedding_model"] = MODEL_NAME
        reason = blocked(candidate.preferences, job.requirements, job.company)
        if reason is not None:
            score, decision = 0.0, Decision.REJECT
            lines = [f"filtered before scoring: {reason}"]
            details = {"filtered": reason, "versions": versions}
        else:
            fit = None if self._semantic is None else \
                await self._semantic.fit(tx.conn, job.requirements, candidate.resume.profile)
            outcome = self._engine.score(candidate.resume, job.requirements, weights, fit,
                                         candidate.preferences)
            cap = candidate.preferences.daily_cap
            if outcome.decision is Decision.APPLY and cap is not None \
                    and await self._applied_today(tx, candidate.candidate_id) >= cap:
                outcome.decision = Decision.REVIEW
                outcome.notes.append(f"daily application cap of {cap} reached: sent to review")
            explanation = explain(outcome, await self._other_versions(tx, candidate))
            score, decision = outcome.score, outcome.decision
            lines = explanation.lines + [f"hint: {h}" for h in explanation.hints]
            details = {**outcome_json(outcome), "strengths": explanation.strengths,
                       "gaps": explanation.gaps, "hints": explanation.hints,
                       "versions": versions}
        the_match_id = match_id(candidate.candidate_id, job.job_id, candidate.resume_version_id)
        earlier = set((await tx.conn.execute(
            sa.select(matches.c.decision).where(matches.c.candidate_id == candidate.candidate_id,
                                                matches.c.job_id == job.job_id))).scalars())
        inserted = await tx.conn.execute(
            insert(matches)
            .values(match_id=the_match_id, candidate_id=candidate.candidate_id,
                    job_id=job.job_id, resume_version_id=candidate.resume_version_id,
                    score=score, decision=decision.value, explanation=lines,
                    scored_at=tx.clock.now(), details=details)
            .on_conflict_do_nothing()
            .returning(matches.c.match_id)
        )
        if inserted.first() is None:
            return  # this resume version was scored for this job before: one decision
        common = {"match_id": the_match_id, "candidate_id": candidate.candidate_id,
                  "job_id": job.job_id, "score": score}
        tx.emit(MatchScored(**common, resume_version_id=candidate.resume_version_id,
                            explanation=lines))
        if _already_acted(earlier, decision):
            return  # an earlier version already led to this (or a stronger) action
        if decision is Decision.APPLY:
            tx.emit(ApplicationApproved(**common, resume_version_id=candidate.resume_version_id,
                                        apply_url=job.apply_url))
        elif decision is Decision.REVIEW:
            # Only a scored (unfiltered) pair is sent to review, so `outcome` is bound here.
            skills = [r for r in outcome.requirements if r.kind == "skill"]
            tx.emit(ManualReviewRequired(
                **common, resume_version_id=candidate.resume_version_id,
                apply_url=job.apply_url, job_title=job.title, company=job.company,
                explanation=lines, breakdown=outcome.breakdown,
                matched_skills=[r.label for r in skills if r.evidence is not None],
                missing_skills=[r.label for r in skills if r.evidence is None],
                hints=explanation.hints,
                # The reviewer's dashboard shows this file's text beside the explanation.
                resume_blob_key=await tx.conn.scalar(
                    sa.select(resume_versions.c.blob_key).where(
                        resume_versions.c.resume_version_id == candidate.resume_version_id)),
            ))
        else:
            tx.emit(MatchRejected(**common))


def _already_acted(earlier: set[str], decision: Decision) -> bool:
    """A new resume version re-decides a pair only when it leads somewhere new."""
    if "apply" in earlier:
        return True
    if decision is Decision.REVIEW:
        return "review" in earlier
    if decision is Decision.REJECT:
        return bool(earlier)
    return False


# A new job is scored against the candidates it can see, a new resume against the jobs it can
# see. Run concurrently (two partitions, two replicas), each would miss the other's
# uncommitted row and the pair would never be scored; one transaction-scoped lock orders them.
#
# Why one lock and not a finer scheme (each was weighed):
# - A per-candidate lock does not close the race: a new job meets every candidate, so it would
#   have to take 100,000 locks (in one order) to rendezvous with the one resume in flight.
# - Letting jobs run beside jobs and resumes beside resumes ("group" exclusion) needs a
#   session-level advisory lock around the entry check; a handler cancelled while waiting
#   would leave it held on a pooled connection and stop all scoring. It would also let two
#   jobs approve the same candidate at once, so the daily cap check could overshoot.
# - A watermark (record which candidates a job saw, re-score the rest later) needs a step
#   after commit or a sweeper over every recent job against every recent candidate; the
#   handler model has neither, and a sweeper would only move the missed pairs later.
# The cost is throughput: scoring is one transaction at a time across replicas. A job's
# transaction is short (preselection keeps it to the nearest candidates), so this holds
# until scoring itself must run in parallel; then the scoring step moves to a queue of
# (job, candidate) pairs written in these same transactions.
_SCORING_LOCK = 7_241_002


async def _serialise_scoring(tx: Transaction) -> None:
    await tx.conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_SCORING_LOCK)))

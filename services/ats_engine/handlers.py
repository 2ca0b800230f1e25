"""What the ATS engine does on each event: keep jobs and resumes, score every new pair, score
a job's matches again when it changes."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import insert

from infra.blobs import BlobStore
from infra.resume_files import DocumentError, Extracted, kind_of
from infra.uow import Transaction
from schemas.events.candidates import CandidateErased
from schemas.events.jobs import JobExpired, JobPublished, JobReopened, JobUpdated
from schemas.events.recruiting import QuestionnaireAnswered
from schemas.events.resumes import ResumeVersionCreated
from services.ats_engine.candidate_handlers import is_erased, on_candidate_erased
from services.ats_engine.engine import Engine, ParsedResume
from services.ats_engine.filters import Preferences
from services.ats_engine.gates import Gate
from services.ats_engine.questions import keep_answers
from services.ats_engine.rescore import NotScorable
from services.ats_engine.resume_cache import ParsedResumes
from services.ats_engine.scoring_step import CandidateToScore, JobToScore, ScoringStep
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


_NO_PREFERENCES = Preferences()  # shared: built once, read only, and a job meets hundreds


class AtsHandlers:
    """Scores each (job, candidate, resume version) once, whichever arrives last."""

    def __init__(self, blobs: BlobStore, engine: Engine, weights: WeightsSource,
                 semantic: Semantic | None = None) -> None:
        self._blobs = blobs
        self._engine = engine
        self._semantic = semantic
        self._parsed = ParsedResumes()
        self._step = ScoringStep(engine, weights, semantic)

    async def on_job_published(self, event: JobPublished, tx: Transaction) -> None:
        location = event.location or ""
        requirements = self._engine.parse_job(event.title, event.description, location)
        if self._semantic is not None:
            # The costly step, before the lock: the next job embeds while this one is scored.
            await self._semantic.prepare_job(tx.conn, requirements)
        await _serialise_scoring(tx, exclusive=False)
        statement = insert(jobs).values(
            job_id=event.job_id, title=event.title, company=event.company,
            apply_url=str(event.apply_url), skills=[s.skill for s in requirements.skills],
            open=True, location=location, description=event.description)
        # Published again only after the job service purged it: open under the same id, as
        # published now (its revisions count afresh).
        await tx.conn.execute(statement.on_conflict_do_update(
            index_elements=[jobs.c.job_id],
            set_={name: statement.excluded[name] for name in (
                "title", "company", "apply_url", "skills", "open", "location", "description")}
            | {"revision": 0}))
        await self._score_all(tx, JobToScore(event.job_id, event.title, event.company,
                                             str(event.apply_url), requirements))

    async def on_job_updated(self, event: JobUpdated, tx: Transaction) -> None:
        """The job's new text, and its matches scored again against it (once per revision):
        a decision that flips is announced as a new one would be; an application already
        approved is never approved again."""
        location = event.location or ""
        requirements = self._engine.parse_job(event.title, event.description, location)
        if self._semantic is not None:
            await self._semantic.prepare_job(tx.conn, requirements)
        await _serialise_scoring(tx, exclusive=False)
        row = (await tx.conn.execute(
            jobs.update().where(jobs.c.job_id == event.job_id, jobs.c.revision < event.revision)
            .values(title=event.title, company=event.company, apply_url=str(event.apply_url),
                    skills=[s.skill for s in requirements.skills], location=location,
                    description=event.description, revision=event.revision)
            .returning(jobs.c.open))).first()
        if row is None or not row.open:
            return  # applied already, or closed: a closed job is scored when it reopens
        job = JobToScore(event.job_id, event.title, event.company, str(event.apply_url),
                         requirements, event.revision)
        matched = candidates.c.candidate_id.in_(
            sa.select(matches.c.candidate_id).where(matches.c.job_id == event.job_id))
        await self._step.score(tx, [(candidate, job)
                                     for candidate in await self._load_candidates(tx, matched)])

    async def on_questionnaire_answered(self, event: QuestionnaireAnswered,
                                        tx: Transaction) -> None:
        """A candidate's new answers to a job's questionnaire: the pair scored again with
        them, if the job is open (a closed one is scored with them when it reopens)."""
        if await is_erased(tx, event.candidate_id) or not await keep_answers(event, tx):
            return
        await _serialise_scoring(tx, exclusive=False)
        row = (await tx.conn.execute(sa.select(jobs).where(jobs.c.job_id == event.job_id,
                                                           jobs.c.open))).first()
        if row is None:
            return
        job = JobToScore(row.job_id, row.title, row.company, row.apply_url,
                         self._engine.parse_job(row.title, row.description or "",
                                                row.location or ""), row.revision)
        if self._semantic is not None:
            await self._semantic.prepare_job(tx.conn, job.requirements)
        loaded = await self._load_candidates(tx, candidates.c.candidate_id == event.candidate_id)
        await self._step.score(tx, [(candidate, job) for candidate in loaded])

    async def on_job_expired(self, event: JobExpired, tx: Transaction) -> None:
        # Closed: new resumes are not scored against it (until it reopens).
        await tx.conn.execute(jobs.update().where(jobs.c.job_id == event.job_id).values(open=False))

    async def on_job_reopened(self, event: JobReopened, tx: Transaction) -> None:
        """Open again: scored as a new job would be, against its latest text; the pairs
        already scored for that text keep their decisions."""
        row = (await tx.conn.execute(sa.select(jobs).where(jobs.c.job_id == event.job_id))).first()
        if row is None:
            return
        requirements = self._engine.parse_job(row.title, row.description or "", row.location or "")
        if self._semantic is not None:
            await self._semantic.prepare_job(tx.conn, requirements)
        await _serialise_scoring(tx, exclusive=False)
        await tx.conn.execute(jobs.update().where(jobs.c.job_id == event.job_id).values(open=True))
        await self._score_all(tx, JobToScore(row.job_id, row.title, row.company, row.apply_url,
                                             requirements, row.revision))

    async def _score_all(self, tx: Transaction, job: JobToScore) -> None:
        """An open job against every candidate it can see (the lock is held)."""
        # One query for the candidates, one batch of scores, one insert of the matches.
        which = await self._visible(tx, job)
        await self._step.score(tx, [(candidate, job)
                                     for candidate in await self._load_candidates(tx, which)])

    async def _visible(self, tx: Transaction, job: JobToScore) -> sa.ColumnElement[bool]:
        """The candidates a job can see: all, or with a model the nearest by pgvector and any
        not embedded yet."""
        if self._semantic is None:
            return sa.true()
        nearest = await self._semantic.preselect(tx.conn, job.requirements)
        return sa.or_(candidates.c.candidate_id.in_(nearest),
                      candidates.c.candidate_id.not_in(sa.select(candidate_vectors.c.candidate_id)))

    async def rescore_job(self, tx: Transaction, job_id: uuid.UUID) -> int:
        """An open job scored again with the current weights against the candidates it can
        see and those it was scored against before: the number of pairs scored. NotScorable
        when the engine does not know the job (yet) or it is closed."""
        row = (await tx.conn.execute(sa.select(jobs).where(jobs.c.job_id == job_id))).first()
        if row is None:
            raise NotScorable("the job is not known to the engine yet", retry=True)
        if not row.open:
            raise NotScorable("the job is closed", retry=False)
        requirements = self._engine.parse_job(row.title, row.description or "", row.location or "")
        if self._semantic is not None:
            await self._semantic.prepare_job(tx.conn, requirements)
        await _serialise_scoring(tx, exclusive=False)
        job = JobToScore(row.job_id, row.title, row.company, row.apply_url, requirements,
                         row.revision)
        which = sa.or_(await self._visible(tx, job), candidates.c.candidate_id.in_(
            sa.select(matches.c.candidate_id).where(matches.c.job_id == job_id)))
        return await self._step.score(
            tx, [(candidate, job) for candidate in await self._load_candidates(tx, which)],
            again=True)

    async def on_candidate_erased(self, event: CandidateErased, tx: Transaction) -> None:
        """The tables' erasure, and what this replica keeps of the resume: parsed resumes,
        and the vectors of its text's chunks."""
        versions = set(await tx.conn.scalars(
            sa.select(resume_versions.c.resume_version_id)
            .where(resume_versions.c.candidate_id == event.candidate_id)))
        text = await tx.conn.scalar(sa.select(candidates.c.resume_text)
                                    .where(candidates.c.candidate_id == event.candidate_id))
        if text and self._semantic is not None:
            profile = self._engine.parse_text(text, tx.clock.now().date()).profile
            await self._semantic.forget_resume(tx.conn, profile)
        await on_candidate_erased(event, tx)
        self._parsed.forget(versions)

    async def on_resume_version_created(self, event: ResumeVersionCreated, tx: Transaction) -> None:
        await _serialise_scoring(tx, exclusive=True)
        if await is_erased(tx, event.candidate_id):
            return  # announced just before the erasure, which took the file
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
        candidate = CandidateToScore(event.candidate_id, event.resume_version_id, resume,
                                     await self._preferences(tx, event.candidate_id))
        open_jobs = [JobToScore(row.job_id, row.title, row.company, row.apply_url,
                                self._engine.parse_job(row.title, row.description or "",
                                                       row.location or ""), row.revision)
                     for row in (await tx.conn.execute(sa.select(jobs).where(jobs.c.open))).all()]
        await self._step.score(tx, [(candidate, open_job) for open_job in open_jobs])

    async def explain_match(self, tx: Transaction, match_id: uuid.UUID) -> list[str] | None:
        """A stored match's explanation; for one the first stage decided, the full scorer's
        (evidence line by line, gaps, hints) computed now and kept on its row, its decision
        unchanged. None: no such match, or its job or resume version is gone."""
        row = (await tx.conn.execute(
            sa.select(matches).where(matches.c.match_id == match_id))).first()
        if row is None or (row.details or {}).get("stage") != "one":
            return None if row is None else list(row.explanation)
        job_row = (await tx.conn.execute(
            sa.select(jobs).where(jobs.c.job_id == row.job_id))).first()
        loaded = await self._load_candidates(tx, candidates.c.candidate_id == row.candidate_id)
        if job_row is None or not loaded:
            return None
        candidate = loaded[0]
        if candidate.resume_version_id != row.resume_version_id:
            blob_key = await tx.conn.scalar(sa.select(resume_versions.c.blob_key).where(
                resume_versions.c.resume_version_id == row.resume_version_id))
            if blob_key is None:
                return None
            resume = self._engine.parse_file(await self._blobs.get(blob_key),
                                             kind_of(blob_key), tx.clock.now().date())
            candidate = CandidateToScore(row.candidate_id, row.resume_version_id, resume,
                                         candidate.preferences)
        job = JobToScore(job_row.job_id, job_row.title, job_row.company, job_row.apply_url,
                         self._engine.parse_job(job_row.title, job_row.description or "",
                                                job_row.location or ""))
        outcome, lines, details = await self._step.explain_in_full(tx, candidate, job)
        await tx.conn.execute(matches.update().where(matches.c.match_id == match_id).values(
            explanation=lines, details={
                **details, "score": row.score, "decision": row.decision,
                "stage": "one, explained in full", "full_score": outcome.score,
                "first_stage": row.details}))
        return lines

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

    async def _load_candidates(self, tx: Transaction, which: sa.ColumnElement[bool],
                               ) -> list[CandidateToScore]:
        """The active candidates `which` selects, their preferences, and the resume text of
        those not parsed yet today: at most three round trips, whatever their number."""
        rows = (await tx.conn.execute(
            sa.select(candidates.c.candidate_id, candidates.c.resume_version_id,
                      candidates.c.gates, candidates.c.resume_kind)
            .where(candidates.c.active, which))).all()
        if not rows:
            return []
        today = tx.clock.now().date()
        unparsed = [row.candidate_id for row in rows
                    if self._parsed.get(row.resume_version_id, today) is None]
        texts: dict[uuid.UUID, str] = {}
        if unparsed:
            texts = {row.candidate_id: row.resume_text or "" for row in await tx.conn.execute(
                sa.select(candidates.c.candidate_id, candidates.c.resume_text)
                .where(candidates.c.candidate_id.in_(unparsed)))}
        raw_of = {row.candidate_id: row.preferences for row in await tx.conn.execute(
            sa.select(preferences.c.candidate_id, preferences.c.preferences)
            .where(preferences.c.candidate_id.in_([row.candidate_id for row in rows])))}
        loaded = []
        for row in rows:
            resume = self._parsed.get(row.resume_version_id, today)
            if resume is None:
                text = texts.get(row.candidate_id, "")
                resume = self._engine.parse_text(text, today)
                resume.gates = [Gate(g["code"], g["message"]) for g in (row.gates or [])]
                resume.document = Extracted(row.resume_kind or "text", text)
                self._parsed.put(row.resume_version_id, today, resume)
            raw = raw_of.get(row.candidate_id)
            loaded.append(CandidateToScore(
                row.candidate_id, row.resume_version_id, resume,
                Preferences.model_validate(raw) if raw else _NO_PREFERENCES))
        return loaded

    async def _preferences(self, tx: Transaction, candidate_id: uuid.UUID) -> Preferences:
        raw = await tx.conn.scalar(sa.select(preferences.c.preferences)
                                   .where(preferences.c.candidate_id == candidate_id))
        return Preferences.model_validate(raw) if raw else Preferences()

# A new job is scored against the candidates it can see, a new resume against the jobs it can
# see. Run concurrently (two partitions, two replicas), each would miss the other's
# uncommitted row and the pair would never be scored; a transaction-scoped lock orders them.
# Jobs take it shared and resumes exclusive: jobs never miss each other (a job meets
# candidates, not jobs), so any number are scored side by side, while a resume waits for the
# jobs in flight and holds new ones back until it commits. PostgreSQL's shared advisory locks
# give this "group" exclusion without a session-level lock, so a handler cancelled while
# waiting leaves nothing held. Two jobs may approve the same candidate at once; the scoring
# step locks each capped candidate before counting today's approvals, so a daily cap holds.
#
# Weighed and left: a per-candidate lock alone does not close the race (a new job would take
# 100,000 locks to meet the one resume in flight); a watermark with a sweeper re-scoring what
# a job missed only moves the missed pairs later.
_SCORING_LOCK = 7_241_002


async def _serialise_scoring(tx: Transaction, *, exclusive: bool) -> None:
    lock = sa.func.pg_advisory_xact_lock if exclusive else sa.func.pg_advisory_xact_lock_shared
    await tx.conn.execute(sa.select(lock(_SCORING_LOCK)))

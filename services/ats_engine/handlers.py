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
    MAX_PAIRS_PER_EVENT,
    ApplicationApproved,
    ManualReviewRequired,
    MatchesScored,
    ScoredPair,
)
from schemas.events.resumes import ResumeVersionCreated
from services.ats_engine.domain import Decision, match_id
from services.ats_engine.embeddings import MODEL_NAME
from services.ats_engine.engine import Engine, ParsedResume
from services.ats_engine.explain import explain
from services.ats_engine.filters import Preferences, blocked
from services.ats_engine.gates import Gate
from services.ats_engine.jd import JobRequirements
from services.ats_engine.resume_cache import ParsedResumes
from services.ats_engine.scoring import MatchOutcome, SemanticMatch, outcome_json
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
        self._parsed = ParsedResumes()

    async def on_job_published(self, event: JobPublished, tx: Transaction) -> None:
        location = event.location or ""
        requirements = self._engine.parse_job(event.title, event.description, location)
        if self._semantic is not None:
            # The costly step, before the lock: the next job embeds while this one is scored.
            await self._semantic.prepare_job(tx.conn, requirements)
        await _serialise_scoring(tx)
        await tx.conn.execute(
            insert(jobs)
            .values(job_id=event.job_id, title=event.title, company=event.company,
                    apply_url=str(event.apply_url), skills=[s.skill for s in requirements.skills],
                    open=True, location=location, description=event.description)
            .on_conflict_do_nothing()
        )
        job = _Job(event.job_id, event.title, event.company, str(event.apply_url), requirements)
        which: sa.ColumnElement[bool] = sa.true()
        if self._semantic is not None:
            # Preselect: nearest candidates by pgvector, plus any not embedded yet.
            nearest = await self._semantic.preselect(tx.conn, requirements)
            which = sa.or_(candidates.c.candidate_id.in_(nearest),
                           candidates.c.candidate_id.not_in(
                               sa.select(candidate_vectors.c.candidate_id)))
        # One query for the candidates, one batch of scores, one insert of the matches.
        await self._score_pairs(tx, [(candidate, job)
                                     for candidate in await self._load_candidates(tx, which)])

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
        open_jobs = [_Job(row.job_id, row.title, row.company, row.apply_url,
                          self._engine.parse_job(row.title, row.description or "",
                                                 row.location or ""))
                     for row in (await tx.conn.execute(sa.select(jobs).where(jobs.c.open))).all()]
        await self._score_pairs(tx, [(candidate, open_job) for open_job in open_jobs])

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
                               ) -> list[_Candidate]:
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
            loaded.append(_Candidate(row.candidate_id, row.resume_version_id, resume,
                                     Preferences.model_validate(raw) if raw else Preferences()))
        return loaded

    async def _preferences(self, tx: Transaction, candidate_id: uuid.UUID) -> Preferences:
        raw = await tx.conn.scalar(sa.select(preferences.c.preferences)
                                   .where(preferences.c.candidate_id == candidate_id))
        return Preferences.model_validate(raw) if raw else Preferences()

    async def _score_pairs(self, tx: Transaction, pairs: list[tuple[_Candidate, _Job]]) -> None:
        """Score each (candidate, job) pair not scored before for its resume version: a fixed
        number of round trips whatever the number of pairs, the same decisions and events as
        scoring them one by one in this order."""
        if not pairs:
            return
        candidate_ids = sorted({c.candidate_id for c, _ in pairs})
        job_ids = sorted({j.job_id for _, j in pairs})
        earlier: dict[tuple[uuid.UUID, uuid.UUID], set[str]] = {}
        scored: set[tuple[uuid.UUID, uuid.UUID, uuid.UUID]] = set()
        for row in await tx.conn.execute(
                sa.select(matches.c.candidate_id, matches.c.job_id, matches.c.resume_version_id,
                          matches.c.decision)
                .where(matches.c.candidate_id.in_(candidate_ids), matches.c.job_id.in_(job_ids))):
            earlier.setdefault((row.candidate_id, row.job_id), set()).add(row.decision)
            scored.add((row.candidate_id, row.job_id, row.resume_version_id))
        # A pair already scored for this resume version gets no second decision.
        pairs = [(c, j) for c, j in pairs
                 if (c.candidate_id, j.job_id, c.resume_version_id) not in scored]
        if not pairs:
            return
        weights = self._weights.current()
        versions = self._engine.versions(weights)
        if self._semantic is not None:
            versions["embedding_model"] = MODEL_NAME
        reasons = [blocked(c.preferences, j.requirements, j.company) for c, j in pairs]
        unfiltered = [pair for pair, reason in zip(pairs, reasons, strict=True) if reason is None]
        fits: list[SemanticMatch | None] = [None] * len(unfiltered)
        if self._semantic is not None and unfiltered:
            fits = list(await self._semantic.fit_many(
                tx.conn, [(j.requirements, c.resume.profile) for c, j in unfiltered]))
        applied = await self._applied_today(
            tx, [c.candidate_id for c, _ in unfiltered if c.preferences.daily_cap is not None])
        others = await self._other_versions(tx, [c for c, _ in unfiltered])
        now = tx.clock.now()
        scored_pairs: list[_Scored] = []
        fit_of = iter(fits)
        for (candidate, job), reason in zip(pairs, reasons, strict=True):
            outcome: MatchOutcome | None = None
            hints: list[str] = []
            if reason is not None:
                score, decision = 0.0, Decision.REJECT
                lines = [f"filtered before scoring: {reason}"]
                details: dict[str, object] = {"filtered": reason, "versions": versions}
            else:
                outcome = self._engine.score(candidate.resume, job.requirements, weights,
                                             next(fit_of), candidate.preferences)
                cap = candidate.preferences.daily_cap
                if outcome.decision is Decision.APPLY and cap is not None \
                        and applied.get(candidate.candidate_id, 0) >= cap:
                    outcome.decision = Decision.REVIEW
                    outcome.notes.append(f"daily application cap of {cap} reached: sent to review")
                explanation = explain(outcome, {
                    str(version): skills
                    for version, skills in others.get(candidate.candidate_id, {}).items()
                    if version != candidate.resume_version_id})
                score, decision, hints = outcome.score, outcome.decision, explanation.hints
                lines = explanation.lines + [f"hint: {h}" for h in explanation.hints]
                details = {**outcome_json(outcome), "strengths": explanation.strengths,
                           "gaps": explanation.gaps, "hints": explanation.hints,
                           "versions": versions}
            if decision is Decision.APPLY:
                # Counted as the pair before it would be once inserted: the cap sees it.
                applied[candidate.candidate_id] = applied.get(candidate.candidate_id, 0) + 1
            scored_pairs.append(_Scored(
                candidate, job, match_id(candidate.candidate_id, job.job_id,
                                         candidate.resume_version_id),
                score, decision, lines, details, outcome, hints))
        inserted: set[uuid.UUID] = set()
        for start in range(0, len(scored_pairs), _INSERT_ROWS):
            batch = scored_pairs[start:start + _INSERT_ROWS]
            result = await tx.conn.execute(
                insert(matches)
                .values([{"match_id": p.match_id, "candidate_id": p.candidate.candidate_id,
                          "job_id": p.job.job_id,
                          "resume_version_id": p.candidate.resume_version_id,
                          "score": p.score, "decision": p.decision.value,
                          "explanation": p.lines, "scored_at": now, "details": p.details}
                         for p in batch])
                .on_conflict_do_nothing()
                .returning(matches.c.match_id))
            inserted.update(result.scalars())
        emitting = [p for p in scored_pairs if p.match_id in inserted]
        reviewed = sorted({p.candidate.resume_version_id for p in emitting
                           if p.decision is Decision.REVIEW and not _already_acted(
                               earlier.get((p.candidate.candidate_id, p.job.job_id), set()),
                               p.decision)})
        blob_keys: dict[uuid.UUID, str] = {}
        if reviewed:
            blob_keys = {row.resume_version_id: row.blob_key for row in await tx.conn.execute(
                sa.select(resume_versions.c.resume_version_id, resume_versions.c.blob_key)
                .where(resume_versions.c.resume_version_id.in_(reviewed)))}
        acted = [not _already_acted(earlier.get((p.candidate.candidate_id, p.job.job_id), set()),
                                    p.decision) for p in emitting]
        # Every decision is recorded in MatchesScored; only those that start work (an
        # application or a review) are announced on their own.
        for start in range(0, len(emitting), MAX_PAIRS_PER_EVENT):
            part = emitting[start:start + MAX_PAIRS_PER_EVENT]
            tx.emit(MatchesScored(
                batch_id=uuid.uuid5(_BATCH_NAMESPACE, ",".join(str(p.match_id) for p in part)),
                pairs=[ScoredPair(match_id=p.match_id, candidate_id=p.candidate.candidate_id,
                                  job_id=p.job.job_id,
                                  resume_version_id=p.candidate.resume_version_id,
                                  score=p.score, decision=p.decision.value, acted=did,
                                  explanation=p.lines)
                       for p, did in zip(part, acted[start:start + MAX_PAIRS_PER_EVENT],
                                         strict=True)]))
        for p, did in zip(emitting, acted, strict=True):
            if did:
                self._announce(tx, p, blob_keys)

    @staticmethod
    def _announce(tx: Transaction, p: _Scored, blob_keys: dict[uuid.UUID, str]) -> None:
        """An approval for the bot, or a review task for the workflow."""
        candidate, job = p.candidate, p.job
        common = {"match_id": p.match_id, "candidate_id": candidate.candidate_id,
                  "job_id": job.job_id, "score": p.score}
        if p.decision is Decision.APPLY:
            tx.emit(ApplicationApproved(**common, resume_version_id=candidate.resume_version_id,
                                        apply_url=job.apply_url))
        elif p.decision is Decision.REVIEW:
            # Only a scored (unfiltered) pair is sent to review, so it has an outcome.
            assert p.outcome is not None
            skills = [r for r in p.outcome.requirements if r.kind == "skill"]
            tx.emit(ManualReviewRequired(
                **common, resume_version_id=candidate.resume_version_id,
                apply_url=job.apply_url, job_title=job.title, company=job.company,
                explanation=p.lines, breakdown=p.outcome.breakdown,
                matched_skills=[r.label for r in skills if r.evidence is not None],
                missing_skills=[r.label for r in skills if r.evidence is None],
                hints=p.hints,
                # The reviewer's dashboard shows this file's text beside the explanation.
                resume_blob_key=blob_keys.get(candidate.resume_version_id),
            ))

    async def _other_versions(self, tx: Transaction, of: list[_Candidate],
                              ) -> dict[uuid.UUID, dict[uuid.UUID, frozenset[str]]]:
        """Each candidate's versions' skills, for hints that point at what another version
        already shows (the caller leaves out the version being scored)."""
        ids = sorted({c.candidate_id for c in of})
        found: dict[uuid.UUID, dict[uuid.UUID, frozenset[str]]] = {}
        if not ids:
            return found
        rows = await tx.conn.execute(
            sa.select(resume_versions.c.candidate_id, resume_versions.c.resume_version_id,
                      resume_versions.c.skills).where(
                resume_versions.c.candidate_id.in_(ids), resume_versions.c.skills.is_not(None)))
        for row in rows:
            found.setdefault(row.candidate_id, {})[row.resume_version_id] = frozenset(row.skills)
        return found

    async def _applied_today(self, tx: Transaction,
                             candidate_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
        """How many applications each candidate was approved for today."""
        ids = sorted(set(candidate_ids))
        if not ids:
            return {}
        midnight = datetime.combine(tx.clock.now().date(), time.min, tzinfo=tx.clock.now().tzinfo)
        rows = await tx.conn.execute(
            sa.select(matches.c.candidate_id, sa.func.count()).where(
                matches.c.candidate_id.in_(ids), matches.c.decision == "apply",
                matches.c.scored_at >= midnight,
                matches.c.scored_at < midnight + timedelta(days=1))
            .group_by(matches.c.candidate_id))
        return {row[0]: int(row[1]) for row in rows}


# Names each MatchesScored part after the pairs it carries, so a retried step names it alike.
_BATCH_NAMESPACE = uuid.UUID("0f1d6c52-41a8-4c1e-9a57-3b8e2d7c9a10")

# Rows per match insert: 9 parameters a row, well under PostgreSQL's 65,535 per statement.
_INSERT_ROWS = 1000


@dataclass(frozen=True)
class _Scored:
    candidate: _Candidate
    job: _Job
    match_id: uuid.UUID
    score: float
    decision: Decision
    lines: list[str]
    details: dict[str, object]
    outcome: MatchOutcome | None
    hints: list[str]


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
# transaction is short (preselection keeps it to the nearest candidates, and its pairs are
# scored as one batch: a fixed number of round trips and one match insert), so this holds
# until scoring itself must run in parallel; then the scoring step moves to a queue of
# (job, candidate) pairs written in these same transactions.
_SCORING_LOCK = 7_241_002


async def _serialise_scoring(tx: Transaction) -> None:
    await tx.conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_SCORING_LOCK)))

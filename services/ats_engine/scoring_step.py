"""One scoring step: a batch of (candidate, job) pairs scored, stored and announced at once.

A fixed number of round trips whatever the number of pairs, and the same decisions and
events as scoring them one by one in order: every pair's decision in MatchesScored, and an
ApplicationApproved or ManualReviewRequired for those that start work.

Each job's pairs go through stage one first (all at once, as arrays); the full scorer, with
evidence, explanation and hints, runs only for the pairs stage one does not reject outright.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TypedDict

import numpy as np
import sqlalchemy as sa

from infra.uow import Transaction
from schemas.events.matching import (
    MAX_PAIRS_PER_EVENT,
    ApplicationApproved,
    ManualReviewRequired,
    MatchesScored,
    ScoredPair,
)
from schemas.events.recruiting import QuestionResult
from services.ats_engine.domain import Decision, match_id
from services.ats_engine.embeddings import Matrix
from services.ats_engine.engine import Engine, ParsedResume, candidate_place
from services.ats_engine.explain import explain
from services.ats_engine.filters import Preferences, blocked
from services.ats_engine.jd import JobRequirements
from services.ats_engine.match_rows import MatchRow, write_matches
from services.ats_engine.questions import answers_of
from services.ats_engine.scoring import MatchOutcome, SemanticMatch, outcome_json
from services.ats_engine.semantic import Semantic, match_of
from services.ats_engine.stage_one import semantic_fits
from services.ats_engine.stage_one_cache import Screened, StageOne
from services.ats_engine.tables import matches, resume_versions
from services.ats_engine.weights import Weights, WeightsSource


@dataclass(frozen=True)
class JobToScore:
    """A job as the step needs it: parsed requirements, and what its events name."""

    job_id: uuid.UUID
    title: str
    company: str
    apply_url: str
    requirements: JobRequirements
    revision: int = 0  # the job's material changes so far: each is scored as a new pair


@dataclass(frozen=True)
class CandidateToScore:
    """A candidate's current resume version, parsed, and their preferences."""

    candidate_id: uuid.UUID
    resume_version_id: uuid.UUID
    resume: ParsedResume
    preferences: Preferences


class ScoringStep:
    """Scores pairs with the current weights (and semantic fit, when there is a model)."""

    def __init__(self, engine: Engine, weights: WeightsSource,
                 semantic: Semantic | None = None) -> None:
        self._engine = engine
        self._weights = weights
        self._semantic = semantic
        self._stage_one = StageOne(engine.taxonomy)

    async def score(self, tx: Transaction, pairs: list[tuple[CandidateToScore, JobToScore]],
                    *, again: bool = False) -> int:
        """Score each (candidate, job) pair not scored before for its resume version and the
        job's revision (an earlier decision of the pair still decides what is announced): a fixed
        number of round trips whatever the number of pairs, the same decisions and events as
        scoring them one by one in this order. `again`: every pair is scored with the current
        weights, its score of this weights version replaced and those of other versions kept.
        The number of pairs scored."""
        if not pairs:
            return 0
        candidate_ids = sorted({c.candidate_id for c, _ in pairs})
        job_ids = sorted({j.job_id for _, j in pairs})
        earlier: dict[tuple[uuid.UUID, uuid.UUID], set[str]] = {}
        scored: dict[tuple[uuid.UUID, uuid.UUID, uuid.UUID, int, int], dict[str, uuid.UUID]] = {}
        for row in await tx.conn.execute(
                sa.select(matches.c.candidate_id, matches.c.job_id, matches.c.resume_version_id,
                          matches.c.job_revision, matches.c.answers_revision, matches.c.decision,
                          matches.c.match_id, matches.c.weights_version)
                .where(matches.c.candidate_id.in_(candidate_ids), matches.c.job_id.in_(job_ids))):
            earlier.setdefault((row.candidate_id, row.job_id), set()).add(row.decision)
            scored.setdefault((row.candidate_id, row.job_id, row.resume_version_id,
                               row.job_revision, row.answers_revision),
                              {})[row.weights_version] = row.match_id
        answers = await answers_of(tx, ((c.candidate_id, j.job_id) for c, j in pairs))

        def answered(c: CandidateToScore, j: JobToScore) -> int:
            found = answers.get((c.candidate_id, j.job_id))
            return found.revision if found else 0

        # A pair already scored for this resume version, job revision and set of answers gets
        # no second decision.
        if not again:
            pairs = [(c, j) for c, j in pairs
                     if (c.candidate_id, j.job_id, c.resume_version_id, j.revision,
                         answered(c, j)) not in scored]
        if not pairs:
            return 0
        weights = self._weights.current()
        versions = self._engine.versions(weights)
        if self._semantic is not None:
            versions["embedding_model"] = self._semantic.model
        reasons = [blocked(c.preferences, j.requirements, j.company) for c, j in pairs]
        unfiltered = [pair for pair, reason in zip(pairs, reasons, strict=True) if reason is None]
        screened = iter(await self._screen(tx, unfiltered, weights))
        applied = await self._applied_today(
            tx, [c.candidate_id for c, _ in unfiltered if c.preferences.daily_cap is not None])
        others = await self._other_versions(tx, [c for c, _ in unfiltered])
        now = tx.clock.now()
        scored_pairs: list[_Scored] = []
        for (candidate, job), reason in zip(pairs, reasons, strict=True):
            outcome: MatchOutcome | None = None
            hints: list[str] = []
            first = next(screened) if reason is None else None
            pair_answers = answers.get((candidate.candidate_id, job.job_id))
            if reason is not None:
                score, decision = 0.0, Decision.REJECT
                lines = [f"filtered before scoring: {reason}"]
                details: dict[str, object] = {"filtered": reason, "versions": versions}
            elif first is not None and first.final and pair_answers is None:
                # Stage one knows nothing of answers, which may lift the score: it decides
                # only unanswered pairs.
                score, decision = first.score, Decision.REJECT
                lines, details = first.record(weights)
                details["versions"] = versions
            else:
                outcome = self._engine.score(candidate.resume, job.requirements, weights,
                                             first.semantic if first else None,
                                             candidate.preferences, pair_answers)
                cap = candidate.preferences.daily_cap
                if outcome.decision is Decision.APPLY and cap is not None \
                        and applied.get(candidate.candidate_id, 0) >= cap:
                    outcome.decision = Decision.REVIEW
                    outcome.notes.append(f"daily application cap of {cap} reached: sent to review")
                score, decision = outcome.score, outcome.decision
                lines, details, hints = _explained(outcome, candidate, others, versions)
            if decision is Decision.APPLY:
                # Counted as the pair before it would be once inserted: the cap sees it.
                applied[candidate.candidate_id] = applied.get(candidate.candidate_id, 0) + 1
            revision = pair_answers.revision if pair_answers else 0
            scored_pairs.append(_Scored(
                candidate, job, _pair_id(candidate, job, revision, weights.version, scored.get((
                    candidate.candidate_id, job.job_id, candidate.resume_version_id,
                    job.revision, revision), {})),
                score, decision, lines, details, outcome, hints, revision))
        inserted = await write_matches(tx.conn, [MatchRow(
            p.match_id, p.candidate.candidate_id, p.job.job_id, p.candidate.resume_version_id,
            p.job.revision, p.answers_revision, p.score, p.decision.value, p.lines, p.details)
            for p in scored_pairs], scored_at=now, weights_version=weights.version, replace=again)
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
                                  filtered="filtered" in p.details, explanation=p.lines,
                                  weights_version=weights.version, **p.skills_found(),
                                  **p.questions_found())
                       for p, did in zip(part, acted[start:start + MAX_PAIRS_PER_EVENT],
                                         strict=True)]))
        for p, did in zip(emitting, acted, strict=True):
            if did:
                self._announce(tx, p, blob_keys)
        return len(emitting)

    async def explain_in_full(self, tx: Transaction, candidate: CandidateToScore,
                              job: JobToScore) -> tuple[MatchOutcome, list[str], dict[str, object]]:
        """The full scorer's outcome, explanation lines and details of one pair, computed now:
        for a pair stage one decided, when someone asks why."""
        weights = self._weights.current()
        versions = self._engine.versions(weights)
        semantic = None
        if self._semantic is not None:
            versions["embedding_model"] = self._semantic.model
            [semantic] = await self._semantic.fit_many(
                tx.conn, [(job.requirements, candidate.resume.profile)])
        outcome = self._engine.score(candidate.resume, job.requirements, weights, semantic,
                                     candidate.preferences)
        others = await self._other_versions(tx, [candidate])
        lines, details, _ = _explained(outcome, candidate, others, versions)
        return outcome, lines, details

    async def _screen(self, tx: Transaction, pairs: list[tuple[CandidateToScore, JobToScore]],
                      weights: Weights) -> list[Screened]:
        """Stage one over each job's pairs at once, and the semantic fit of those it leaves to
        the full scorer."""
        by_job: dict[uuid.UUID, list[int]] = {}
        for index, (_, to_score) in enumerate(pairs):
            by_job.setdefault(to_score.job_id, []).append(index)
        out: dict[int, Screened] = {}
        for indexes in by_job.values():
            job = pairs[indexes[0]][1].requirements
            members = [pairs[i][0] for i in indexes]
            fits = job_matrix = None
            resume_matrices: list[Matrix] = []
            if self._semantic is not None:
                job_matrix, resume_matrices = await self._semantic.chunk_matrices(
                    tx.conn, job, [c.resume.profile for c in members])
                fits = semantic_fits(np.asarray(job_matrix),
                                     [np.asarray(m) for m in resume_matrices])
            result = self._stage_one.screen(job, [
                ((c.resume_version_id, c.resume.profile.today), c.resume.profile,
                 candidate_place(c.resume.profile, c.preferences)) for c in members],
                weights, fits)
            for row, (index, candidate) in enumerate(zip(indexes, members, strict=True)):
                semantic = None
                if job_matrix is not None and not result.final[row]:
                    semantic = match_of(job, candidate.resume.profile, job_matrix,
                                        resume_matrices[row]) \
                        if len(job_matrix) and len(resume_matrices[row]) \
                        else SemanticMatch(0.0, {})
                out[index] = Screened(result, row, semantic)
        return [out[index] for index in range(len(pairs))]

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
            tx.emit(ManualReviewRequired(
                **common, resume_version_id=candidate.resume_version_id,
                apply_url=job.apply_url, job_title=job.title, company=job.company,
                explanation=p.lines, **p.skills_found(), hints=p.hints,
                # The reviewer's dashboard shows this file's text beside the explanation.
                resume_blob_key=blob_keys.get(candidate.resume_version_id),
            ))

    async def _other_versions(self, tx: Transaction, of: list[CandidateToScore],
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
        """How many applications each candidate was approved for today. Each candidate is
        locked first (in one order, so two steps cannot deadlock) until this transaction ends:
        jobs scored side by side then count each other's approvals and a cap holds."""
        ids = sorted(set(candidate_ids))
        if not ids:
            return {}
        for candidate_id in ids:
            await tx.conn.execute(sa.select(sa.func.pg_advisory_xact_lock(
                _CAP_LOCKS, sa.func.hashtext(str(candidate_id)))))
        midnight = datetime.combine(tx.clock.now().date(), time.min, tzinfo=tx.clock.now().tzinfo)
        rows = await tx.conn.execute(
            sa.select(matches.c.candidate_id, sa.func.count()).where(
                matches.c.candidate_id.in_(ids), matches.c.decision == "apply",
                matches.c.scored_at >= midnight,
                matches.c.scored_at < midnight + timedelta(days=1))
            .group_by(matches.c.candidate_id))
        return {row[0]: int(row[1]) for row in rows}


# Lock space of the per-candidate daily-cap locks (the second key is the candidate's hash).
_CAP_LOCKS = 7_241_003

# Names each MatchesScored part after the pairs it carries, so a retried step names it alike.
_BATCH_NAMESPACE = uuid.UUID("0f1d6c52-41a8-4c1e-9a57-3b8e2d7c9a10")

@dataclass(frozen=True)
class _Scored:
    candidate: CandidateToScore
    job: JobToScore
    match_id: uuid.UUID
    score: float
    decision: Decision
    lines: list[str]
    details: dict[str, object]
    outcome: MatchOutcome | None
    hints: list[str]
    answers_revision: int = 0

    def skills_found(self) -> SkillsFound:
        """The breakdown and the job's skills the resume shows and lacks; empty for a pair
        decided without the full scorer."""
        if self.outcome is None:
            return {"breakdown": {}, "matched_skills": [], "missing_skills": []}
        skills = [r for r in self.outcome.requirements if r.kind == "skill"]
        return {"breakdown": self.outcome.breakdown,
                "matched_skills": [r.label for r in skills if r.evidence is not None],
                "missing_skills": [r.label for r in skills if r.evidence is None]}

    def questions_found(self) -> QuestionsFound:
        """Each answer to the job's questionnaire and their score, for the scored event."""
        if self.outcome is None or not self.outcome.questions:
            return {"question_score": None, "questions": []}
        return {"question_score": self.outcome.question_score,
                "questions": [QuestionResult.model_validate(q) for q in self.outcome.questions]}


class SkillsFound(TypedDict):
    breakdown: dict[str, float]
    matched_skills: list[str]
    missing_skills: list[str]


class QuestionsFound(TypedDict):
    question_score: float | None
    questions: list[QuestionResult]


def _explained(outcome: MatchOutcome, candidate: CandidateToScore,
               others: dict[uuid.UUID, dict[uuid.UUID, frozenset[str]]],
               versions: dict[str, str]) -> tuple[list[str], dict[str, object], list[str]]:
    """A scored pair's explanation lines, stored details and tailoring hints."""
    explanation = explain(outcome, {
        str(version): skills
        for version, skills in others.get(candidate.candidate_id, {}).items()
        if version != candidate.resume_version_id})
    lines = explanation.lines + [f"hint: {h}" for h in explanation.hints]
    details = {**outcome_json(outcome), "strengths": explanation.strengths,
               "gaps": explanation.gaps, "hints": explanation.hints, "versions": versions}
    return lines, details, explanation.hints


def _pair_id(candidate: CandidateToScore, job: JobToScore, answers_revision: int,
             weights_version: str, versions: dict[str, uuid.UUID]) -> uuid.UUID:
    """The pair's row under this weights version: its own if scored before with it; the pair's
    id as it always was if never scored; else one named after the weights version as well."""
    if weights_version in versions:
        return versions[weights_version]
    first = match_id(candidate.candidate_id, job.job_id, candidate.resume_version_id,
                     job.revision, answers_revision)
    if first not in versions.values():
        return first
    return uuid.uuid5(first, weights_version)


def _already_acted(earlier: set[str], decision: Decision) -> bool:
    """A new resume version re-decides a pair only when it leads somewhere new."""
    if "apply" in earlier:
        return True
    if decision is Decision.REVIEW:
        return "review" in earlier
    if decision is Decision.REJECT:
        return bool(earlier)
    return False



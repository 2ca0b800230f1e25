"""Stage one of scoring: every (job, candidate) pair of a job scored at once, as arrays.

The same parts, combination and calibration as `scoring.score_pair`, computed from features
kept per resume version (a candidate x skill credit matrix, years, degree, title words, place)
and the job's requirements. What stage one cannot see without reading the resume against the
post line by line (hard requirements, which may raise a licence's credit or cap the score) it
takes at its most favourable, so its score is never below the full scorer's: a pair it places
under the review floor by more than the margin is a reject the full scorer would also give.
Everything else goes to the full scorer (stage two)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from services.ats_engine.domain import Decision
from services.ats_engine.jd import JobRequirements
from services.ats_engine.location import CandidatePlace, location_fit
from services.ats_engine.resume import ResumeProfile
from services.ats_engine.scoring import candidate_seniority, combine, title_tokens
from services.ats_engine.skills import Taxonomy
from services.ats_engine.weights import Weights

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

# A candidate's standing on one skill; credit per state comes from the weights.
NONE, ALTERNATIVE, NAMED, SHOWN = 0, 1, 2, 3  # SHOWN: in a dated role, or a licence held
_EVIDENCE_MARKS = "-\u2022* "  # stripped from a requirement line to find its chunk


class Vocabulary:
    """Names to column numbers, growing as new names come."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def id(self, name: str) -> int:
        found = self._ids.get(name)
        if found is None:
            found = self._ids[name] = len(self._ids)
        return found


@dataclass(frozen=True)
class CandidateFeatures:
    """What stage one needs of one resume version and the candidate's place."""

    skill_ids: Ints  # skills named or with an alternative shown, by column
    skill_states: Ints  # NAMED, SHOWN or ALTERNATIVE per skill_ids entry
    skill_years: Floats  # years in dated roles per skill_ids entry (0 for an alternative)
    title_ids: Ints  # the words of the headline and the latest three roles' titles
    total_years: float
    education: int
    seniority: int
    place: CandidatePlace


class FeatureSpace:
    """Column numbers of skills and title words, shared by every candidate and job."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.skills = Vocabulary()
        self.words = Vocabulary()

    def features(self, profile: ResumeProfile, place: CandidatePlace) -> CandidateFeatures:
        """A resume version's features (cached by the caller: a resume meets many jobs)."""
        states: dict[str, tuple[int, float]] = {}
        for skill, hits in profile.skills.items():
            if not hits:
                continue
            years = profile.skill_years.get(skill, 0.0)
            known = self.taxonomy.skills.get(skill)
            # A certificate is held, not practised in a role: listing it is the evidence.
            held = known is not None and known.category == "certification" \
                and skill not in profile.listed_only_skills
            states[skill] = (SHOWN if years > 0 or held else NAMED, years)
        for skill in [s for s, (state, years) in states.items() if years > 0]:
            for other in self.taxonomy.alternatives.get(skill, ()):
                states.setdefault(other, (ALTERNATIVE, 0.0))
        titles = [profile.headline, *(role.title or role.line for role in profile.roles[:3])]
        words = sorted({word for title in titles for word in title_tokens(title)})
        return CandidateFeatures(
            np.array([self.skills.id(s) for s in states], dtype=np.int64),
            np.array([state for state, _ in states.values()], dtype=np.int64),
            np.array([years for _, years in states.values()], dtype=np.float64),
            np.array([self.words.id(w) for w in words], dtype=np.int64),
            profile.total_years, profile.education_level, candidate_seniority(profile), place)


@dataclass(frozen=True)
class CandidateBlock:
    """Many candidates' features stacked: flat (row, column, value) arrays."""

    size: int
    skill_rows: Ints
    skill_ids: Ints
    skill_states: Ints
    skill_years: Floats
    title_rows: Ints
    title_ids: Ints
    total_years: Floats
    education: Ints
    seniority: Ints
    places: tuple[CandidatePlace, ...]  # the distinct places
    place_index: Ints  # each candidate's place in `places`


def stack(features: Sequence[CandidateFeatures]) -> CandidateBlock:
    """The block of `features`, in order (kept by the caller while the pool is the same)."""
    places: dict[CandidatePlace, int] = {}
    place_index = np.array([places.setdefault(f.place, len(places)) for f in features],
                           dtype=np.int64)

    def rows(lengths: list[int]) -> Ints:
        return np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)

    def joined(arrays: list[Any], dtype: type) -> Any:
        return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype=dtype)

    return CandidateBlock(
        len(features),
        rows([len(f.skill_ids) for f in features]),
        joined([f.skill_ids for f in features], np.int64),
        joined([f.skill_states for f in features], np.int64),
        joined([f.skill_years for f in features], np.float64),
        rows([len(f.title_ids) for f in features]),
        joined([f.title_ids for f in features], np.int64),
        np.array([f.total_years for f in features], dtype=np.float64),
        np.array([f.education for f in features], dtype=np.int64),
        np.array([f.seniority for f in features], dtype=np.int64),
        tuple(places), place_index)


@dataclass(frozen=True)
class JobPlan:
    """A job's requirements as columns and per-requirement arrays (built once per job)."""

    job: JobRequirements
    columns: Ints  # each distinct requirement skill's column
    requirement_column: Ints  # each requirement's place in `columns`
    must: Bools
    specificity: Floats
    min_years: Floats  # 0: none asked
    licence_held_possible: Bools  # a licence whose hard requirement may be met
    chunk: Ints  # each requirement line's job chunk (-1: none), for semantic evidence
    title_ids: Ints
    title_words: int


def plan(job: JobRequirements, space: FeatureSpace) -> JobPlan:
    taxonomy = space.taxonomy
    distinct: dict[int, int] = {}
    requirement_column = [distinct.setdefault(space.skills.id(r.skill), len(distinct))
                          for r in job.skills]
    any_must = any(r.must for r in job.skills)
    hard_lines = {h.line for h in job.hard}
    chunk_of = {text: index for index, text in enumerate(job.chunks)}  # the last one wins
    wanted = sorted(title_tokens(job.title))

    def category(skill: str) -> str:
        return taxonomy.skills[skill].category if skill in taxonomy.skills else ""

    return JobPlan(
        job,
        np.array(list(distinct), dtype=np.int64),
        np.array(requirement_column, dtype=np.int64),
        np.array([r.must or not any_must for r in job.skills], dtype=np.bool_),
        np.array([taxonomy.skills[r.skill].specificity if r.skill in taxonomy.skills else 1.5
                  for r in job.skills], dtype=np.float64),
        np.array([r.min_years or 0.0 for r in job.skills], dtype=np.float64),
        np.array([category(r.skill) == "certification" and r.line in hard_lines
                  for r in job.skills], dtype=np.bool_),
        np.array([chunk_of.get(r.line.strip().lstrip(_EVIDENCE_MARKS), -1)
                  for r in job.skills], dtype=np.int64),
        np.array([space.words.id(w) for w in wanted], dtype=np.int64),
        len(wanted))


@dataclass(frozen=True)
class SemanticFits:
    """Each candidate's fit (mean best cosine, 0-1) and best cosine per job chunk."""

    fit: Floats  # (candidates,)
    closest: Floats  # (candidates, job chunks); -inf where the resume has no chunks


def semantic_fits(job_matrix: npt.NDArray[Any],
                  resume_matrices: Sequence[npt.NDArray[Any]]) -> SemanticFits:
    """One product of the job's chunks against every resume's chunks stacked, and the best per
    resume and job chunk: `embeddings.semantic_fit` for all candidates at once."""
    chunks = len(job_matrix)
    lengths = np.array([len(m) for m in resume_matrices], dtype=np.int64)
    closest = np.full((len(resume_matrices), chunks), -np.inf, dtype=np.float32)
    fit = np.zeros(len(resume_matrices), dtype=np.float64)
    present = np.flatnonzero(lengths)
    if chunks and len(present):
        stacked = np.concatenate([resume_matrices[int(i)] for i in present]).astype(np.float32)
        products = np.asarray(job_matrix, dtype=np.float32) @ stacked.T
        starts = np.concatenate(([0], np.cumsum(lengths[present])[:-1]))
        best = np.maximum.reduceat(products, starts, axis=1)  # (chunks, present)
        closest[present] = best.T
        fit[present] = np.clip(best.mean(axis=0, dtype=np.float32), 0.0, 1.0).astype(np.float64)
    # Rounded as `semantic.match_of` rounds a line's evidence before its threshold is read.
    return SemanticFits(fit, np.asarray(np.round(closest.astype(np.float64), 3), dtype=np.float64))


@dataclass(frozen=True)
class StageOneResult:
    """Every pair's score, provisional decision and parts; `final` where stage one decides."""

    score: Floats
    decision: list[Decision]
    final: Bools  # a clear reject: stage two need not run
    parts: dict[str, Floats]
    raw: Floats
    capped: Bools  # a rule capped the score under the review floor

    def breakdown(self, row: int) -> dict[str, float]:
        return dict(self._rows[row])

    def raw_of(self, row: int) -> float:
        return self._raw_rounded[row]

    @cached_property
    def _rows(self) -> list[dict[str, float]]:
        """Every row's breakdown, read out of the arrays once: a job's rejects each record
        theirs, and item access on an array costs more than the rest of a row."""
        names = list(self.parts)
        columns = [[round(value, 3) for value in self.parts[name].tolist()] for name in names]
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]

    @cached_property
    def _raw_rounded(self) -> list[float]:
        return [round(value, 3) for value in self.raw.tolist()]


def score_block(job_plan: JobPlan, block: CandidateBlock, weights: Weights,
                fits: SemanticFits | None = None) -> StageOneResult:
    """Every candidate of `block` against the job: the full scorer's score where it can see
    everything, and never below it where it cannot."""
    job, n = job_plan.job, block.size
    credit = _skill_credits(job_plan, block, weights, fits)
    parts = _skill_parts(job_plan, credit, weights, fits)
    parts["experience"] = _experience(job, block, weights)
    parts["education"] = _education(job, block)
    parts["title"] = _title(job_plan, block)
    values = np.array([location_fit(job, place, weights.location).value
                       for place in block.places], dtype=np.float64)
    parts["location"] = values[block.place_index] if n else np.zeros(0)
    if fits is not None:
        parts["semantic"] = _semantic_value(fits.fit, weights)
    raw = _combine(parts, weights)
    knots = weights.calibration if fits is not None or weights.calibration_rules_only is None \
        else weights.calibration_rules_only
    xs = [0.0, *(x for x, _ in knots), 100.0]
    ys = [0.0, *(y for _, y in knots), 100.0]
    cap = _caps(job_plan, credit, block, weights)
    score = np.asarray(np.round(np.minimum(np.interp(raw, xs, ys), cap), 2), dtype=np.float64)
    floor, apply = weights.thresholds.review_floor, weights.thresholds.auto_apply
    decision = [Decision.APPLY if s >= apply else Decision.REVIEW if s >= floor
                else Decision.REJECT for s in score.tolist()]
    capped = cap < floor
    final = capped | (score < floor - weights.stage_one_margin)
    return StageOneResult(score, decision, final, parts, raw, capped)


def _skill_credits(job_plan: JobPlan, block: CandidateBlock, weights: Weights,
                   fits: SemanticFits | None) -> Floats:
    """(candidates, requirements) credit, as `scoring._skill` and `skill_parts` give it; a
    licence whose hard requirement may be met counts as held."""
    n, k = block.size, len(job_plan.requirement_column)
    size = max(int(job_plan.columns.max(initial=-1)), int(block.skill_ids.max(initial=-1))) + 1
    column_of = np.full(size, -1, dtype=np.int64)
    column_of[job_plan.columns] = np.arange(len(job_plan.columns))
    states = np.zeros((n, len(job_plan.columns)), dtype=np.int64)
    years = np.zeros((n, len(job_plan.columns)), dtype=np.float64)
    where = column_of[block.skill_ids]
    keep = where >= 0
    states[block.skill_rows[keep], where[keep]] = block.skill_states[keep]
    years[block.skill_rows[keep], where[keep]] = block.skill_years[keep]
    states = states[:, job_plan.requirement_column] if k else np.zeros((n, 0), dtype=np.int64)
    years = years[:, job_plan.requirement_column] if k else np.zeros((n, 0))
    by_state = np.array([0.0, weights.alternative_credit, weights.listed_only_credit, 1.0])
    credit = by_state[states]
    asked = job_plan.min_years > 0
    floor = weights.years_shortfall_floor
    short = (states >= NAMED) & asked & (years < job_plan.min_years)
    shortfall = floor + (1 - floor) * years / np.where(asked, job_plan.min_years, 1.0)
    credit = np.where(short, np.minimum(credit, shortfall), credit)
    credit = np.where(job_plan.licence_held_possible & (credit < 1), 1.0, credit)
    if fits is not None and k:
        chunk = job_plan.chunk
        similar = np.where(chunk >= 0, fits.closest[:, np.maximum(chunk, 0)], -np.inf) \
            if fits.closest.shape[1] else np.full((n, k), -np.inf)
        close = (states == NONE) & (similar >= weights.semantic_evidence_min)
        credit = np.where(close, weights.semantic_evidence_credit, credit)
    return np.asarray(credit, dtype=np.float64)


def _skill_parts(job_plan: JobPlan, credit: Floats, weights: Weights,
                 fits: SemanticFits | None) -> dict[str, Floats]:
    n = credit.shape[0]
    must_mask, spec = job_plan.must, job_plan.specificity
    must_weight = float(spec[must_mask].sum())
    must = credit[:, must_mask] @ spec[must_mask] / must_weight if must_weight \
        else np.zeros(n)
    other_weight = float(spec[~must_mask].sum())
    preferred = credit[:, ~must_mask] @ spec[~must_mask] / other_weight if other_weight \
        else np.ones(n)
    semantic = _semantic_value(fits.fit, weights) if fits is not None else None
    if semantic is not None and weights.semantic_prior:
        count, prior = int(must_mask.sum()), weights.semantic_prior
        must = np.where(must > 0, (count * must + prior * semantic) / (count + prior), must)
    if not len(job_plan.must):
        must = semantic if semantic is not None else np.full(n, 0.5, dtype=np.float64)
    elif semantic is not None:
        must = np.where(must > 0, must + (1 - must) * weights.semantic_lift * semantic, must)
    return {"must_skills": must, "preferred_skills": preferred}


def _semantic_value(fit: Floats, weights: Weights) -> Floats:
    low, high = weights.semantic_range
    if high <= low:
        return np.zeros_like(fit)
    return np.clip((fit - low) / (high - low), 0.0, 1.0)


def _experience(job: JobRequirements, block: CandidateBlock, weights: Weights) -> Floats:
    expected = job.min_years if job.min_years is not None else \
        weights.expected_years_by_seniority.get(str(job.seniority), 0.0)
    if not expected:
        return np.ones(block.size)
    return np.minimum(1.0, block.total_years / expected)


def _education(job: JobRequirements, block: CandidateBlock) -> Floats:
    if not job.education_level:
        return np.ones(block.size)
    gap = job.education_level - block.education
    value = np.where(gap <= 0, 1.0, np.where(gap == 1, 0.5, 0.2))
    return value if job.education_must else np.maximum(value, 0.7)


def _title(job_plan: JobPlan, block: CandidateBlock) -> Floats:
    if job_plan.title_words:
        wanted = np.zeros(max(int(block.title_ids.max(initial=-1)),
                              int(job_plan.title_ids.max(initial=-1))) + 1, dtype=np.bool_)
        wanted[job_plan.title_ids] = True
        hit = wanted[block.title_ids]
        share = np.bincount(block.title_rows[hit], minlength=block.size) / job_plan.title_words
    else:
        share = np.ones(block.size)
    gap = np.maximum(0, job_plan.job.seniority - block.seniority)
    return np.asarray(0.7 * share + 0.3 * np.maximum(0.0, 1 - 0.4 * gap), dtype=np.float64)


def _combine(parts: dict[str, Floats], weights: Weights) -> Floats:
    """`scoring.combine`: its arithmetic holds element by element over arrays."""
    return np.asarray(combine(cast(dict[str, float], parts), weights), dtype=np.float64)


def _caps(job_plan: JobPlan, credit: Floats, block: CandidateBlock, weights: Weights) -> Floats:
    """The caps stage one can be sure of: must-haves missing, years far short of the post,
    far more years than a junior post wants (each as `scoring.limit` gives it)."""
    job, n = job_plan.job, block.size
    cap = np.full(n, np.inf)
    missing = (credit[:, job_plan.must] == 0).any(axis=1) if len(job_plan.must) \
        else np.zeros(n, dtype=np.bool_)
    cap = np.where(missing, np.minimum(cap, weights.missing_must_cap), cap)
    years = block.total_years
    asked = job.min_years if job.min_years is not None else \
        weights.expected_years_by_seniority.get(str(job.seniority), 0.0) \
        if job.seniority >= 3 else None
    floor, apply = weights.thresholds.review_floor, weights.thresholds.auto_apply
    if asked:
        cap = np.where(years < asked * weights.far_short_share, np.minimum(cap, floor - 1),
                       np.where(years < asked, np.minimum(cap, apply - 1), cap))
    if weights.overqualified_years and job.seniority == 1:
        cap = np.where(years >= weights.overqualified_years, np.minimum(cap, floor - 1), cap)
    return np.asarray(cap, dtype=np.float64)

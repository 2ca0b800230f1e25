"""Requirement-by-requirement scoring of one resume against one job, with evidence."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from services.ats_engine.credentials import region_of
from services.ats_engine.domain import Decision, decide
from services.ats_engine.eligibility import Check, check_all
from services.ats_engine.gates import Gate
from services.ats_engine.jd import JobRequirements, seniority
from services.ats_engine.location import CandidatePlace, LocationFit, location_fit
from services.ats_engine.questions import PairAnswers
from services.ats_engine.resume import EDUCATION_NAMES, ResumeProfile
from services.ats_engine.skills import SkillHit, Taxonomy
from services.ats_engine.weights import Weights

_STOP = frozenset({"and", "or", "of", "the", "a", "an", "for", "in", "at", "to", "with", "i",
                   "ii", "iii", "remote", "senior", "sr", "junior", "jr", "lead", "staff",
                   "principal", "head", "mid", "level", "m", "f", "d", "x", "w"})
_SYNONYMS = {"developer": "engineer", "programmer": "engineer", "dev": "engineer",
             "swe": "engineer", "engineering": "engineer", "back": "backend",
             "front": "frontend", "nurse": "nursing", "accounting": "accountant",
             "analytics": "analyst", "teacher": "teaching", "educator": "teaching",
             "marketer": "marketing", "designer": "design", "rep": "representative"}


@dataclass(frozen=True)
class Evidence:
    text: str
    start: int
    end: int
    similarity: float | None = None  # set when found by embedding, not by a named skill


@dataclass(frozen=True)
class SemanticMatch:
    """Embedding fit of a pair: overall, and the closest resume line to each job line."""

    fit: float
    closest: dict[str, Evidence]


@dataclass
class RequirementResult:
    """One requirement and what the resume shows for it."""

    id: str
    kind: str
    label: str
    must: bool
    credit: float
    evidence: Evidence | None
    detail: str
    jd_line: str = ""


@dataclass
class MatchOutcome:
    score: float
    decision: Decision
    breakdown: dict[str, float]
    requirements: list[RequirementResult]
    gates: list[Gate]
    weights_version: str
    notes: list[str] = field(default_factory=list)
    raw: float = 0.0  # the combination before calibration and caps (for the calibration script)
    cap: float | None = None
    # Each answer to the job's questionnaire and how it fared; None: not answered.
    questions: list[dict[str, Any]] = field(default_factory=list)
    question_score: float | None = None


def _line_of(text: str, hit: SkillHit) -> Evidence:
    start = text.rfind("\n", 0, hit.start) + 1
    end = text.find("\n", hit.end)
    end = len(text) if end == -1 else end
    line = text[start:end]
    stripped = line.strip(" \t-•*")
    offset = start + line.find(stripped) if stripped else start
    return Evidence(stripped[:240], offset, offset + min(len(stripped), 240))


def _best_hit(profile: ResumeProfile, skill: str) -> SkillHit | None:
    """A mention inside a role beats one in a skills list."""
    hits = profile.skills.get(skill, [])
    for hit in hits:
        if any(role.span[0] <= hit.start < role.span[1] for role in profile.roles):
            return hit
    return hits[0] if hits else None


@functools.lru_cache(maxsize=65_536)
def title_tokens(text: str) -> frozenset[str]:
    """A title's meaningful words, synonyms folded (cached: every pair asks for the same few
    headlines and role lines again)."""
    words = re.findall(r"[a-z][a-z+#.]*", text.lower())
    # Synonyms folded, then a six-letter stem: "electrical" and "electrician" are one trade.
    return frozenset(_stem(_SYNONYMS.get(w, w)) for w in words if w not in _STOP)


def _stem(word: str) -> str:
    return word[:6] if len(word) > 6 else word


def title_fit(job_title: str, profile: ResumeProfile) -> float:
    """Share of the job title's words the candidate's headline or roles carry."""
    wanted = title_tokens(job_title)
    if not wanted:
        return 1.0
    titles = [profile.headline, *(role.title or role.line for role in profile.roles[:3])]
    have = set().union(*(title_tokens(t) for t in titles)) if titles else set()
    return len(wanted & have) / len(wanted)


def candidate_seniority(profile: ResumeProfile) -> int:
    stated = seniority(profile.headline)
    by_years = 1 if profile.total_years < 2 else 2 if profile.total_years < 5 else \
        3 if profile.total_years < 8 else 4
    return stated if stated != 2 else by_years


def _skill(profile: ResumeProfile, req_skill: str, min_years: float | None,
           weights: Weights, taxonomy: Taxonomy,
           category: str = "") -> tuple[float, Evidence | None, str]:
    hit = _best_hit(profile, req_skill)
    if hit is None:
        return _alternative(profile, req_skill, weights, taxonomy)
    evidence = _line_of(profile.text, hit)
    years = profile.skill_years.get(req_skill, 0.0)
    in_role = years > 0
    # A certificate is held, not practised in a role: listing it is the evidence.
    held = category == "certification" and req_skill not in profile.listed_only_skills
    credit = 1.0 if in_role or held else weights.listed_only_credit
    detail = f"{years:g} years in dated roles" if in_role else "named, not tied to a dated role"
    if min_years:
        if years >= min_years:
            detail = f"{years:g} years (asks {min_years:g})"
        else:
            floor = weights.years_shortfall_floor
            credit = min(credit, floor + (1 - floor) * years / min_years)
            detail = f"{years:g} years, the job asks {min_years:g}"
    return credit, evidence, detail


def _alternative(profile: ResumeProfile, req_skill: str, weights: Weights,
                 taxonomy: Taxonomy) -> tuple[float, Evidence | None, str]:
    """A tool of the same kind the resume shows in a role (GitHub Actions for GitLab CI):
    part of the credit, and a reader sees which."""
    for other in sorted(taxonomy.alternatives.get(req_skill, ())):
        hit = _best_hit(profile, other)
        if hit is not None and profile.skill_years.get(other, 0.0) > 0:
            return (weights.alternative_credit, _line_of(profile.text, hit),
                    f"not named; shows {other}, a tool of the same kind")
    return 0.0, None, "no evidence in the resume"


def score_pair(profile: ResumeProfile, job: JobRequirements, gates: list[Gate],
               weights: Weights, taxonomy: Taxonomy, semantic: SemanticMatch | None = None,
               candidate: CandidatePlace | None = None,
               answers: PairAnswers | None = None) -> MatchOutcome:
    """Score 0-100, the decision, the breakdown and each requirement's evidence; answers to
    the job's questionnaire join as the `question` part, and a knock-out answer rejects."""
    results: list[RequirementResult] = []
    checks = check_all(job.hard, profile)
    held = {c.requirement.line for c in checks if c.verdict == "met"}
    parts = skill_parts(profile, job, weights, taxonomy, semantic, results, held)
    parts["experience"] = experience_part(profile, job, weights, results)
    parts["education"] = education_part(profile, job, results)
    share = title_fit(job.title, profile)
    parts["title"] = title_part(profile, job, share, results)
    place = location_fit(job, candidate or CandidatePlace(), weights.location)
    parts["location"] = location_part(job, place, results)
    if semantic is not None:
        parts["semantic"] = weights.semantic_value(semantic.fit)
    if answers is not None and answers.question_score is not None:
        parts["question"] = answers.question_score / 100
    raw = combine(parts, weights)
    score = weights.calibrated(raw, semantic is not None)
    notes: list[str] = []
    cap = limit(profile, job, weights, checks, results, notes, place, share)
    if answers is not None and answers.knocked_out:
        knockout = weights.thresholds.review_floor - 1
        notes.append(f"rejected: a knock-out answer ({'; '.join(answers.knocked_out)})")
        cap = knockout if cap is None else min(cap, knockout)
    score = round(score if cap is None else min(score, cap), 2)
    decision = decide(score, weights.thresholds.auto_apply, weights.thresholds.review_floor)
    if gates and decision is Decision.APPLY:
        decision = Decision.REVIEW
        notes.append("sent to review by a hard gate")
    return MatchOutcome(score, decision, {k: round(v, 3) for k, v in parts.items()},
                        results, gates, weights.version, notes, round(raw, 3), cap,
                        answers.results if answers else [],
                        answers.question_score if answers else None)


def skill_parts(profile: ResumeProfile, job: JobRequirements, weights: Weights,
                taxonomy: Taxonomy, semantic: SemanticMatch | None,
                results: list[RequirementResult], held: set[str]) -> dict[str, float]:
    """Must-have and preferred skill coverage, weighted by how specific each skill is; a
    credential the post asks for counts as shown when its hard requirement is met (`held`)."""
    sums: dict[bool, list[float]] = {True: [0.0, 0.0], False: [0.0, 0.0]}  # [credit, weight]
    musts = {id(r) for r in job.skills if r.must} or {id(r) for r in job.skills}
    for req in job.skills:
        is_must = id(req) in musts
        category = taxonomy.skills[req.skill].category if req.skill in taxonomy.skills else ""
        credit, evidence, detail = _skill(profile, req.skill, req.min_years, weights, taxonomy,
                                          category)
        if category == "certification" and req.line in held and credit < 1:
            credit, detail = 1.0, "held: the post's licence requirement is met"
        if evidence is None and semantic is not None:
            # No named skill: the resume line closest in meaning, if close enough, earns part.
            close = semantic.closest.get(req.line.strip().lstrip("-•* "))
            if close is not None and close.similarity is not None \
                    and close.similarity >= weights.semantic_evidence_min:
                credit, evidence = weights.semantic_evidence_credit, close
                detail = f"not named; closest in meaning (cosine {close.similarity:.2f})"
        spec = taxonomy.skills[req.skill].specificity if req.skill in taxonomy.skills else 1.5
        sums[is_must][0] += credit * spec
        sums[is_must][1] += spec
        results.append(RequirementResult(f"skill:{req.skill}", "skill", req.skill, is_must,
                                         round(credit, 3), evidence, detail, req.line))
    must = sums[True][0] / sums[True][1] if sums[True][1] else 0.0
    if semantic is not None and must > 0 and weights.semantic_prior:
        # Few named must-haves say little on their own (the taxonomy may miss how a trade
        # words the rest): closeness in meaning weighs in like that many more of them.
        count = sum(1 for r in job.skills if id(r) in musts)
        prior = weights.semantic_prior
        must = (count * must + prior * weights.semantic_value(semantic.fit)) / (count + prior)
    if not job.skills:
        # No skill the taxonomy knows: closeness in meaning stands in for coverage (`limit`
        # still keeps such a pair from applying unattended).
        must = weights.semantic_value(semantic.fit) if semantic else 0.5
    elif semantic is not None and must > 0:
        # Close in meaning fills part of the must-have gap, once one must-have is shown: a
        # neighbouring field is worth a reviewer's look, a different one is not.
        must += (1 - must) * weights.semantic_lift * weights.semantic_value(semantic.fit)
    return {"must_skills": must,
            "preferred_skills": sums[False][0] / sums[False][1] if sums[False][1] else 1.0}


def experience_part(profile: ResumeProfile, job: JobRequirements, weights: Weights,
                    results: list[RequirementResult]) -> float:
    expected = job.min_years if job.min_years is not None else \
        weights.expected_years_by_seniority.get(str(job.seniority), 0.0)
    value = 1.0 if not expected else min(1.0, profile.total_years / expected)
    results.append(RequirementResult(
        "years", "years", f"{expected:g}+ years of experience", job.min_years is not None,
        round(value, 3), None,
        f"{profile.total_years:g} years in dated roles" if profile.roles
        else f"{profile.total_years:g} years stated"))
    return value


def education_part(profile: ResumeProfile, job: JobRequirements,
                   results: list[RequirementResult]) -> float:
    if not job.education_level:
        return 1.0
    have = profile.education_level
    gap = job.education_level - have
    value = 1.0 if gap <= 0 else (0.5 if gap == 1 else 0.2)
    if not job.education_must:
        value = max(value, 0.7)
    results.append(RequirementResult(
        "degree", "degree", f"{EDUCATION_NAMES[job.education_level]} degree",
        job.education_must, value, None, f"resume shows {EDUCATION_NAMES[have]}"))
    return value


def title_part(profile: ResumeProfile, job: JobRequirements, fit: float,
               results: list[RequirementResult]) -> float:
    gap = job.seniority - candidate_seniority(profile)
    value = 0.7 * fit + 0.3 * max(0.0, 1 - 0.4 * max(0, gap))
    results.append(RequirementResult("title", "title", job.title, False, round(value, 3),
                                     None, f"title words shared: {fit:.0%}; "
                                     f"seniority gap {max(0, gap)}"))
    return value


def location_part(job: JobRequirements, place: LocationFit,
                  results: list[RequirementResult]) -> float:
    results.append(RequirementResult("location", "location", job.location or job.remote, False,
                                     round(place.value, 3), None, place.detail))
    return place.value


def combine(parts: dict[str, float], weights: Weights) -> float:
    """The raw 0-100 value: must-have coverage, and the rest only as far as it is met."""
    coverage = parts["must_skills"]
    used = {k: w for k, w in weights.weights.items() if k in parts and w > 0}
    share = used.get("must_skills", 0.0) / sum(used.values())
    others = {k: w for k, w in used.items() if k != "must_skills"}
    context = sum(parts[k] * w for k, w in others.items()) / sum(others.values()) \
        if others else 0.0
    # A perfect title and location do not make a resume without the required skills a
    # review case.
    floor = weights.context_floor
    return 100 * (share * coverage + (1 - share) * context * (floor + (1 - floor) * coverage))


_MANAGES = re.compile(r"\b(?<!account )(?<!case )(?<!product )(?<!brand )(?<!territory )"
                      r"(?<!property )(?<!category )(?:manager|head of|director|supervisor|"
                      r"superintendent|foreman|team lead|lead\b(?! (?:engineer|developer|"
                      r"designer|scientist|generation)))", re.I)


def _has_managed(profile: ResumeProfile) -> bool:
    """A role titled for leading people, or people management shown inside a role."""
    if any(_MANAGES.search(role.title or role.line) for role in profile.roles):
        return True
    return profile.skill_years.get("People management", 0.0) > 0


def _same_region(job_location: str, profile: ResumeProfile) -> bool:
    """Whether the candidate lives in the post's state or province (its country, outside the
    US and Canada): a commute a person may judge, not a move."""
    where = region_of(job_location)
    return where is not None and where == region_of(profile.contact.place or "")


Limit = tuple[float, str]  # the highest score a finding allows, and why


def limit(profile: ResumeProfile, job: JobRequirements, weights: Weights, checks: list[Check],
          results: list[RequirementResult], notes: list[str],
          place: LocationFit | None = None, title_share: float = 1.0) -> float | None:
    """The highest score the pair may have, whatever its raw value: a contradicted hard
    requirement rejects; anything a person must check keeps it under the auto-apply line."""
    found = [*_requirement_limits(job, weights, checks, results),
             *_evidence_limits(profile, job, weights, results, place, title_share),
             *_seniority_limits(profile, job, weights)]
    notes += [note for _, note in found]
    return min(value for value, _ in found) if found else None


def _requirement_limits(job: JobRequirements, weights: Weights, checks: list[Check],
                        results: list[RequirementResult]) -> list[Limit]:
    """Must-have skills missing, and each hard requirement's verdict."""
    below_apply = weights.thresholds.auto_apply - 1
    found: list[Limit] = []
    missing = [r.label for r in results if r.kind == "skill" and r.must and r.credit == 0]
    if missing:
        found.append((weights.missing_must_cap, f"at most {weights.missing_must_cap:g}: "
                                                f"must-haves missing ({', '.join(missing)})"))
    if not job.skills:
        found.append((below_apply, "the job names no skill we know: not enough to apply "
                                   "unattended"))
    for check in checks:
        credit = {"met": 1.0, "unknown": 0.5, "contradicted": 0.0}[check.verdict]
        results.append(RequirementResult(
            f"hard:{check.requirement.kind}:{check.requirement.name}", "hard",
            f"{check.requirement.kind}: {check.requirement.name}", True, credit, None,
            f"{check.verdict}: {check.detail}", check.requirement.line))
    contradicted = [c.detail for c in checks if c.verdict == "contradicted"]
    unknown = [c.detail for c in checks if c.verdict == "unknown"]
    if contradicted:
        found.append((weights.thresholds.review_floor - 1, "rejected: a hard requirement is "
                      f"contradicted ({'; '.join(contradicted)})"))
    elif unknown:
        found.append((below_apply, f"a person must check: {'; '.join(unknown)}"))
    return found


def _evidence_limits(profile: ResumeProfile, job: JobRequirements, weights: Weights,
                     results: list[RequirementResult], place: LocationFit | None,
                     share: float) -> list[Limit]:
    """Too little shown to apply unattended: claims only in a list, a post that names too
    little, a move nobody offered, a change of trade, a post leading people."""
    below_apply = weights.thresholds.auto_apply - 1
    found: list[Limit] = []
    if place is not None and place.elsewhere and not _same_region(job.location, profile):
        found.append((below_apply, f"a person must check: {place.detail}"))
    shown = [r for r in results if r.kind == "skill" and r.must and r.credit > 0]
    listed = [r.label for r in shown if r.label in profile.listed_only_skills]
    if shown and len(listed) * 2 > len(shown):
        found.append((below_apply, "most must-haves are named only in a skills list, in no "
                                   f"role: {', '.join(listed)}"))
    # What the post asks that the engine can check: must-have skills it knows, licences and
    # other hard requirements shown met, and a number of years.
    named = sum(1 for r in results if (r.kind == "skill" and r.must)
                or (r.kind == "hard" and r.credit == 1.0)) + (job.min_years is not None)
    if named < weights.min_named_musts:
        found.append((below_apply, f"the post asks {named} thing(s) we can check: too little "
                                   "to apply unattended"))
    if weights.min_title_share and share < weights.min_title_share:
        found.append((below_apply, f"the candidate's titles carry {share:.0%} of the post's "
                                   "title words"))
    if weights.manager_evidence and _MANAGES.search(job.title) and not _has_managed(profile):
        found.append((below_apply, "the post leads people; no role shows leading people"))
    return found


def _seniority_limits(profile: ResumeProfile, job: JobRequirements,
                      weights: Weights) -> list[Limit]:
    """Years short of what the post or its seniority asks (far short rejects), and far more
    than a junior post wants."""
    found: list[Limit] = []
    years = profile.total_years
    asked = job.min_years if job.min_years is not None else \
        weights.expected_years_by_seniority.get(str(job.seniority), 0.0) \
        if job.seniority >= 3 else None
    if asked and years < asked * weights.far_short_share:
        found.append((weights.thresholds.review_floor - 1,
                      f"rejected: {years:g} years of experience, the post asks {asked:g}"))
    elif asked and years < asked:
        found.append((weights.thresholds.auto_apply - 1,
                      f"{years:g} years of experience, the post asks {asked:g}"))
    if weights.overqualified_years and job.seniority == 1 \
            and years >= weights.overqualified_years:
        found.append((weights.thresholds.review_floor - 1,
                      f"rejected: {years:g} years of experience for a junior post"))
    return found


def outcome_json(outcome: MatchOutcome) -> dict[str, Any]:
    """The outcome as plain JSON."""
    return {
        "score": outcome.score, "decision": outcome.decision.value,
        "breakdown": outcome.breakdown, "weights_version": outcome.weights_version,
        "gates": [{"code": g.code, "message": g.message} for g in outcome.gates],
        "notes": outcome.notes,
        **({"questions": outcome.questions, "question_score": outcome.question_score}
           if outcome.questions else {}),
        "requirements": [{
            "id": r.id, "kind": r.kind, "label": r.label, "must": r.must, "credit": r.credit,
            "detail": r.detail, "jd_line": r.jd_line,
            "evidence": None if r.evidence is None else
            {"text": r.evidence.text, "start": r.evidence.start, "end": r.evidence.end,
             "similarity": r.evidence.similarity},
        } for r in outcome.requirements],
    }

"""The scoring pipeline in one place: file or text in, scored and explained match out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from infra.resume_files import Extracted, Limits, clean, extract
from services.ats_engine.explain import explain
from services.ats_engine.filters import Preferences
from services.ats_engine.gates import Gate, GateLimits, check
from services.ats_engine.jd import JobRequirements, parse_job
from services.ats_engine.location import CandidatePlace
from services.ats_engine.questions import PairAnswers
from services.ats_engine.resume import EDUCATION_NAMES, ResumeProfile, parse_resume
from services.ats_engine.scoring import MatchOutcome, SemanticMatch, outcome_json, score_pair
from services.ats_engine.skills import Taxonomy
from services.ats_engine.weights import Weights

MODEL_VERSION = "rules-2"  # the scorer's own rules; the embedding model adds its name when used


_NO_PREFERENCES = Preferences()  # built once: this runs for every preselected candidate


def candidate_place(profile: ResumeProfile, preferences: Preferences) -> CandidatePlace:
    """Where the candidate will work: their preferences, else the place their resume gives."""
    places = tuple(preferences.locations) or \
        ((profile.contact.place,) if profile.contact.place else ())
    return CandidatePlace(places, preferences.remote_ok,
                          preferences.relocate or profile.open_to_relocation, profile.country)


@dataclass
class ParsedResume:
    document: Extracted
    profile: ResumeProfile
    gates: list[Gate]


@dataclass(frozen=True)
class Engine:
    taxonomy: Taxonomy
    limits: Limits = field(default_factory=Limits)
    gate_limits: GateLimits = field(default_factory=GateLimits)

    def parse_file(self, content: bytes, claimed: str | None, today: date) -> ParsedResume:
        """A resume file, checked and parsed; DocumentError on bad input."""
        document = extract(content, claimed, self.limits)  # type: ignore[arg-type]
        return self._parse(document, today)

    def parse_text(self, text: str, today: date) -> ParsedResume:
        return self._parse(Extracted("text", text), today)

    def _parse(self, document: Extracted, today: date) -> ParsedResume:
        text = clean(document.text)
        profile = parse_resume(text, self.taxonomy, today)
        # One mention counts once, whatever broader skills it also shows.
        hits = list({(hit.start, hit.end): hit
                     for hits in profile.skills.values() for hit in hits}.values())
        return ParsedResume(document, profile, check(document, text, hits, self.gate_limits))

    def parse_job(self, title: str, description: str, location: str) -> JobRequirements:
        return parse_job(title, description, location, self.taxonomy)

    def score(self, resume: ParsedResume, job: JobRequirements, weights: Weights,
              semantic: SemanticMatch | None = None,
              preferences: Preferences | None = None,
              answers: PairAnswers | None = None) -> MatchOutcome:
        return score_pair(resume.profile, job, resume.gates, weights, self.taxonomy, semantic,
                          candidate_place(resume.profile, preferences or _NO_PREFERENCES),
                          answers)

    def versions(self, weights: Weights) -> dict[str, str]:
        return {"model": MODEL_VERSION, "taxonomy": self.taxonomy.version,
                "config": weights.version}

    def report(self, resume: ParsedResume, job: JobRequirements, outcome: MatchOutcome,
               weights: Weights) -> dict[str, Any]:
        """Everything about one pair as JSON: score, decision, breakdown, explanation."""
        explanation = explain(outcome)
        profile = resume.profile
        return {
            **outcome_json(outcome),
            "explanation": explanation.lines, "strengths": explanation.strengths,
            "gaps": explanation.gaps, "hints": explanation.hints,
            "versions": self.versions(weights),
            "resume": {"total_years": profile.total_years,
                       "education": EDUCATION_NAMES[profile.education_level],
                       "skills": sorted(profile.skills), "headline": profile.headline},
            "job": {"title": job.title, "seniority": job.seniority, "remote": job.remote,
                    "min_years": job.min_years, "salary_min": job.salary_min,
                    "salary_max": job.salary_max, "salary_currency": job.salary_currency,
                    "must": [s.skill for s in job.skills if s.must],
                    "preferred": [s.skill for s in job.skills if not s.must]},
        }

"""Plain-language explanation of a match: evidence, strengths, gaps and honest tailoring hints."""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.events.matching import quote_resume
from services.ats_engine.scoring import MatchOutcome


@dataclass
class Explanation:
    lines: list[str]
    strengths: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)


def explain(outcome: MatchOutcome, other_versions: dict[str, frozenset[str]] | None = None,
            ) -> Explanation:
    """Deterministic sentences a reviewer can act on; hints never invent experience."""
    other_versions = other_versions or {}
    strengths: list[str] = []
    gaps: list[str] = []
    hints: list[str] = []
    lines = [f"score {outcome.score:g} ({outcome.decision.value}): " + ", ".join(
        f"{name.replace('_', ' ')} {value:.0%}" for name, value in outcome.breakdown.items())]
    for req in outcome.requirements:
        tag = "must-have" if req.must else "nice-to-have"
        if req.kind == "skill":
            if req.evidence is not None:
                lines.append(f"met {req.label} ({tag}, {req.detail}): "
                             f"{quote_resume(req.evidence.text)}")
                if req.credit >= 1:
                    strengths.append(f"{req.label}: {req.detail}")
                elif "not tied" in req.detail:
                    hints.append(f"{req.label} is only listed; if a role used it, say so in "
                                 "that role's bullets in the experience section")
                else:
                    gaps.append(f"{req.label}: {req.detail}")
            else:
                lines.append(f"missing {req.label} ({tag}): no evidence in the resume")
                gaps.append(f"{req.label} ({tag}) not shown")
                backing = sorted(v for v, skills in other_versions.items() if req.label in skills)
                if backing:
                    hints.append(f"the job stresses {req.label}; resume version "
                                 f"{backing[0]} already shows it: carry that over")
                elif req.must:
                    hints.append(f"the job requires {req.label}; add it only if the candidate "
                                 "really has it, otherwise leave it out")
        else:
            lines.append(f"{req.kind} — {req.label}: {req.detail} ({req.credit:.0%})")
            if req.credit >= 1:
                strengths.append(f"{req.label}: {req.detail}")
            elif req.credit < 0.6:
                gaps.append(f"{req.label}: {req.detail}")
    for gate in outcome.gates:
        lines.append(f"gate {gate.code}: {gate.message}")
    lines.extend(outcome.notes)
    return Explanation(lines, strengths, gaps, hints)

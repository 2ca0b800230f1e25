"""Stage one with its features kept: each resume version's once, and the last pool's block."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from services.ats_engine.jd import JobRequirements
from services.ats_engine.location import CandidatePlace
from services.ats_engine.resume import ResumeProfile
from services.ats_engine.scoring import SemanticMatch
from services.ats_engine.skills import Taxonomy
from services.ats_engine.stage_one import (
    CandidateBlock,
    CandidateFeatures,
    FeatureSpace,
    SemanticFits,
    StageOneResult,
    plan,
    score_block,
    stack,
)
from services.ats_engine.weights import Weights

# (key of the resume version, its profile, the candidate's place)
Keyed = tuple[Hashable, ResumeProfile, CandidatePlace]


class StageOne:
    """Screens a job's candidates; features are kept by resume version and place, so a job
    meeting the same pool as the last one reuses its block whole."""

    def __init__(self, taxonomy: Taxonomy, kept: int = 20_000) -> None:
        self.space = FeatureSpace(taxonomy)
        self._kept = kept
        self._features: OrderedDict[tuple[Hashable, CandidatePlace], CandidateFeatures] = \
            OrderedDict()
        self._last: tuple[tuple[tuple[Hashable, CandidatePlace], ...], CandidateBlock] | None \
            = None

    def features(self, key: Hashable, profile: ResumeProfile,
                 place: CandidatePlace) -> CandidateFeatures:
        found = self._features.get((key, place))
        if found is None:
            found = self._features[(key, place)] = self.space.features(profile, place)
            while len(self._features) > self._kept:
                self._features.popitem(last=False)
        else:
            self._features.move_to_end((key, place))
        return found

    def block(self, candidates: Sequence[Keyed]) -> CandidateBlock:
        keys = tuple((key, place) for key, _, place in candidates)
        if self._last is not None and self._last[0] == keys:
            return self._last[1]
        block = stack([self.features(*candidate) for candidate in candidates])
        self._last = (keys, block)
        return block

    def screen(self, job: JobRequirements, candidates: Sequence[Keyed], weights: Weights,
               fits: SemanticFits | None = None) -> StageOneResult:
        """Stage one's score of `job` against each of `candidates`, in order."""
        return score_block(plan(job, self.space), self.block(candidates), weights, fits)


@dataclass(frozen=True)
class Screened:
    """One pair's row of a stage-one result, and the semantic match the full scorer takes
    when stage one leaves the pair to it."""

    result: StageOneResult
    row: int
    semantic: SemanticMatch | None

    @property
    def final(self) -> bool:
        return bool(self.result.final[self.row])

    @property
    def score(self) -> float:
        return float(self.result.score[self.row])

    def record(self, weights: Weights) -> tuple[list[str], dict[str, object]]:
        """The explanation lines and details stored for a pair stage one rejected: its
        breakdown; the evidence line by line is computed when someone asks for it."""
        breakdown = self.result.breakdown(self.row)
        why = "a rule on years or must-haves rejects it" if self.result.capped[self.row] \
            else f"under the review floor ({weights.thresholds.review_floor:g}) by more than " \
            f"the first stage's margin ({weights.stage_one_margin:g})"
        lines = [f"score {self.score:g} (reject): " + ", ".join(
            f"{name.replace('_', ' ')} {value:.0%}" for name, value in breakdown.items()),
            f"decided by the first stage: {why}"]
        return lines, {"score": self.score, "decision": "reject", "breakdown": breakdown,
                       "weights_version": weights.version, "stage": "one", "notes": lines[1:],
                       "raw": self.result.raw_of(self.row)}

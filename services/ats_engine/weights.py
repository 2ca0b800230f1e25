"""The versioned scoring config (weights and thresholds), re-read when its file changes."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path

import structlog
from pydantic import BaseModel, Field, ValidationError, model_validator

from services.ats_engine.location import LocationWeights

log = structlog.get_logger(__name__)
DEFAULT_FILE = Path(__file__).parent / "data" / "weights.json"


class Thresholds(BaseModel):
    auto_apply: float = Field(default=90, ge=0, le=100)
    review_floor: float = Field(default=50, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.review_floor > self.auto_apply:
            raise ValueError("review_floor must not exceed auto_apply")
        return self


class Weights(BaseModel):
    """One version of the scoring config."""

    version: str = Field(min_length=1)
    thresholds: Thresholds = Thresholds()
    weights: dict[str, float]
    missing_must_cap: float = Field(default=89, ge=0, le=100)
    context_floor: float = Field(default=0.5, ge=0, le=1)
    years_shortfall_floor: float = Field(default=0.5, ge=0, le=1)
    semantic_evidence_min: float = Field(default=0.6, ge=0, le=1)
    semantic_evidence_credit: float = Field(default=0.5, ge=0, le=1)
    listed_only_credit: float = Field(default=0.85, ge=0, le=1)
    alternative_credit: float = Field(
        default=0.6, ge=0, le=1, description="Credit for a must-have tool not named when the "
        "resume shows one of the same kind in a role (GitHub Actions for GitLab CI)")
    expected_years_by_seniority: dict[str, float] = {}
    semantic_range: tuple[float, float] = Field(
        default=(0.2, 0.6), description="Embedding fit (mean best cosine) read as 0 and as 1")
    semantic_lift: float = Field(
        default=0.0, ge=0, le=1, description="Share of the must-have gap that semantic fit can "
        "fill, once at least one must-have is shown")
    far_short_share: float = Field(
        default=0.5, ge=0, le=1, description="Below this share of the years a post asks, the "
        "pair is rejected (above it and short, a person looks)")
    semantic_prior: float = Field(
        default=0.0, ge=0, description="Must-have coverage blends in the semantic fit as if it "
        "were this many more must-haves; 0: off")
    manager_evidence: bool = Field(
        default=False, description="A post that leads people needs a role that shows it "
        "before it is applied to unattended")
    min_named_musts: int = Field(
        default=0, ge=0, description="Must-have skills the post must name (that the taxonomy "
        "knows) before a pair applies unattended")
    min_title_share: float = Field(
        default=0.0, ge=0, le=1, description="Share of the post's title words the candidate's "
        "own titles must carry to apply unattended (a change of trade or specialty is a "
        "person's call); 0: any")
    overqualified_years: float = Field(
        default=0.0, ge=0, description="Years of experience from which a junior or graduate "
        "post is rejected as far off the candidate's seniority; 0: never")
    calibration: list[tuple[float, float]] = Field(
        default=[], description="(raw, score) knots of a rising line from the raw combination "
        "to the score; none: the raw value is the score")
    calibration_rules_only: list[tuple[float, float]] | None = Field(
        default=None, description="Knots for scoring without the embedding model; none: the "
        "same as `calibration`")
    location: LocationWeights = LocationWeights()
    stage_one_margin: float = Field(
        default=1.0, ge=0, le=100, description="Points under the review floor a pair's "
        "stage-one score must lie before stage one rejects it without the full scorer (set "
        "from their measured disagreement)")

    def semantic_value(self, fit: float) -> float:
        """Embedding fit on 0-1: the range's low end reads 0, its high end 1."""
        low, high = self.semantic_range
        return max(0.0, min(1.0, (fit - low) / (high - low))) if high > low else 0.0

    def calibrated(self, raw: float, semantic: bool = True) -> float:
        """The score for a raw value: linear through (0, 0), the knots, and (100, 100); the
        rules-only knots when there was no semantic fit."""
        chosen = self.calibration if semantic or self.calibration_rules_only is None \
            else self.calibration_rules_only
        knots = [(0.0, 0.0), *chosen, (100.0, 100.0)]
        for (x0, y0), (x1, y1) in itertools.pairwise(knots):
            if raw <= x1:
                return y0 if x1 <= x0 else y0 + (y1 - y0) * (raw - x0) / (x1 - x0)
        return raw

    @model_validator(mode="after")
    def _rising_knots(self) -> Weights:
        for knots in (self.calibration, self.calibration_rules_only or []):
            xs = [x for x, _ in knots]
            ys = [y for _, y in knots]
            inside = all(0 < v < 100 for v in xs + ys)
            if not inside or xs != sorted(set(xs)) or ys != sorted(set(ys)):
                raise ValueError("calibration knots must rise strictly, inside (0, 100)")
        return self

    @model_validator(mode="after")
    def _known_weights(self) -> Weights:
        # `question`: the candidate's answers to the job's questionnaire, weighed only for
        # pairs that have some (every other pair scores as without it).
        known = {"must_skills", "preferred_skills", "experience", "education", "title",
                 "location", "semantic", "question"}
        if set(self.weights) - known:
            raise ValueError(f"unknown weights: {sorted(set(self.weights) - known)}")
        if any(w < 0 for w in self.weights.values()) or sum(self.weights.values()) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        return self


def load_weights(path: Path) -> Weights:
    """Read and validate a weights file; ValueError names the file."""
    try:
        return Weights.model_validate_json(path.read_bytes())
    except (OSError, ValidationError) as exc:
        raise ValueError(f"cannot load weights {path}: {exc}") from exc


@dataclass
class WeightsSource:
    """The current weights: read at start, re-read when the file's mtime changes.

    A broken new file is logged and ignored, so a typo never stops scoring."""

    path: Path
    overrides: Thresholds | None = None

    def __post_init__(self) -> None:
        self._stamp = self._mtime()
        self._weights = self._apply(load_weights(self.path))

    def _mtime(self) -> int:
        return os.stat(self.path).st_mtime_ns

    def _apply(self, weights: Weights) -> Weights:
        if self.overrides is None:
            return weights
        return weights.model_copy(update={"thresholds": self.overrides})

    def current(self) -> Weights:
        try:
            stamp = self._mtime()
        except OSError:
            return self._weights
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._weights = self._apply(load_weights(self.path))
                log.info("weights reloaded", version=self._weights.version)
            except ValueError as exc:
                log.error("weights file rejected; keeping the previous version", error=str(exc))
        return self._weights

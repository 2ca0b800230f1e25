"""The versioned scoring config (weights and thresholds), re-read when its file changes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import structlog
from pydantic import BaseModel, Field, ValidationError, model_validator

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
    expected_years_by_seniority: dict[str, float] = {}

    @model_validator(mode="after")
    def _known_weights(self) -> Weights:
        known = {"must_skills", "preferred_skills", "experience", "education", "title",
                 "location", "semantic"}
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

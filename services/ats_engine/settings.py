"""Settings of the ATS engine."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from infra.settings import CommonSettings


class AtsSettings(CommonSettings):
    auto_apply_threshold: float = Field(default=90, ge=0, le=100,
                                        description="At or above: apply without review")
    review_floor: float = Field(default=50, ge=0, le=100,
                                description="At or above (and under the threshold): human review")
    candidates_seed: Path | None = Field(
        default=Path("sandbox/seed/candidates.json"),
        description="Candidates loaded at start; none when unset",
    )

    @model_validator(mode="after")
    def _floor_under_threshold(self) -> AtsSettings:
        if self.review_floor > self.auto_apply_threshold:
            raise ValueError("review_floor must not exceed auto_apply_threshold")
        return self

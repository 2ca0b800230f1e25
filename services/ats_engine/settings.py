"""Settings of the ATS engine."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from infra.settings import CommonSettings
from services.ats_engine.documents import Limits
from services.ats_engine.weights import DEFAULT_FILE, Thresholds


class AtsSettings(CommonSettings):
    auto_apply_threshold: float = Field(default=90, ge=0, le=100,
                                        description="At or above: apply without review")
    review_floor: float = Field(default=50, ge=0, le=100,
                                description="At or above (and under the threshold): human review")
    candidates_seed: Path | None = Field(
        default=Path("sandbox/seed/candidates.json"),
        description="Candidates loaded at start; none when unset",
    )
    weights_file: Path = Field(default=DEFAULT_FILE,
                               description="Versioned weights and thresholds; re-read on change")
    embeddings: bool = Field(default=False, description="Semantic fit and pgvector preselection "
                             "(needs the `ml` extra; the GPU when there is one)")
    preselect_limit: int = Field(default=200, ge=1, description="Nearest candidates per job")
    max_upload_bytes: int = Field(default=5_000_000, ge=1, description="Largest resume file")
    max_pdf_pages: int = Field(default=20, ge=1, description="Most pages of a PDF resume")
    max_unzipped_bytes: int = Field(default=30_000_000, ge=1,
                                    description="Most bytes a DOCX may expand to")

    @model_validator(mode="after")
    def _floor_under_threshold(self) -> AtsSettings:
        if self.review_floor > self.auto_apply_threshold:
            raise ValueError("review_floor must not exceed auto_apply_threshold")
        return self

    def limits(self) -> Limits:
        return Limits(max_bytes=self.max_upload_bytes, max_pages=self.max_pdf_pages,
                      max_unzipped_bytes=self.max_unzipped_bytes)

    def threshold_overrides(self) -> Thresholds | None:
        """Thresholds set in the environment win over the weights file's."""
        if {"auto_apply_threshold", "review_floor"} & self.model_fields_set:
            return Thresholds(auto_apply=self.auto_apply_threshold, review_floor=self.review_floor)
        return None

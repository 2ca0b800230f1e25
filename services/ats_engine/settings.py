"""Settings of the ATS engine."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from infra.resume_files import ResumeFileSettings
from infra.settings import CommonSettings
from services.ats_engine.embeddings import Backend, model_installed
from services.ats_engine.weights import DEFAULT_FILE, Thresholds


class AtsSettings(CommonSettings, ResumeFileSettings):
    """The ATS engine's settings, upload limits included (the CLI takes files too)."""

    auto_apply_threshold: float = Field(default=90, ge=0, le=100,
                                        description="At or above: apply without review")
    review_floor: float = Field(default=50, ge=0, le=100,
                                description="At or above (and under the threshold): human review")
    candidates_seed: Path | None = Field(
        default=None,
        description="A file of candidates loaded at start (JAMS_CANDIDATES_SEED); none when "
                    "unset",
    )
    weights_file: Path = Field(default=DEFAULT_FILE,
                               description="Versioned weights and thresholds; re-read on change")
    embeddings: bool | None = Field(
        default=None, description="Semantic fit and pgvector preselection (the GPU when there "
        "is one); unset: on when the `ml` extra (the model) is installed")
    preselect_limit: int = Field(default=200, ge=1, description="Nearest candidates per job")
    embedding_backend: Backend = Field(
        default="torch", description="What runs the model: torch (PyTorch, the GPU when there "
        "is one), onnx (ONNX Runtime, extra `onnx`) or onnx-int8 (its int8 weights); ONNX "
        "models are exported once into data_dir/models")
    ats_replicas: int = Field(
        default=1, ge=1, le=16, description="Members of the ATS consumer group this process "
        "runs: each takes its own partitions, all share one model")

    @model_validator(mode="after")
    def _floor_under_threshold(self) -> AtsSettings:
        if self.review_floor > self.auto_apply_threshold:
            raise ValueError("review_floor must not exceed auto_apply_threshold")
        return self

    def embeddings_enabled(self) -> bool:
        """Asked for, or (when unset) possible: the model's packages are installed."""
        if self.embeddings is not None:
            return self.embeddings
        return model_installed()

    def threshold_overrides(self) -> Thresholds | None:
        """Thresholds set in the environment win over the weights file's."""
        if {"auto_apply_threshold", "review_floor"} & self.model_fields_set:
            return Thresholds(auto_apply=self.auto_apply_threshold, review_floor=self.review_floor)
        return None

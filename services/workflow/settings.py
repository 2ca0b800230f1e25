"""Settings of the workflow service."""

from __future__ import annotations

import uuid
from typing import Self

from pydantic import Field, model_validator

from infra.settings import CommonSettings
from services.workflow.policy import AssignmentPolicy

MIN_SLA_S, MAX_SLA_S = 15 * 60, 20 * 60


class WorkflowSettings(CommonSettings):
    """Review SLA, strikes, assignment policy and timers, from `JAMS_*` variables."""

    review_sla_s: float = Field(
        default=MAX_SLA_S, gt=0, le=MAX_SLA_S,
        description="Time a reviewer has for an accepted task: 15 to 20 minutes",
    )
    short_sla_for_tests: bool = Field(
        default=False, description="Allow an SLA under 15 minutes (real-time tests only)"
    )
    offer_window_s: float = Field(default=60.0, gt=0, description="Time to accept an offer")
    warning_before_s: float = Field(
        default=5 * 60, ge=0, description="How long before the deadline the reviewer is warned"
    )
    strike_window_s: float = Field(
        default=7 * 24 * 3600, gt=0, description="Rolling window in which strikes count"
    )
    strike_warn_at: int = Field(default=3, ge=1, description="Strike count that warns")
    strike_lock_at: int = Field(default=4, ge=1, description="Strike count that locks")
    assignment_policy: AssignmentPolicy = AssignmentPolicy.ROUND_ROBIN
    reviewer_capacity: int = Field(default=1, ge=1, le=50, description="Tasks held at once")
    reviewer_skills: dict[uuid.UUID, list[str]] = Field(
        default_factory=dict, description="Reviewer id -> skill tags; none: takes any task"
    )
    reviewer_supervisors: dict[uuid.UUID, uuid.UUID] = Field(
        default_factory=dict, description="Reviewer id -> supervisor id, told of warnings"
    )
    auto_apply_threshold: float = Field(default=90.0, description="Score that applies by itself")
    review_floor: float = Field(default=50.0, description="Lowest score that gets a review")
    priority_boost_s: float = Field(
        default=3600.0, ge=0, description="Queue head start of a task of priority 1.0"
    )
    presence_namespace: str = Field(
        default="jams",
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Prefix of the Redis presence keys; must match the gateway's",
    )
    presence_ttl_s: float = Field(
        default=30.0, gt=0, description="A reviewer whose last heartbeat is older is offline"
    )
    assign_sweep_s: float = Field(
        default=5.0, gt=0, description="How often queued tasks are matched to idle reviewers"
    )
    timer_poll_s: float = Field(
        default=0.2, gt=0, description="Longest wait between looks at the timers table"
    )
    timer_batch: int = Field(default=100, ge=1, le=10_000, description="Timers per transaction")

    @model_validator(mode="after")
    def _sla_bounds(self) -> Self:
        if self.review_sla_s < MIN_SLA_S and not self.short_sla_for_tests:
            raise ValueError(f"review_sla_s must be between {MIN_SLA_S} and {MAX_SLA_S} seconds")
        if self.strike_lock_at <= self.strike_warn_at:
            raise ValueError("strike_lock_at must be above strike_warn_at")
        return self

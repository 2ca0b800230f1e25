"""Settings of the workflow service."""

from __future__ import annotations

from pydantic import Field

from infra.settings import CommonSettings


class WorkflowSettings(CommonSettings):
    """Review SLA, presence freshness and assignment sweep, from `JAMS_*` variables."""

    review_sla_s: float = Field(
        default=20 * 60, gt=0, description="Time a reviewer has for an assigned task"
    )
    presence_namespace: str = Field(
        default="jams",
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Prefix of the Redis presence keys; must match the gateway's",
    )
    presence_ttl_s: float = Field(
        default=45.0, gt=0, description="A reviewer whose last heartbeat is older is away"
    )
    assign_sweep_s: float = Field(
        default=5.0, gt=0, description="How often queued tasks are matched to idle reviewers"
    )

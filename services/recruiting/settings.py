"""Settings of the recruiting service."""

from __future__ import annotations

from pydantic import Field

from infra.employer_jobs import DEFAULT_APPLY_URL
from infra.settings import CommonSettings


class RecruitingSettings(CommonSettings):
    """Read from `JAMS_*` variables, like every service's settings."""

    presence_namespace: str = Field(
        default="jams", pattern=r"^[A-Za-z0-9_.-]+$",
        description="Prefix of the gateway's Redis keys: token revocations and rate limits are "
                    "read from it, so it must match the gateway's",
    )
    employer_apply_url: str = Field(
        default=DEFAULT_APPLY_URL, max_length=500,
        description="Where an employer job without an apply link of its own is applied for "
                    "(its id is appended)",
    )
    page_limit: int = Field(default=50, ge=1, le=200, description="Default page size of lists")

"""Settings of the application bot."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from infra.settings import CommonSettings


class ApplicationBotSettings(CommonSettings):
    """Read from `JAMS_*` variables, like every service's settings."""

    chromium_path: Path = Field(default=Path("/usr/bin/chromium"),
                                description="The Chromium binary Playwright drives")
    candidates_seed: Path = Field(
        default=Path("sandbox/seed/candidates.json"),
        description="Candidates' contact details, until a candidate service owns them",
    )
    navigation_timeout_s: float = Field(default=20.0, gt=0, le=300,
                                        description="Longest wait for a page or an element")
    confirmation_timeout_s: float = Field(default=20.0, gt=0, le=300,
                                          description="Longest wait for the portal's confirmation")
    portal_check_timeout_s: float = Field(default=10.0, gt=0, le=300,
                                          description="Longest wait when asking the portal")
    max_attempts: int = Field(default=3, ge=1, le=20,
                              description="Visits that send nothing before giving up")
    sweep_interval_s: float = Field(default=30.0, gt=0, le=3600,
                                    description="How often to look for orphaned applications")
    sweep_grace_s: float = Field(
        default=60.0, ge=0, le=86400,
        description="Age of a `submitting`/`unknown` row before the sweep may settle it",
    )

"""Settings of the job discovery service."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from infra.settings import CommonSettings
from services.job_discovery.sources import SourceConfig, sandbox_sources

SANDBOX_API = "http://127.0.0.1:8700"


class GreenhouseBoard(BaseModel):
    """One Greenhouse job board to scrape, and the company whose jobs it lists."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    board_token: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")
    company: str = Field(min_length=1, max_length=300)
    api_base: str = Field(default="https://boards-api.greenhouse.io",
                          pattern=r"^https?://[^\s]+$")


def _sandbox_boards(api_base: str) -> list[GreenhouseBoard]:
    return [
        GreenhouseBoard(board_token="acme", company="Acme", api_base=api_base),
        GreenhouseBoard(board_token="globex", company="Globex", api_base=api_base),
        GreenhouseBoard(board_token="acme-careers", company="Acme", api_base=api_base),
    ]


def _default_boards() -> list[GreenhouseBoard]:
    return _sandbox_boards(SANDBOX_API)


class JobDiscoverySettings(CommonSettings):
    greenhouse_boards: list[GreenhouseBoard] = Field(
        default_factory=_default_boards,
        description="Boards to scrape, as JSON in JAMS_GREENHOUSE_BOARDS; the sandbox by default",
    )
    scrape_interval_s: float = Field(default=300, gt=0, description="Seconds between rounds")
    scrape_on_start: bool = Field(default=True, description="Scrape once as soon as it starts")
    http_timeout_s: float = Field(default=15, gt=0, description="Per request to a job board")
    sources: list[SourceConfig] = Field(
        default_factory=lambda: sandbox_sources(SANDBOX_API),
        description="Scrape-fleet sources, as JSON in JAMS_SOURCES; the sandbox's by default",
    )
    allow_private_hosts: list[str] = Field(
        default_factory=lambda: ["127.0.0.1:8700", "localhost:8700"],
        description="Hosts (host, host:port or CIDR) on private addresses that may be scraped",
    )
    fleet_enabled: bool = Field(default=False, description="Run a scrape-fleet worker here")
    fleet_lease_s: float = Field(default=300, gt=0, description="A dead worker's run waits this")
    fleet_poll_s: float = Field(default=10, gt=0, description="Seconds between looks for runs")
    chromium_path: str = Field(default="/usr/bin/chromium-headless-shell",
                               description="The Chromium that browser sources drive")
    expiry_sweep_interval_s: float = Field(
        default=3600, gt=0, description="Seconds between sweeps that expire and purge jobs")
    job_purge_after_days: float = Field(
        default=90, gt=0, description="Days an expired job is kept before it is deleted")

    @staticmethod
    def sandbox_boards(api_base: str) -> dict[str, Any]:
        """Settings fields that point every board at a sandbox portal serving on `api_base`."""
        return {"greenhouse_boards": _sandbox_boards(api_base)}

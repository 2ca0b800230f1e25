"""Settings of the job discovery service."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pydantic import Field

from infra.chromium import ChromiumSettings
from infra.settings import CommonSettings
from services.job_discovery.sources import SourceConfig, sandbox_seed_boards, sandbox_sources

SANDBOX_API = "http://127.0.0.1:8700"


class JobDiscoverySettings(CommonSettings, ChromiumSettings):
    sources: list[SourceConfig] = Field(
        default_factory=lambda: sandbox_sources(SANDBOX_API),
        description="Sources to scrape, as JSON in JAMS_SOURCES; the sandbox's by default",
    )
    allow_private_hosts: list[str] = Field(
        default_factory=lambda: ["127.0.0.1:8700", "localhost:8700"],
        description="Hosts (host, host:port or CIDR) on private addresses that may be scraped",
    )
    fleet_enabled: bool = Field(
        default=True, description="Run a scrape worker here (off where only CronJobs scrape)")
    fleet_lease_s: float = Field(default=300, gt=0, description="A dead worker's run waits this")
    fleet_poll_s: float = Field(default=10, gt=0, description="Seconds between looks for runs")
    http_timeout_s: float = Field(default=15, gt=0, description="Per request to a job source")
    expiry_sweep_interval_s: float = Field(
        default=3600, gt=0, description="Seconds between sweeps that expire and purge jobs")
    job_purge_after_days: float = Field(
        default=90, gt=0, description="Days an expired job is kept before it is deleted")

    @staticmethod
    def sandbox_boards(api_base: str) -> dict[str, Any]:
        """Settings fields that scrape the seed boards of a sandbox portal serving on `api_base`.

        The portal is on a private address, so it is allow-listed.
        """
        return {"sources": sandbox_seed_boards(api_base),
                "allow_private_hosts": [urlsplit(api_base).netloc]}

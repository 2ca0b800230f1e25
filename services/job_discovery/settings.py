"""Settings of the job discovery service."""

from __future__ import annotations

from pydantic import Field

from infra.chromium import ChromiumSettings
from infra.settings import CommonSettings
from services.job_discovery.sources import SourceConfig


class JobDiscoverySettings(CommonSettings, ChromiumSettings):
    sources: list[SourceConfig] = Field(
        default_factory=list,
        description="Sources to scrape, as JSON in JAMS_SOURCES; none by default",
    )
    allow_private_hosts: list[str] = Field(
        default_factory=list,
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
    run_completion_wait_s: float = Field(
        default=300, gt=0,
        description="Longest a run's completion waits for postings it announced (then applied, "
                    "logged and counted); expiry waits with it")
    run_completion_check_s: float = Field(
        default=10, gt=0, description="Seconds between looks at run completions that wait")

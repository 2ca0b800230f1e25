"""Settings of the analytics service."""

from __future__ import annotations

from pydantic import Field

from infra.settings import CommonSettings


class AnalyticsSettings(CommonSettings):
    """Read from `JAMS_*` variables, like every service's settings."""

    analytics_namespace: str = Field(
        default="jams", pattern=r"^[A-Za-z0-9_.-]+$",
        description="Prefix of the Redis channel and keys of live analytics; replicas share it",
    )
    push_debounce_s: float = Field(
        default=0.3, ge=0, le=10,
        description="After events arrive, how long to gather more before pushing new figures",
    )
    tick_interval_s: float = Field(
        default=5.0, gt=0, le=600,
        description="How often figures that move with time alone (windows, DLQs) are pushed",
    )
    dlq_poll_interval_s: float = Field(
        default=15.0, gt=0, le=3600, description="How often dead-letter topics are counted",
    )
    active_scraper_window_s: float = Field(
        default=600.0, gt=0,
        description="A source counts as an active scraper if it reported within this time",
    )
    figures_window_s: float = Field(
        default=86400.0, gt=0,
        description="Window of the summary's rates, review times, misses and strikes",
    )
    retention_days: int = Field(
        default=35, ge=1, le=3650, description="Minute buckets older than this are deleted",
    )
    dlq_page_limit: int = Field(
        default=50, ge=1, le=1000, description="Default page size of the dead-letter listing",
    )

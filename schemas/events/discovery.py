"""Scrape fleet alerts for operators: a portal blocked us, or a run looks wrong."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from schemas.events import topics
from schemas.events.envelope import EventData


class SourceBlocked(EventData):
    """A portal refused a scrape run (403, captcha, 429 past retries, open breaker, quota)."""

    TYPE: ClassVar[str] = "jams.discovery.SourceBlocked"
    TOPIC: ClassVar[str] = topics.DISCOVERY_ALERTS
    KEY_FIELD: ClassVar[str] = "source"
    DESCRIPTION: ClassVar[str] = (
        "A portal blocked or throttled a scrape run; what it fetched before is kept."
    )

    source: str = Field(min_length=1, max_length=300, description="The configured source name")
    portal: str = Field(min_length=1, max_length=100, description="Whose limits apply")
    run_id: str = Field(min_length=1, max_length=200)
    reason: str = Field(
        min_length=1, max_length=100,
        description="`blocked`, `rate_limited`, `circuit_open` or `quota_exhausted`",
    )
    kind: str = Field(default="", max_length=100, description="e.g. `forbidden`, `captcha`")
    status: int | None = Field(default=None, description="HTTP status, if one came back")
    detail: str = Field(default="", max_length=2000)
    retry_after_s: float | None = Field(default=None, ge=0)


class ScrapeAnomalyDetected(EventData):
    """A run whose result looks wrong: far fewer jobs than usual, or an unknown page shape."""

    TYPE: ClassVar[str] = "jams.discovery.ScrapeAnomalyDetected"
    TOPIC: ClassVar[str] = topics.DISCOVERY_ALERTS
    KEY_FIELD: ClassVar[str] = "source"
    DESCRIPTION: ClassVar[str] = (
        "A scrape run returned far fewer jobs than its source usually does, or a payload "
        "or page no longer matched its adapter; not accepted as `no jobs today`."
    )

    source: str = Field(min_length=1, max_length=300)
    run_id: str = Field(min_length=1, max_length=200)
    kind: str = Field(min_length=1, max_length=100,
                      description="`too_few_jobs`, `layout_changed` or `selector_drift`")
    detail: str = Field(default="", max_length=2000)
    expected: float | None = Field(default=None, description="The usual count, if relevant")
    observed: int | None = Field(default=None, description="This run's count, if relevant")

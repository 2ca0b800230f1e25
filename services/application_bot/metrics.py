"""Gauges of applications a crash left unsettled, set by the orphan sweep each round."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from prometheus_client import Gauge

from services.application_bot.repository import Orphans

ORPHAN_AGE = "jams_application_bot_orphan_age_seconds"  # watched by the orphan alert


@cache
def _gauges() -> tuple[Gauge, Gauge]:
    return (
        Gauge(ORPHAN_AGE,
              "Age of the oldest application left submitting or unknown (0: none)"),
        Gauge("jams_application_bot_orphans_applications",
              "Applications left submitting or unknown, a person's answer awaited included"),
    )


def report_orphans(orphans: Orphans, now: datetime) -> None:
    age, count = _gauges()
    count.set(orphans.count)
    age.set(0 if orphans.oldest_since is None
            else max(0.0, (now - orphans.oldest_since).total_seconds()))

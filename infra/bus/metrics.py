"""Prometheus metrics of the bus, shared by every adapter.

Every JAMS metric is named `jams_<area>_<what>_<unit>` (tests/unit/test_metrics_names.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from prometheus_client import Counter, Histogram

# From a cache hit to a browser-driven application: milliseconds to a minute.
HANDLE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


@dataclass(frozen=True)
class BusMetrics:
    published: Counter
    handled: Counter
    failures: Counter
    dead_lettered: Counter
    handle_seconds: Histogram
    emitted: Counter
    skipped: Counter

    @staticmethod
    @cache
    def default() -> BusMetrics:
        return BusMetrics(
            published=Counter("jams_bus_published_total", "Records published", ["topic"]),
            handled=Counter("jams_bus_handled_total", "Events handled", ["topic", "group"]),
            failures=Counter(
                "jams_bus_handler_failures_total", "Handler attempts that raised",
                ["topic", "group"],
            ),
            dead_lettered=Counter(
                "jams_bus_dead_lettered_total", "Records sent to a dead-letter topic",
                ["topic", "group"],
            ),
            handle_seconds=Histogram(
                "jams_bus_handle_duration_seconds",
                "Time to handle one event, retries included", ["topic", "group"],
                buckets=HANDLE_BUCKETS,
            ),
            emitted=Counter(
                "jams_events_emitted_total",
                "Events a service emitted (staged in the outbox or published), by type",
                ["service", "type"],
            ),
            skipped=Counter(
                "jams_events_skipped_total",
                "Events on a subscribed topic of a type the service does not handle, by type",
                ["group", "type"],
            ),
        )

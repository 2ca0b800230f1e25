"""Prometheus counters of the bus, shared by every adapter."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from prometheus_client import Counter


@dataclass(frozen=True)
class BusMetrics:
    published: Counter
    handled: Counter
    failures: Counter
    dead_lettered: Counter

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
        )

"""The figures themselves: which event moves which counter, buckets, percentiles, rates.

Plain functions without I/O, so they are tested with a fake clock and no servers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from schemas.events import applications, jobs, matching, review
from schemas.events.discovery import ScrapeAnomalyDetected, SourceBlocked
from schemas.events.envelope import EventData
from schemas.events.notifications import NotificationDelivered
from schemas.events.registry import EVENT_TYPES
from schemas.events.resumes import ResumeVersionCreated

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTE = 60

# The counter each event type moves by one, per minute of the event's time.
COUNTER_OF: Mapping[type[EventData], str] = {
    jobs.JobDiscovered: "jobs_found",
    jobs.JobPublished: "jobs_published",
    jobs.JobExpired: "jobs_expired",
    jobs.ScrapeRunCompleted: "scrape_runs",
    SourceBlocked: "sources_blocked",
    ScrapeAnomalyDetected: "scrape_anomalies",
    ResumeVersionCreated: "resume_versions",
    matching.MatchScored: "matches_scored",
    matching.MatchesScored: "matches_scored",  # by its number of pairs (see counts_of)
    matching.ApplicationApproved: "decisions_auto",
    matching.ManualReviewRequired: "decisions_review",
    matching.MatchRejected: "decisions_reject",
    review.ReviewTaskCreated: "reviews_created",
    review.ReviewTaskOffered: "review_offers",
    review.ReviewTaskOfferExpired: "review_offers_expired",
    review.ReviewTaskAssigned: "reviews_accepted",
    review.ReviewTaskWarning: "sla_warnings",
    review.ReviewTaskMissed: "sla_misses",
    review.ReviewTaskHandedBack: "reviews_handed_back",
    review.TaskCompleted: "reviews_completed",
    review.TaskRejected: "reviews_rejected",
    review.ReviewerStruck: "strikes",
    review.ReviewerStrikeWarning: "strike_warnings",
    review.ReviewerLocked: "reviewer_locks",
    review.ReviewerUnlocked: "reviewer_unlocks",
    review.ReviewerPresenceChanged: "presence_changes",
    review.AcceptReviewTask: "review_commands",
    review.CompleteReviewTask: "review_commands",
    review.RejectReviewTask: "review_commands",
    review.HandBackReviewTask: "review_commands",
    review.UnlockReviewer: "review_commands",
    applications.ApplicationSubmitted: "applications_submitted",
    applications.ApplicationFailed: "applications_failed",
    applications.ApplicationNeedsReview: "applications_need_review",
    NotificationDelivered: "notifications_delivered",
}


def counter_for(event_type: type[EventData]) -> str:
    """The counter of an event type; a type added later is counted under its own name."""
    named = COUNTER_OF.get(event_type)
    if named is not None:
        return named
    return re.sub(r"(?<!^)(?=[A-Z])", "_", event_type.TYPE.rsplit(".", 1)[-1]).lower()


COUNTERS: frozenset[str] = frozenset(counter_for(t) for t in EVENT_TYPES) | {"scrape_errors"}
# What a batch of scored pairs adds to the counters beyond the one event it is; kept so that
# "events read" stays a count of events (not a figure of its own).
BATCHED_EXTRA = "batched_extra_counts"
# Figures computed from other figures rather than counted directly.
DERIVED = frozenset({"jobs_deduplicated", "review_time_p50", "review_time_p95"})
SERIES_METRICS: frozenset[str] = COUNTERS | DERIVED
TERMINAL_TASK_STATES = ("completed", "rejected")
HOLDING_TASK_STATES = ("offered", "assigned")


def counts_of(event: EventData) -> list[tuple[str, int]]:
    """The counters an event moves: its own, plus scrape errors a run reports. A batch of
    scored pairs counts as the per-pair events it replaces (MatchScored, and MatchRejected
    for a rejection that acted), so the figures read the same across the change."""
    if isinstance(event, matching.MatchesScored):
        return _batch_counts(event)
    counts = [(counter_for(type(event)), 1)]
    if isinstance(event, jobs.ScrapeRunCompleted) and event.errors:
        counts.append(("scrape_errors", len(event.errors)))
    return counts


def _batch_counts(event: matching.MatchesScored) -> list[tuple[str, int]]:
    rejected = sum(1 for p in event.pairs if p.decision == "reject" and p.acted)
    counts = [(counter_for(matching.MatchScored), len(event.pairs))]
    if rejected:
        counts.append((counter_for(matching.MatchRejected), rejected))
    extra = len(event.pairs) + rejected - 1
    if extra:
        counts.append((BATCHED_EXTRA, extra))
    return counts


def events_read(totals: Mapping[str, float]) -> int:
    """Every event read, once each: scrape errors are counted inside their runs, the pairs of
    a scoring batch inside the batch (BATCHED_EXTRA says by how much beyond one event)."""
    counted = sum(v for k, v in totals.items() if k not in ("scrape_errors", BATCHED_EXTRA))
    return int(counted - totals.get(BATCHED_EXTRA, 0))


def bucket_floor(at: datetime, step_s: int) -> datetime:
    """Start of the `step_s`-second bucket holding `at`, aligned to the Unix epoch (UTC)."""
    seconds = math.floor((at - EPOCH).total_seconds() / step_s) * step_s
    return EPOCH + timedelta(seconds=seconds)


@dataclass(frozen=True)
class Window:
    """A span of time ending now, cut into equal steps."""

    name: str
    span_s: int
    step_s: int

    def start(self, now: datetime) -> datetime:
        """First bucket that belongs to the window (the window ends with `now`'s bucket)."""
        last = bucket_floor(now, self.step_s)
        return last - timedelta(seconds=self.step_s * (self.span_s // self.step_s - 1))


WINDOWS: Mapping[str, Window] = {w.name: w for w in (
    Window("15m", 900, 60),
    Window("1h", 3600, 60),
    Window("6h", 6 * 3600, 300),
    Window("24h", 86400, 3600),
    Window("7d", 7 * 86400, 86400),
    Window("30d", 30 * 86400, 86400),
)}


def window_named(name: str) -> Window:
    try:
        return WINDOWS[name]
    except KeyError:
        raise ValueError(f"unknown window {name!r}; one of {', '.join(WINDOWS)}") from None


def metric_named(name: str) -> str:
    if name not in SERIES_METRICS:
        raise ValueError(f"unknown metric {name!r}; one of {', '.join(sorted(SERIES_METRICS))}")
    return name


def fill_series(
    points: Mapping[datetime, float], window: Window, now: datetime
) -> list[tuple[datetime, float]]:
    """Every bucket of the window in order, zero where nothing was counted."""
    start = window.start(now)
    step = timedelta(seconds=window.step_s)
    count = window.span_s // window.step_s
    return [(start + step * i, float(points.get(start + step * i, 0.0))) for i in range(count)]


def rebucket(minutes: Iterable[tuple[datetime, float]], step_s: int) -> dict[datetime, float]:
    """Sum minute counts into `step_s` buckets."""
    sums: dict[datetime, float] = {}
    for at, value in minutes:
        bucket = bucket_floor(at, step_s)
        sums[bucket] = sums.get(bucket, 0.0) + value
    return sums


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) by linear interpolation between ranks; None when empty."""
    if not 0 <= q <= 100:
        raise ValueError("q must lie in [0, 100]")
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def percentile_series(
    durations: Iterable[tuple[datetime, float]], q: float, window: Window, now: datetime
) -> list[tuple[datetime, float | None]]:
    """Per bucket of the window, the q-th percentile of the durations that ended in it."""
    grouped: dict[datetime, list[float]] = {}
    for at, seconds in durations:
        grouped.setdefault(bucket_floor(at, window.step_s), []).append(seconds)
    return [(at, percentile(grouped.get(at, []), q))
            for at, _ in fill_series({}, window, now)]


@dataclass(frozen=True)
class DecisionRates:
    auto: int
    review: int
    reject: int

    @property
    def total(self) -> int:
        return self.auto + self.review + self.reject

    def rate(self, count: int) -> float:
        return count / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "auto": self.auto, "review": self.review, "reject": self.reject,
            "total": self.total, "auto_apply_rate": self.rate(self.auto),
            "manual_review_rate": self.rate(self.review), "reject_rate": self.rate(self.reject),
        }


def deduplicated(found: float, published: float) -> float:
    """Raw finds that did not become a new canonical job (seen before, or on another board)."""
    return max(0.0, found - published)


def per_minute(count: float, span_s: float) -> float:
    return count * 60.0 / span_s if span_s > 0 else 0.0


@dataclass(frozen=True)
class SourceState:
    """What is known about one source, as the health rule reads it."""

    last_seen_at: datetime
    last_run_at: datetime | None
    last_run_complete: bool | None
    last_run_errors: int | None
    last_blocked_at: datetime | None


def source_health(state: SourceState, now: datetime, active_window_s: float) -> str:
    """`blocked` when the newest word from it is a block; `failing` when its last run had
    errors or stopped early; `idle` when it has been quiet for the active window; else `ok`."""
    if state.last_blocked_at is not None and (
            state.last_run_at is None or state.last_blocked_at >= state.last_run_at):
        return "blocked"
    if state.last_run_at is not None and (
            not state.last_run_complete or (state.last_run_errors or 0) > 0):
        return "failing"
    if (now - state.last_seen_at).total_seconds() > active_window_s:
        return "idle"
    return "ok"


def is_active(last_seen_at: datetime, now: datetime, active_window_s: float) -> bool:
    return (now - last_seen_at).total_seconds() <= active_window_s

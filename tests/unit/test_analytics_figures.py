"""The analytics figures as plain functions: buckets, windows, percentiles, rates, health."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from infra.clock import FakeClock
from schemas.events.jobs import ScrapeRunCompleted
from schemas.events.matching import MatchesScored, MatchRejected, ScoredPair
from schemas.events.registry import EVENT_TYPES
from services.analytics.figures import (
    BATCHED_EXTRA,
    COUNTER_OF,
    SERIES_METRICS,
    DecisionRates,
    SourceState,
    bucket_floor,
    counter_for,
    counts_of,
    deduplicated,
    events_read,
    fill_series,
    is_active,
    metric_named,
    per_minute,
    percentile,
    percentile_series,
    rebucket,
    source_health,
    window_named,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_buckets_align_to_the_epoch_in_utc() -> None:
    at = datetime(2026, 3, 1, 12, 7, 59, 999_000, tzinfo=UTC)
    assert bucket_floor(at, 60) == datetime(2026, 3, 1, 12, 7, tzinfo=UTC)
    assert bucket_floor(at, 300) == datetime(2026, 3, 1, 12, 5, tzinfo=UTC)
    assert bucket_floor(at, 86400) == datetime(2026, 3, 1, tzinfo=UTC)
    assert bucket_floor(T0, 60) == T0  # a boundary belongs to the bucket it starts


def test_a_window_ends_with_the_current_bucket_and_has_one_point_per_step() -> None:
    clock = FakeClock(T0 + timedelta(seconds=30))
    hour = window_named("1h")
    series = fill_series({T0: 3.0, T0 - timedelta(minutes=59): 1.0,
                          T0 - timedelta(minutes=60): 99.0}, hour, clock.now())
    assert len(series) == 60
    assert series[-1] == (T0, 3.0)
    assert series[0] == (T0 - timedelta(minutes=59), 1.0)
    assert 99.0 not in [v for _, v in series], "a bucket before the window is left out"
    assert sum(v for _, v in series) == 4.0

    clock.advance(60)  # the window moves with the clock: the oldest bucket drops out
    moved = fill_series({T0: 3.0, T0 - timedelta(minutes=59): 1.0}, hour, clock.now())
    assert moved[-1] == (T0 + timedelta(minutes=1), 0.0)
    assert sum(v for _, v in moved) == 3.0


def test_minute_counts_sum_into_coarser_buckets() -> None:
    minutes = [(T0 + timedelta(minutes=m), 1.0) for m in range(12)]
    assert rebucket(minutes, 300) == {T0: 5.0, T0 + timedelta(minutes=5): 5.0,
                                      T0 + timedelta(minutes=10): 2.0}


def test_unknown_windows_and_metrics_are_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="one of 15m, 1h"):
        window_named("2h")
    with pytest.raises(ValueError, match="jobs_found"):
        metric_named("jobs_foundd")
    assert metric_named("review_time_p95") == "review_time_p95"


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([], 50) is None
    assert percentile([7.0], 95) == 7.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 100) == 100.0
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_review_time_percentiles_per_bucket_leave_empty_buckets_empty() -> None:
    clock = FakeClock(T0 + timedelta(minutes=30))
    window = window_named("1h")
    durations = [(T0 + timedelta(minutes=10, seconds=s), float(v))
                 for s, v in ((1, 60), (2, 120), (3, 600))]
    series = dict(percentile_series(durations, 50, window, clock.now()))
    assert series[T0 + timedelta(minutes=10)] == 120.0
    assert series[T0 + timedelta(minutes=11)] is None
    p95 = dict(percentile_series(durations, 95, window, clock.now()))
    assert p95[T0 + timedelta(minutes=10)] == pytest.approx(552.0)


def test_decision_rates_split_the_decisions_and_survive_none() -> None:
    assert DecisionRates(0, 0, 0).as_dict()["auto_apply_rate"] == 0.0
    rates = DecisionRates(auto=1, review=2, reject=1).as_dict()
    assert rates["total"] == 4
    assert (rates["auto_apply_rate"], rates["manual_review_rate"], rates["reject_rate"]) == \
        (0.25, 0.5, 0.25)


def test_deduplicated_jobs_and_rates_per_minute() -> None:
    assert deduplicated(found=10, published=7) == 3
    assert deduplicated(found=2, published=5) == 0  # published from earlier finds: never negative
    assert per_minute(30, 300) == 6.0
    assert per_minute(5, 0) == 0.0


def test_every_event_type_moves_a_counter_a_chart_can_ask_for() -> None:
    for event_type in EVENT_TYPES:
        assert counter_for(event_type) in SERIES_METRICS, event_type
    assert {"jobs_found", "decisions_auto", "applications_failed", "sla_misses"} <= set(
        COUNTER_OF.values())


def test_a_scrape_run_counts_its_errors_too() -> None:
    run = ScrapeRunCompleted(source="greenhouse:acme", run_id="r1", seen_source_job_keys=["a"],
                             complete=False, errors=["timeout: page 2", "http 500: page 3"])
    assert counts_of(run) == [("scrape_runs", 1), ("scrape_errors", 2)]
    rejected = MatchRejected(match_id=uuid.uuid4(), candidate_id=uuid.uuid4(),
                             job_id=uuid.uuid4(), score=12)
    assert counts_of(rejected) == [("decisions_reject", 1)]


def _pair(decision: str, *, acted: bool = True) -> ScoredPair:
    return ScoredPair(match_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(),
                      resume_version_id=uuid.uuid4(), score=50, decision=decision, acted=acted)


def test_a_batch_of_scored_pairs_counts_each_pair_and_each_acted_rejection() -> None:
    batch = MatchesScored(batch_id=uuid.uuid4(), pairs=[
        _pair("apply"), _pair("review"), _pair("reject"), _pair("reject"),
        _pair("reject", acted=False), _pair("apply", acted=False)])
    # The extra counts let "events read" take the batch as the one event it is: 6 + 2 - 1.
    assert counts_of(batch) == [("matches_scored", 6), ("decisions_reject", 2),
                                (BATCHED_EXTRA, 7)]
    # Approvals and reviews are counted from their own events, which still follow the batch.
    no_rejection = MatchesScored(batch_id=uuid.uuid4(), pairs=[_pair("apply"), _pair("review")])
    assert counts_of(no_rejection) == [("matches_scored", 2), (BATCHED_EXTRA, 1)]
    single = MatchesScored(batch_id=uuid.uuid4(), pairs=[_pair("review")])
    assert counts_of(single) == [("matches_scored", 1)]


def test_events_read_counts_a_batch_and_a_scrape_run_once_each() -> None:
    batch = MatchesScored(batch_id=uuid.uuid4(), pairs=[
        _pair("apply"), _pair("reject"), _pair("reject", acted=False)])
    run = ScrapeRunCompleted(source="greenhouse:acme", run_id="r1", seen_source_job_keys=[],
                             complete=True, errors=["timeout"])
    old_style = MatchRejected(match_id=uuid.uuid4(), candidate_id=uuid.uuid4(),
                              job_id=uuid.uuid4(), score=12)
    totals: dict[str, float] = {}
    for event in (batch, run, old_style):
        for metric, amount in counts_of(event):
            totals[metric] = totals.get(metric, 0) + amount
    assert events_read(totals) == 3
    assert (totals["matches_scored"], totals["decisions_reject"]) == (3, 2)


def test_source_health_follows_the_newest_word_from_the_source() -> None:
    clock = FakeClock(T0)
    now = clock.now()
    ok = SourceState(last_seen_at=now, last_run_at=now, last_run_complete=True,
                     last_run_errors=0, last_blocked_at=None)
    assert source_health(ok, now, 600) == "ok"
    blocked = SourceState(now, now - timedelta(minutes=5), True, 0, now)
    assert source_health(blocked, now, 600) == "blocked"
    recovered = SourceState(now, now, True, 0, now - timedelta(minutes=5))
    assert source_health(recovered, now, 600) == "ok"
    assert source_health(SourceState(now, now, False, 0, None), now, 600) == "failing"
    assert source_health(SourceState(now, now, True, 3, None), now, 600) == "failing"
    clock.advance(601)
    assert source_health(ok, clock.now(), 600) == "idle"
    assert not is_active(ok.last_seen_at, clock.now(), 600)
    assert is_active(ok.last_seen_at, clock.now(), 601)

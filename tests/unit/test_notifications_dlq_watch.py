"""Dead-letter growth rules through a fake clock: one alert per growth episode."""

from __future__ import annotations

from datetime import timedelta

import pytest

from infra.clock import FakeClock
from services.notifications.dlq_growth import Alert, WatchRules, WatchState, assess

RULES = WatchRules(threshold=10, growth=5, window=timedelta(minutes=10))


class Watch:
    """A topic watched every minute on a fake clock, as the service's loop does."""

    def __init__(self, clock: FakeClock, topic: str = "jobs.raw.dlq") -> None:
        self.clock = clock
        self.state = WatchState(topic)
        self.alerts: list[Alert] = []

    def see(self, size: int, after_s: float = 60) -> Alert | None:
        self.clock.advance(after_s)
        self.state, alert = assess(self.state, size, self.clock.now(), RULES)
        if alert is not None:
            self.alerts.append(alert)
        return alert


def test_growth_by_n_within_the_window_alerts_once_per_episode(fake_clock: FakeClock) -> None:
    watch = Watch(fake_clock)
    assert watch.see(0) is None
    for size in (1, 2, 3, 4):
        assert watch.see(size) is None
    alert = watch.see(5)  # grew by 5 within ten minutes
    assert alert is not None and (alert.size, alert.growth, alert.topic) == (5, 5, "jobs.raw.dlq")
    for size in (6, 7, 9):  # still the same episode
        assert watch.see(size) is None
    assert len(watch.alerts) == 1


def test_the_episode_ends_after_a_quiet_window_and_new_growth_alerts_again(
    fake_clock: FakeClock,
) -> None:
    watch = Watch(fake_clock)
    watch.see(0)
    first = watch.see(6)
    assert first is not None
    for _ in range(9):
        assert watch.see(6) is None  # nine quiet minutes: the episode goes on
    assert watch.state.episode_id == first.episode_id
    assert watch.see(6) is None  # ten: over
    assert watch.state.episode_id is None
    second = watch.see(7)  # under the growth bar, but new letters after a quiet window...
    assert second is None  # ... stay quiet below the threshold
    assert watch.see(8) is None and watch.see(9) is None
    second = watch.see(10)  # the threshold, and more than when the last episode ended
    assert second is not None and second.episode_id != first.episode_id
    assert watch.see(11) is None
    assert len(watch.alerts) == 2


def test_crossing_the_threshold_alerts_even_when_growth_is_slow(fake_clock: FakeClock) -> None:
    watch = Watch(fake_clock)
    watch.see(0)
    for size in range(1, 10):
        assert watch.see(size, after_s=300) is None  # one letter every five minutes
    alert = watch.see(10, after_s=300)
    assert alert is not None and alert.size == 10


def test_a_topic_stuck_above_the_threshold_does_not_alert_again(fake_clock: FakeClock) -> None:
    watch = Watch(fake_clock)
    assert watch.see(30) is not None  # found full at the first check
    for _ in range(60):
        assert watch.see(30) is None
    assert watch.state.baseline == 30
    assert watch.see(31) is not None  # new dead letters after the quiet hour


def test_a_drained_topic_lowers_the_bar(fake_clock: FakeClock) -> None:
    watch = Watch(fake_clock)
    watch.see(12)
    for _ in range(11):
        watch.see(12)
    watch.see(0)  # replayed
    assert watch.state.baseline == 0
    for size in (3, 6, 9):
        watch.see(size, after_s=600)
    assert watch.see(12, after_s=600) is not None
    assert len(watch.alerts) == 2


def test_state_survives_a_restart_because_it_is_all_in_the_stored_state(
    fake_clock: FakeClock,
) -> None:
    watch = Watch(fake_clock)
    watch.see(0)
    watch.see(6)
    restarted = Watch(fake_clock)
    restarted.state = watch.state  # what the table gives back after a restart
    assert restarted.see(8) is None  # same episode: no second alert


def test_a_negative_size_is_refused(fake_clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="negative"):
        assess(WatchState("t.dlq"), -1, fake_clock.now(), RULES)

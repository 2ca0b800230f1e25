"""When a dead-letter topic's growth is worth an operator's attention: plain rules, no I/O.

A growth episode starts when the topic grew by `growth` letters within the window, or when it
holds at least `threshold` letters and more than it held when the last episode ended. It ends
once the topic has not grown for a whole window. Operators are told once, when it starts.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

# Fixed: an episode's id derives from it, so a retried check announces the same episode.
EPISODE_NAMESPACE = uuid.UUID("1f0c7a52-8d3e-4b6a-9c21-5e7d0b4a9f36")


@dataclass(frozen=True)
class WatchRules:
    threshold: int = 10
    growth: int = 5
    window: timedelta = timedelta(minutes=10)


@dataclass(frozen=True)
class WatchState:
    """What is remembered of one dead-letter topic between checks (stored durably)."""

    topic: str
    last_size: int = 0
    baseline: int = 0  # the size when the last episode ended (or the lowest since)
    samples: tuple[tuple[datetime, int], ...] = ()  # (checked at, size) within the window
    last_growth_at: datetime | None = None
    episode_id: uuid.UUID | None = None
    episode_started_at: datetime | None = None


@dataclass(frozen=True)
class Alert:
    episode_id: uuid.UUID
    topic: str
    size: int
    growth: int


def assess(state: WatchState, size: int, now: datetime,
           rules: WatchRules) -> tuple[WatchState, Alert | None]:
    """The state after seeing `size` now, and the alert to send if an episode just started."""
    if size < 0:
        raise ValueError("a topic cannot hold a negative number of letters")
    since = now - rules.window
    samples = (*(s for s in state.samples if s[0] >= since), (now, size))
    growth = size - min(seen for _, seen in samples)
    grew = size > state.last_size
    last_growth_at = now if grew else state.last_growth_at
    baseline = min(state.baseline, size)  # a replay that drained the topic lowers the bar
    updated = dataclasses.replace(state, last_size=size, baseline=baseline, samples=samples,
                                  last_growth_at=last_growth_at)
    if state.episode_id is None:
        if growth >= rules.growth or (size >= rules.threshold and size > baseline and grew):
            episode = uuid.uuid5(EPISODE_NAMESPACE, f"{state.topic}:{now.isoformat()}")
            started = dataclasses.replace(updated, episode_id=episode, episode_started_at=now)
            return started, Alert(episode, state.topic, size, growth)
        return updated, None
    if last_growth_at is None or last_growth_at <= since:
        # Quiet for a whole window: the episode is over; only new growth starts another.
        return dataclasses.replace(updated, episode_id=None, episode_started_at=None,
                                   baseline=size), None
    return updated, None

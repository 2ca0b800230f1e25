"""Strikes: a rolling window, a warning at the third, a lock at the fourth, unlock by an admin."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class StrikeOutcome(StrEnum):
    STRUCK = "struck"
    WARNED = "warned"
    LOCKED = "locked"


@dataclass(frozen=True)
class StrikeRules:
    """When a reviewer is warned and locked, counting strikes in a rolling window."""

    window: timedelta = timedelta(days=7)
    warn_at: int = 3
    lock_at: int = 4


def strikes_in_window(
    struck_at: Iterable[datetime], now: datetime, rules: StrikeRules,
    cleared_at: datetime | None = None,
) -> int:
    """Strikes that count now: inside the window and after the last unlock."""
    since = now - rules.window
    if cleared_at is not None and cleared_at > since:
        since = cleared_at
    return sum(1 for at in struck_at if since < at <= now)


def outcome(count: int, rules: StrikeRules) -> StrikeOutcome:
    """What a strike that brings the count to `count` leads to."""
    if count >= rules.lock_at:
        return StrikeOutcome.LOCKED
    if count == rules.warn_at:
        return StrikeOutcome.WARNED
    return StrikeOutcome.STRUCK

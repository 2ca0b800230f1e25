"""Task priority: how close the score is to the auto threshold, job freshness, candidate plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class PriorityWeights:
    """Weights of the three factors (they sum to the highest possible priority)."""

    nearness: float = 0.5
    freshness: float = 0.3
    plan: float = 0.2
    auto_threshold: float = 90.0
    review_floor: float = 50.0
    fresh_for: timedelta = timedelta(days=14)
    plans: Mapping[str, float] = field(
        default_factory=lambda: {"free": 0.0, "standard": 0.5, "premium": 1.0}
    )


def priority(
    score: float,
    now: datetime,
    weights: PriorityWeights,
    job_posted_at: datetime | None = None,
    plan: str | None = None,
) -> float:
    """A number in [0, sum of weights]; unknown freshness or plan count as middling."""
    band = max(weights.auto_threshold - weights.review_floor, 1e-9)
    nearness = _clip((score - weights.review_floor) / band)
    if job_posted_at is None:
        freshness = 0.5
    else:
        freshness = _clip(1 - (now - job_posted_at) / weights.fresh_for)
    plan_value = weights.plans.get(plan, 0.5) if plan is not None else 0.5
    return (weights.nearness * nearness + weights.freshness * freshness
            + weights.plan * plan_value)


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))

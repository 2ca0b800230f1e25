"""Per-portal politeness shared by every worker through Redis: rate, slots, retries, breaker."""

from infra.politeness.breaker import CircuitBreaker
from infra.politeness.client import PoliteClient, classify
from infra.politeness.concurrency import ConcurrencyCap
from infra.politeness.errors import (
    Blocked,
    CircuitOpen,
    FetchError,
    FetchFailed,
    RateLimited,
    UnresolvedHost,
    UnsafeUrl,
)
from infra.politeness.policy import PortalPolicy
from infra.politeness.ratelimit import TokenBucket
from infra.politeness.urls import check_url

__all__ = [
    "Blocked",
    "CircuitBreaker",
    "CircuitOpen",
    "ConcurrencyCap",
    "FetchError",
    "FetchFailed",
    "PoliteClient",
    "PortalPolicy",
    "RateLimited",
    "TokenBucket",
    "UnresolvedHost",
    "UnsafeUrl",
    "check_url",
    "classify",
]

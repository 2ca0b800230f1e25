"""A candidate's limits on applying: company blacklist, daily cap, daily cap per portal.

Pure rules; the counts come from the caller (applications claimed since the start of the day).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


def _normal(name: str) -> str:
    return " ".join(name.lower().split())


@dataclass(frozen=True)
class Limits:
    """From the candidate's preferences; no limits unless set."""

    daily_cap: int | None = None
    portal_daily_caps: Mapping[str, int] = field(default_factory=dict)
    blacklist: frozenset[str] = frozenset()

    def blacklisted(self, *names: str) -> str | None:
        """The first of `names` (company, board) the candidate never wants to apply to."""
        banned = {_normal(name) for name in self.blacklist}
        return next((name for name in names if name and _normal(name) in banned), None)


@dataclass(frozen=True)
class Refusal:
    """Why an application may not be made now; `retryable` when a later day may allow it."""

    reason: str
    retryable: bool


def refusal(limits: Limits, *, company: str, board: str, portal: str, today_total: int,
            today_on_portal: int) -> Refusal | None:
    """Whether applying once more breaks one of the candidate's limits."""
    if (name := limits.blacklisted(company, board)) is not None:
        return Refusal(f"the candidate has blacklisted {name!r}", retryable=False)
    if limits.daily_cap is not None and today_total >= limits.daily_cap:
        return Refusal(f"daily cap of {limits.daily_cap} applications reached", retryable=True)
    cap = limits.portal_daily_caps.get(portal)
    if cap is not None and today_on_portal >= cap:
        return Refusal(f"daily cap of {cap} applications on {portal} reached", retryable=True)
    return None

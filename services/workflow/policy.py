"""Who may take a task, and in which order to offer it: presence, capacity, skills, policy."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from infra.presence import AVAILABLE, PresenceEntry

_NEVER = datetime.min.replace(tzinfo=UTC)


class AssignmentPolicy(StrEnum):
    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"


@dataclass(frozen=True)
class Candidate:
    """One available reviewer as the assigner sees them."""

    reviewer_id: uuid.UUID
    load: int
    last_offered: datetime | None = None
    skills: frozenset[str] = frozenset()


def is_available(entry: PresenceEntry | None, now: datetime, ttl: timedelta,
                 sent_away_at: datetime | None = None) -> bool:
    """Available means said so, with a heartbeat recent enough to believe it, and said so
    again since the workflow last sent the reviewer away, if it did."""
    return (entry is not None and entry.status == AVAILABLE and now - entry.heartbeat_at <= ttl
            and came_back(entry, sent_away_at))


def came_back(entry: PresenceEntry, sent_away_at: datetime | None) -> bool:
    """Whether the status dates from after the workflow sent the reviewer away (heartbeats
    keep a status's date, so only saying so, or connecting anew, is coming back)."""
    return sent_away_at is None or entry.since >= sent_away_at


def available_reviewers(
    presence: Mapping[uuid.UUID, PresenceEntry], now: datetime, ttl: timedelta
) -> set[uuid.UUID]:
    """Reviewers whose presence says they can take work now."""
    return {rid for rid, entry in presence.items() if is_available(entry, now, ttl)}


def eligible(candidate: Candidate, tags: Collection[str], capacity: int,
             barred: Collection[uuid.UUID], locked: Collection[uuid.UUID]) -> bool:
    """Free capacity, not locked, never missed this task, and has the skills (if any are set)."""
    if candidate.load >= capacity or candidate.reviewer_id in barred:
        return False
    if candidate.reviewer_id in locked:
        return False
    # A reviewer without configured skills is a generalist and takes any task.
    return not tags or not candidate.skills or set(tags) <= candidate.skills


def order_candidates(
    candidates: Collection[Candidate],
    policy: AssignmentPolicy,
    tags: Collection[str] = (),
    capacity: int = 1,
    barred: Collection[uuid.UUID] = (),
    locked: Collection[uuid.UUID] = (),
) -> list[uuid.UUID]:
    """Eligible reviewers in the order to offer them the task; ties break on the id."""
    ok = [c for c in candidates if eligible(c, tags, capacity, barred, locked)]

    def idle_since(c: Candidate) -> tuple[datetime, str]:
        return (c.last_offered or _NEVER, str(c.reviewer_id))

    if policy is AssignmentPolicy.LEAST_LOADED:
        ok.sort(key=lambda c: (c.load, *idle_since(c)))
    else:
        ok.sort(key=idle_since)
    return [c.reviewer_id for c in ok]


def free_slot(used: Collection[int], capacity: int) -> int | None:
    """The lowest slot number a reviewer has free; the unique index referees the rest."""
    return next((slot for slot in range(capacity) if slot not in used), None)

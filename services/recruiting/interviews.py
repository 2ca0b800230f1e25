"""The rules of interviews, with no I/O: what a plan must hold, which moves a state admits,
and what is announced."""

from __future__ import annotations

import functools
import uuid
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from schemas.events.interviews import InterviewCancelled, InterviewRescheduled, InterviewScheduled
from services.recruiting.domain import NotAllowed

# How far ahead an interview may be set, and how long it may last.
HORIZON = timedelta(days=2 * 365)
MAX_DURATION_MIN = 8 * 60
MAX_INTERVIEWERS = 20


class InterviewKind(StrEnum):
    PHONE = "phone"
    VIDEO = "video"
    IN_PERSON = "in_person"


class InterviewStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: str) -> bool:
    """An IANA time zone name this system knows ("Europe/Berlin", "UTC")."""
    return name in _zones()


@dataclass(frozen=True)
class Plan:
    """When, where and with whom an interview is held."""

    kind: InterviewKind
    starts_at: datetime
    time_zone: str
    duration_min: int
    location: str | None
    link: str | None
    interviewer_ids: tuple[uuid.UUID, ...]

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_min)

    def local_start(self) -> datetime:
        """The start in the interview's own time zone (the offset callers read it with)."""
        return self.starts_at.astimezone(zoneinfo.ZoneInfo(self.time_zone))


def problems(plan: Plan, now: datetime, *, new_start: bool = True) -> list[str]:
    """Why the plan cannot be held; empty when it can. The start is judged only when it is
    `new_start` (an edit of place or panel leaves a begun interview's start as it is)."""
    found = []
    if not is_time_zone(plan.time_zone):
        found.append(f"time_zone: {plan.time_zone!r} is not an IANA time zone name")
    if new_start and plan.starts_at <= now:
        found.append("starts_at: the interview must start in the future")
    elif new_start and plan.starts_at > now + HORIZON:
        found.append("starts_at: at most two years ahead")
    if not 1 <= plan.duration_min <= MAX_DURATION_MIN:
        found.append(f"duration_min: from 1 to {MAX_DURATION_MIN} minutes")
    if plan.kind is InterviewKind.VIDEO and not plan.link:
        found.append("link: a video interview needs a link")
    if plan.kind is InterviewKind.IN_PERSON and not plan.location:
        found.append("location: an interview in person needs a place")
    if not plan.interviewer_ids:
        found.append("interviewer_ids: at least one interviewer")
    elif len(set(plan.interviewer_ids)) != len(plan.interviewer_ids):
        found.append("interviewer_ids: each interviewer once")
    elif len(plan.interviewer_ids) > MAX_INTERVIEWERS:
        found.append(f"interviewer_ids: at most {MAX_INTERVIEWERS}")
    return found


def changed(plan: Plan, edits: Mapping[str, Any]) -> Plan:
    """The plan with the fields an edit gives; the kind stays."""
    values = dict(edits)
    if "interviewer_ids" in values:
        values["interviewer_ids"] = tuple(values["interviewer_ids"])
    return replace(plan, **values)


# What each action needs the interview to be in, and what it makes it.
_MOVES: Mapping[str, tuple[InterviewStatus, InterviewStatus]] = {
    "reschedule": (InterviewStatus.SCHEDULED, InterviewStatus.SCHEDULED),
    "cancel": (InterviewStatus.SCHEDULED, InterviewStatus.CANCELLED),
    "complete": (InterviewStatus.SCHEDULED, InterviewStatus.COMPLETED),
}


def move(current: InterviewStatus, action: str, *, now: datetime,
         starts_at: datetime) -> InterviewStatus:
    """The status after `action`; NotAllowed when the interview's state does not admit it
    (a cancelled or completed interview is final; one not yet begun cannot be completed)."""
    needed, after = _MOVES[action]
    if current is not needed:
        raise NotAllowed(f"a {current} interview cannot be {action}d")
    if action == "complete" and now < starts_at:
        raise NotAllowed("an interview that has not begun cannot be completed")
    return after


def plan_of(row: Mapping[str, Any]) -> Plan:
    return Plan(kind=InterviewKind(row["kind"]), starts_at=row["starts_at"],
                time_zone=row["time_zone"], duration_min=row["duration_min"],
                location=row["location"], link=row["link"],
                interviewer_ids=tuple(row["interviewer_ids"]))


def _details(row: Mapping[str, Any], job: Mapping[str, Any], company: str) -> dict[str, Any]:
    return {"interview_id": row["interview_id"], "job_id": row["job_id"],
            "candidate_id": row["candidate_id"], "company_id": row["company_id"],
            "company": company, "job_title": job["title"], "kind": row["kind"],
            "starts_at": row["starts_at"], "time_zone": row["time_zone"],
            "duration_min": row["duration_min"], "location": row["location"],
            "link": row["link"], "interviewer_ids": list(row["interviewer_ids"]),
            "sequence": row["sequence"]}


def scheduled(row: Mapping[str, Any], job: Mapping[str, Any], company: str) -> InterviewScheduled:
    return InterviewScheduled(**_details(row, job, company))


def rescheduled(before: Mapping[str, Any], row: Mapping[str, Any], job: Mapping[str, Any],
                company: str) -> InterviewRescheduled:
    kept = set(row["interviewer_ids"])
    return InterviewRescheduled(**_details(row, job, company), removed_interviewer_ids=[
        i for i in before["interviewer_ids"] if i not in kept])


def cancelled(row: Mapping[str, Any], job: Mapping[str, Any], company: str,
              reason: str = "cancelled") -> InterviewCancelled:
    return InterviewCancelled(**_details(row, job, company), reason=reason)


def not_members(wanted: Sequence[uuid.UUID], members: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """The interviewers who are not members of the company, in the order given."""
    known = set(members)
    return [i for i in wanted if i not in known]

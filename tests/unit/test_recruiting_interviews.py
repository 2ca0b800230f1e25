"""Interviews' rules: what a plan must hold, which moves each state admits, what is announced."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.recruiting.domain import NotAllowed
from services.recruiting.interviews import (
    InterviewKind,
    InterviewStatus,
    Plan,
    cancelled,
    changed,
    is_time_zone,
    move,
    not_members,
    plan_of,
    problems,
    rescheduled,
    scheduled,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
A, B, C = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
PLAN = Plan(kind=InterviewKind.VIDEO, starts_at=NOW + timedelta(days=2),
            time_zone="Europe/Berlin", duration_min=45, location=None,
            link="https://meet.example.com/x", interviewer_ids=(A, B))
S, X, D = InterviewStatus.SCHEDULED, InterviewStatus.CANCELLED, InterviewStatus.COMPLETED


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC",
                                  "Asia/Kolkata"])
def test_iana_names_are_time_zones(name: str) -> None:
    assert is_time_zone(name)


@pytest.mark.parametrize("name", ["", "Berlin", "europe/berlin", "Europe/Berlin ", "+01:00",
                                  "../../etc/passwd", "Mars/Olympus_Mons", "CET\x00"])
def test_anything_else_is_not(name: str) -> None:
    assert not is_time_zone(name)


def test_a_sound_plan_has_no_problems_and_ends_after_its_duration() -> None:
    assert problems(PLAN, NOW) == []
    assert PLAN.ends_at - PLAN.starts_at == timedelta(minutes=45)
    assert PLAN.local_start().isoformat() == "2026-12-09T13:00:00+01:00"


@pytest.mark.parametrize(("change", "field"), [
    ({"time_zone": "Nowhere/Town"}, "time_zone"),
    ({"starts_at": NOW}, "starts_at"),
    ({"starts_at": NOW - timedelta(minutes=1)}, "starts_at"),
    ({"starts_at": NOW + timedelta(days=3 * 365)}, "starts_at"),
    ({"duration_min": 0}, "duration_min"),
    ({"duration_min": 8 * 60 + 1}, "duration_min"),
    ({"link": None}, "link"),
    ({"kind": InterviewKind.IN_PERSON}, "location"),
    ({"interviewer_ids": ()}, "interviewer_ids"),
    ({"interviewer_ids": (A, A)}, "interviewer_ids"),
    ({"interviewer_ids": tuple(uuid.uuid4() for _ in range(21))}, "interviewer_ids"),
])
def test_each_problem_is_named_by_its_field(change: dict[str, object], field: str) -> None:
    [problem] = problems(replace(PLAN, **change), NOW)  # type: ignore[arg-type]
    assert problem.startswith(f"{field}:")


def test_a_start_left_as_it_was_is_not_judged_again() -> None:
    begun = replace(PLAN, starts_at=NOW - timedelta(minutes=5))
    assert problems(begun, NOW, new_start=False) == []
    assert problems(begun, NOW) == ["starts_at: the interview must start in the future"]


def test_a_phone_interview_needs_neither_place_nor_link() -> None:
    assert problems(replace(PLAN, kind=InterviewKind.PHONE, link=None), NOW) == []


def test_an_edit_changes_the_fields_it_gives_and_keeps_the_kind() -> None:
    later = PLAN.starts_at + timedelta(hours=1)
    edited = changed(PLAN, {"starts_at": later, "interviewer_ids": [C]})
    assert (edited.starts_at, edited.interviewer_ids, edited.kind) == (later, (C,), PLAN.kind)
    assert changed(PLAN, {}) == PLAN


@pytest.mark.parametrize(("current", "action", "after"), [
    (S, "reschedule", S), (S, "cancel", X), (S, "complete", D)])
def test_a_scheduled_interview_moves(current: InterviewStatus, action: str,
                                     after: InterviewStatus) -> None:
    assert move(current, action, now=NOW, starts_at=NOW) is after


@pytest.mark.parametrize("current", [X, D])
@pytest.mark.parametrize("action", ["reschedule", "cancel", "complete"])
def test_a_cancelled_or_completed_interview_is_final(current: InterviewStatus,
                                                     action: str) -> None:
    with pytest.raises(NotAllowed):
        move(current, action, now=NOW, starts_at=NOW - timedelta(hours=1))


def test_an_interview_is_completed_only_once_begun() -> None:
    with pytest.raises(NotAllowed, match="not begun"):
        move(S, "complete", now=NOW, starts_at=NOW + timedelta(seconds=1))


def _row(**values: object) -> dict[str, object]:
    return {"interview_id": uuid.uuid4(), "job_id": uuid.uuid4(), "candidate_id": uuid.uuid4(),
            "company_id": uuid.uuid4(), "kind": "video", "starts_at": PLAN.starts_at,
            "time_zone": PLAN.time_zone, "duration_min": 45, "location": None,
            "link": PLAN.link, "interviewer_ids": [A, B], "sequence": 0, **values}


def test_events_carry_the_interview_as_it_stands() -> None:
    row = _row()
    job = {"title": "Backend engineer"}
    event = scheduled(row, job, "Acme")
    assert (event.interview_id, event.sequence, event.company, event.job_title) == (
        row["interview_id"], 0, "Acme", "Backend engineer")
    assert plan_of(row) == PLAN
    moved = rescheduled(row, {**row, "interviewer_ids": [B, C], "sequence": 1}, job, "Acme")
    assert (moved.sequence, moved.interviewer_ids, moved.removed_interviewer_ids) == (
        1, [B, C], [A])
    gone = cancelled({**row, "sequence": 2}, job, "Acme", reason="candidate_rejected")
    assert (gone.sequence, gone.reason) == (2, "candidate_rejected")


def test_interviewers_who_are_not_members_are_named_in_order() -> None:
    assert not_members([C, A, B], [A, B]) == [C]
    assert not_members([A], [A, B]) == []

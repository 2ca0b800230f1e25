"""Interviews on a real PostgreSQL: scheduled, rescheduled, cancelled and completed, each
change announced with a rising sequence; no interviewer booked twice at once, however
concurrent the requests; a rejected candidate never scheduled, and rejecting one cancels their
interviews; bad input refused with nothing changed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from infra.auth import Role
from infra.outbox import outbox
from schemas.events.candidates import CandidateErased
from schemas.events.interviews import InterviewCancelled, InterviewRescheduled, InterviewScheduled
from services.recruiting.tables import audit_log, interview_slots, interviews
from tests.integration.recruiting_support import Company, Recruiting, recruiting

pytestmark = pytest.mark.integration
__all__ = ["recruiting"]  # the fixture

EVENTS = (InterviewScheduled, InterviewRescheduled, InterviewCancelled)


def plan(api: Recruiting, company: Company, *, in_hours: float = 48, **overrides: Any,
         ) -> dict[str, Any]:
    start = api.clock.now() + timedelta(hours=in_hours)
    return {"kind": "video", "starts_at": start.isoformat(), "time_zone": "Europe/Berlin",
            "duration_min": 45, "link": "https://meet.example.com/abc",
            "interviewer_ids": [str(company.people[Role.HIRING_MANAGER])], **overrides}


def schedule_path(company: Company, candidate: int = 0) -> str:
    return (f"/api/v1/jobs/{company.published_job}/candidates/"
            f"{company.candidates[candidate]}/interviews")


async def schedule(api: Recruiting, company: Company, candidate: int = 0,
                   **overrides: Any) -> dict[str, Any]:
    made = await api.client.post(schedule_path(company, candidate),
                                 json=plan(api, company, **overrides),
                                 headers=api.auth(Role.RECRUITER, company))
    assert made.status_code == 201, made.text
    return dict(made.json())


async def counts(api: Recruiting) -> tuple[int, ...]:
    async with api.uow.engine.connect() as conn:
        return tuple([await conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0
                      for t in (interviews, interview_slots, audit_log, outbox)])


async def test_an_interview_is_scheduled_rescheduled_and_cancelled_each_announced(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    recruiter = api.auth(Role.RECRUITER)
    made = await schedule(api, acme)
    assert made["status"] == "scheduled" and made["sequence"] == 0
    # Read back in the interview's own time zone: 48 h after 2026-01-01T00:00Z, in Berlin.
    assert made["starts_at"] == "2026-01-03T01:00:00+01:00"
    assert made["interviewer_ids"] == [str(acme.people[Role.HIRING_MANAGER])]

    path = f"/api/v1/interviews/{made['interview_id']}"
    new_panel = [str(acme.people[Role.COMPANY_ADMIN])]
    moved = await api.client.patch(path, headers=recruiter, json={
        "starts_at": "2026-01-05T09:30:00-05:00", "time_zone": "America/New_York",
        "interviewer_ids": new_panel})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["sequence"], moved.json()["starts_at"]) == (
        1, "2026-01-05T09:30:00-05:00")
    same = await api.client.patch(path, headers=recruiter, json={"time_zone": "America/New_York"})
    assert same.json()["sequence"] == 1  # nothing changed: nothing announced

    cancelled = await api.client.post(f"{path}/cancel", headers=recruiter)
    assert (cancelled.json()["status"], cancelled.json()["sequence"]) == ("cancelled", 2)
    for action in ("cancel", "complete"):
        again = await api.client.post(f"{path}/{action}", headers=recruiter)
        assert (again.status_code, again.json()["error"]["code"]) == (409, "ERR_CONFLICT")
    assert (await api.client.patch(path, headers=recruiter, json={"duration_min": 30})
            ).status_code == 409

    scheduled, rescheduled, gone = await api.emitted(*EVENTS)
    assert [e["sequence"] for e in (scheduled, rescheduled, gone)] == [0, 1, 2]
    assert {e["interview_id"] for e in (scheduled, rescheduled, gone)} == {made["interview_id"]}
    assert (scheduled["company"], scheduled["job_title"]) == ("Acme", "Backend engineer at Acme")
    assert rescheduled["removed_interviewer_ids"] == made["interviewer_ids"]
    assert rescheduled["interviewer_ids"] == new_panel
    assert gone["reason"] == "cancelled"

    listed = await api.client.get(f"/api/v1/jobs/{acme.published_job}/interviews",
                                  headers=api.auth(Role.HIRING_MANAGER))
    [item] = listed.json()["items"]
    assert (item["interview_id"], item["status"]) == (made["interview_id"], "cancelled")


async def test_an_interview_is_completed_once_it_has_begun(recruiting: Recruiting) -> None:
    api = recruiting
    made = await schedule(api, api.companies[0], in_hours=1)
    path = f"/api/v1/interviews/{made['interview_id']}/complete"
    early = await api.client.post(path, headers=api.auth(Role.HIRING_MANAGER))
    assert (early.status_code, early.json()["error"]["code"]) == (409, "ERR_CONFLICT")
    api.clock.advance(3600)
    done = await api.client.post(path, headers=api.auth(Role.HIRING_MANAGER))
    assert (done.status_code, done.json()["status"], done.json()["sequence"]) == (
        200, "completed", 0)


async def test_concurrent_bookings_of_one_interviewer_let_exactly_one_win(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    interviewer = acme.people[Role.HIRING_MANAGER]
    # Eight requests at once, five minutes apart for an hour each: every two overlap.
    answers = await asyncio.gather(*(
        api.client.post(schedule_path(acme, n % 2), headers=api.auth(Role.RECRUITER),
                        json=plan(api, acme, in_hours=48 + n / 12, duration_min=60))
        for n in range(8)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * 7, [a.text for a in answers]
    for lost in (a for a in answers if a.status_code == 409):
        error = lost.json()["error"]
        assert error["code"] == "ERR_INTERVIEWER_BUSY"
        assert error["details"] == {"interviewer_ids": [str(interviewer)]}
    async with api.uow.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(interviews)) == 1
    assert len(await api.emitted(InterviewScheduled)) == 1

    # Back to back is no overlap; a cancelled interview frees its time.
    [won] = [a.json() for a in answers if a.status_code == 201]
    end = datetime.fromisoformat(won["starts_at"]) + timedelta(minutes=60)
    after = await api.client.post(schedule_path(acme, 1), headers=api.auth(Role.RECRUITER),
                                  json={**plan(api, acme), "starts_at": end.isoformat()})
    assert after.status_code == 201, after.text
    same_time = {**plan(api, acme), "starts_at": won["starts_at"]}
    busy = await api.client.post(schedule_path(acme, 1), headers=api.auth(Role.RECRUITER),
                                 json=same_time)
    assert busy.status_code == 409
    await api.client.post(f"/api/v1/interviews/{won['interview_id']}/cancel",
                          headers=api.auth(Role.RECRUITER))
    freed = await api.client.post(schedule_path(acme, 1), headers=api.auth(Role.RECRUITER),
                                  json=same_time)
    assert freed.status_code == 201, freed.text


async def test_a_reschedule_onto_a_busy_interviewer_is_refused_and_changes_nothing(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    first = await schedule(api, acme, 0)
    second = await schedule(api, acme, 1, in_hours=72)
    moved = await api.client.patch(f"/api/v1/interviews/{second['interview_id']}",
                                   json={"starts_at": first["starts_at"]},
                                   headers=api.auth(Role.RECRUITER))
    assert (moved.status_code, moved.json()["error"]["code"]) == (409, "ERR_INTERVIEWER_BUSY")
    listed = await api.client.get(f"/api/v1/jobs/{acme.published_job}/interviews",
                                  headers=api.auth(Role.RECRUITER))
    assert [i["sequence"] for i in listed.json()["items"]] == [0, 0]
    assert len(await api.emitted(InterviewRescheduled)) == 0


async def test_a_rejected_candidate_cannot_be_scheduled(recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    status = await api.client.patch(
        f"/api/v1/jobs/{acme.published_job}/candidates/{acme.candidates[0]}",
        json={"status": "rejected"}, headers=api.auth(Role.RECRUITER))
    assert status.status_code == 200
    before = await counts(api)
    refused = await api.client.post(schedule_path(acme), json=plan(api, acme),
                                    headers=api.auth(Role.RECRUITER))
    assert (refused.status_code, refused.json()["error"]["code"]) == (
        409, "ERR_CANDIDATE_REJECTED")
    assert await counts(api) == before


async def test_rejecting_a_candidate_cancels_their_scheduled_interviews(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    kept = await schedule(api, acme, 1)
    first = await schedule(api, acme, 0, in_hours=24)
    second = await schedule(api, acme, 0, in_hours=96)
    rejected = await api.client.patch(
        f"/api/v1/jobs/{acme.published_job}/candidates/{acme.candidates[0]}",
        json={"status": "rejected"}, headers=api.auth(Role.HIRING_MANAGER))
    assert rejected.status_code == 200

    listed = await api.client.get(f"/api/v1/jobs/{acme.published_job}/interviews",
                                  headers=api.auth(Role.RECRUITER))
    states = {i["interview_id"]: (i["status"], i["sequence"]) for i in listed.json()["items"]}
    assert states == {first["interview_id"]: ("cancelled", 1),
                      second["interview_id"]: ("cancelled", 1),
                      kept["interview_id"]: ("scheduled", 0)}
    cancellations = await api.emitted(InterviewCancelled)
    assert sorted(e["interview_id"] for e in cancellations) == sorted(
        [first["interview_id"], second["interview_id"]])
    assert {e["reason"] for e in cancellations} == {"candidate_rejected"}
    async with api.uow.engine.connect() as conn:
        booked = set((await conn.execute(sa.select(interview_slots.c.interview_id))).scalars())
    assert booked == {uuid.UUID(kept["interview_id"])}


async def test_a_rejection_racing_a_schedule_leaves_no_interview_scheduled(
        recruiting: Recruiting) -> None:
    """Whichever commits first, the candidate ends rejected with nothing scheduled."""
    api = recruiting
    acme = api.companies[0]
    for round_ in range(4):
        candidate = acme.candidates[round_ % 2]
        await api.client.patch(f"/api/v1/jobs/{acme.published_job}/candidates/{candidate}",
                               json={"status": "pending"}, headers=api.auth(Role.RECRUITER))
        made, rejected = await asyncio.gather(
            api.client.post(schedule_path(acme, round_ % 2), headers=api.auth(Role.RECRUITER),
                            json=plan(api, acme, in_hours=48 + 2 * round_)),
            api.client.patch(f"/api/v1/jobs/{acme.published_job}/candidates/{candidate}",
                             json={"status": "rejected"}, headers=api.auth(Role.HIRING_MANAGER)))
        assert rejected.status_code == 200
        assert made.status_code in (201, 409), made.text
        listed = await api.client.get(f"/api/v1/jobs/{acme.published_job}/interviews",
                                      headers=api.auth(Role.RECRUITER))
        assert all(i["status"] == "cancelled" for i in listed.json()["items"])


async def test_an_erased_candidates_interviews_are_cancelled_for_their_interviewers(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    made = await schedule(api, acme)
    await api.deliver(CandidateErased(candidate_id=acme.candidates[0]))
    [gone] = await api.emitted(InterviewCancelled)
    assert (gone["interview_id"], gone["reason"], gone["sequence"]) == (
        made["interview_id"], "candidate_erased", 1)
    async with api.uow.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(interview_slots)) == 0
    # Their interviewer is free again at that time.
    again = await api.client.post(schedule_path(acme, 1), json=plan(api, acme),
                                  headers=api.auth(Role.RECRUITER))
    assert again.status_code == 201, again.text


BAD_NEW: dict[str, dict[str, Any]] = {
    "unknown time zone": {"time_zone": "Mars/Olympus_Mons"},
    "time zone with spaces": {"time_zone": " Europe/Berlin"},
    "no offset": {"starts_at": "2026-03-01T10:00:00"},
    "in the past": {"in_hours": -1},
    "too far ahead": {"in_hours": 24 * 365 * 3},
    "zero minutes": {"duration_min": 0},
    "a whole day": {"duration_min": 24 * 60},
    "video without a link": {"link": None},
    "in person without a place": {"kind": "in_person"},
    "unknown kind": {"kind": "carrier_pigeon"},
    "no interviewers": {"interviewer_ids": []},
    "an interviewer twice": {"twice": True},
    "an interviewer of another company": {"stranger": True},
    "a link that is no URL": {"link": "not a url"},
}


@pytest.mark.parametrize("case", sorted(BAD_NEW))
async def test_bad_input_is_refused_and_changes_nothing(recruiting: Recruiting,
                                                        case: str) -> None:
    api = recruiting
    acme, globex = api.companies
    overrides = dict(BAD_NEW[case])
    body = plan(api, acme, in_hours=overrides.pop("in_hours", 48))
    if overrides.pop("twice", False):
        body["interviewer_ids"] *= 2
    if overrides.pop("stranger", False):
        body["interviewer_ids"] = [str(globex.people[Role.RECRUITER])]
    body.update(overrides)
    before = await counts(api)
    refused = await api.client.post(schedule_path(acme), json=body,
                                    headers=api.auth(Role.RECRUITER))
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "ERR_VALIDATION")
    assert await counts(api) == before


BAD_EDIT: dict[str, dict[str, Any]] = {
    "null time": {"starts_at": None},
    "null interviewers": {"interviewer_ids": None},
    "unknown time zone": {"time_zone": "Europe/Atlantis"},
    "into the past": {"starts_at": "2025-12-31T09:00:00+00:00"},
    "a video losing its link": {"link": None},
    "zero minutes": {"duration_min": 0},
}


@pytest.mark.parametrize("case", sorted(BAD_EDIT))
async def test_a_bad_reschedule_is_refused_and_changes_nothing(recruiting: Recruiting,
                                                               case: str) -> None:
    api = recruiting
    made = await schedule(api, api.companies[0])
    before = await counts(api)
    refused = await api.client.patch(f"/api/v1/interviews/{made['interview_id']}",
                                     json=BAD_EDIT[case], headers=api.auth(Role.RECRUITER))
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "ERR_VALIDATION")
    assert await counts(api) == before
    listed = await api.client.get(f"/api/v1/jobs/{api.companies[0].published_job}/interviews",
                                  headers=api.auth(Role.RECRUITER))
    assert listed.json()["items"] == [made]

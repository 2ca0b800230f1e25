"""Interview notices, invitations (.ics) and reminders: pure rules and templates."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from schemas.events.interviews import (
    InterviewCancelled,
    InterviewDetails,
    InterviewRescheduled,
    InterviewScheduled,
)
from services.notifications.calendar import Invite, ics, interview_uid
from services.notifications.domain import Preferences, messages_for
from services.notifications.interviews import (
    details,
    interview_notices,
    lead_text,
    reminder_id,
    reminder_notices,
    reminder_rows,
    when,
)
from services.notifications.templates import Templates

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
CANDIDATE, A, B = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
ORGANIZER = "notifications@jams.local"


def fields(sequence: int = 0, **values: object) -> dict[str, object]:
    return {"interview_id": uuid.UUID(int=7), "job_id": uuid.uuid4(), "candidate_id": CANDIDATE,
            "company_id": uuid.uuid4(), "company": "Acme", "job_title": "Backend engineer",
            "kind": "video", "starts_at": NOW + timedelta(days=2), "time_zone": "Asia/Tokyo",
            "duration_min": 60, "link": "https://meet.example.com/x", "location": None,
            "interviewer_ids": [A], "sequence": sequence, **values}


def test_the_start_reads_in_the_interviews_own_time_zone() -> None:
    assert when(NOW, "Asia/Tokyo") == "Monday 07 December 2026, 21:00 (Asia/Tokyo)"
    assert details(InterviewScheduled(**fields()))["place"] == "https://meet.example.com/x"


def test_a_scheduled_interview_invites_the_candidate_and_each_interviewer() -> None:
    event = InterviewScheduled(**fields(interviewer_ids=[A, B]))
    notices = interview_notices(event, ORGANIZER, NOW)
    assert [(n.recipient_id, n.role, n.template) for n in notices] == [
        (CANDIDATE, "candidate", "interview_invitation"),
        (A, "interviewer", "interview_invitation"), (B, "interviewer", "interview_invitation")]
    assert {(n.invite.method, n.invite.sequence) for n in notices if n.invite} == {("REQUEST", 0)}


def test_a_rescheduled_interview_cancels_the_invitation_of_those_taken_off() -> None:
    event = InterviewRescheduled(**fields(1, interviewer_ids=[B]), removed_interviewer_ids=[A])
    notices = {n.recipient_id: n for n in interview_notices(event, ORGANIZER, NOW)}
    assert (notices[CANDIDATE].template, notices[B].template, notices[A].template) == (
        "interview_updated", "interview_updated", "interview_cancelled")
    assert [notices[w].invite.method for w in (CANDIDATE, B, A)  # type: ignore[union-attr]
            ] == ["REQUEST", "REQUEST", "CANCEL"]


def test_a_rejection_is_told_to_the_interviewers_not_the_candidate() -> None:
    event = InterviewCancelled(**fields(2), reason="candidate_rejected")
    candidate, interviewer = interview_notices(event, ORGANIZER, NOW)
    assert candidate.values["reason"] == "" and "rejected" in interviewer.values["reason"]
    rendered = Templates().render("interview_cancelled", {**candidate.values, "role": "candidate"})
    assert "rejected" not in rendered.body
    erased = InterviewCancelled(**fields(2), reason="candidate_erased")
    assert [n.recipient_id for n in interview_notices(erased, ORGANIZER, NOW)] == [A]


def test_only_the_email_carries_the_invitation_addressed_to_its_recipient() -> None:
    [notice, _] = interview_notices(InterviewScheduled(**fields()), ORGANIZER, NOW)
    prefs = Preferences(CANDIDATE, frozenset({"in_app", "email", "sms"}), "ada@example.com",
                        phone="+447700900123")
    messages = {m.channel: m for m in messages_for(notice, prefs, uuid.uuid4(),
                                                   Templates().render)}
    assert (messages["in_app"].calendar, messages["sms"].calendar) == (None, None)
    assert messages["email"].calendar_method == "REQUEST"
    assert messages["email"].calendar is not None
    [event] = Calendar.from_ical(messages["email"].calendar).walk("VEVENT")
    assert str(event["ATTENDEE"]) == "mailto:ada@example.com"
    assert "Backend engineer at Acme" in messages["email"].subject


@pytest.mark.parametrize(("method", "status"), [("REQUEST", "CONFIRMED"), ("CANCEL", "CANCELLED")])
def test_an_ics_names_the_interview_by_one_uid_and_its_sequence(method: str,
                                                                status: str) -> None:
    invite = Invite(interview_id=uuid.UUID(int=7), sequence=3, method=method,  # type: ignore[arg-type]
                    summary="Interview: Backend engineer at Acme", starts_at=NOW,
                    time_zone="America/New_York", duration_min=30, location=None,
                    link="https://meet.example.com/x", organizer=ORGANIZER, stamp=NOW)
    text = ics(invite, "ada@example.com")
    assert text == ics(invite, "ada@example.com")  # the same version sent again is identical
    calendar = Calendar.from_ical(text)
    [event] = calendar.walk("VEVENT")
    assert (str(calendar["METHOD"]), str(event["UID"]), int(str(event["SEQUENCE"]))) == (
        method, interview_uid(uuid.UUID(int=7)), 3)
    assert str(event["STATUS"]) == status
    assert event.decoded("DTSTART").isoformat() == "2026-12-07T07:00:00-05:00"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=30)
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["America/New_York"]


def test_reminders_are_planned_per_lead_and_settled_when_due_already_or_cancelled() -> None:
    soon = InterviewScheduled(**fields(starts_at=NOW + timedelta(hours=5)))
    rows = {r["lead_s"]: r for r in reminder_rows(soon, (86400, 3600), NOW)}
    assert rows[86400]["settled_at"] == NOW  # its time has passed: never sent
    assert rows[3600]["settled_at"] is None
    assert rows[3600]["due_at"] == NOW + timedelta(hours=4)
    assert rows[3600]["recipient_ids"] == [CANDIDATE, A]
    gone = InterviewCancelled(**fields(1))
    assert {r["settled_at"] for r in reminder_rows(gone, (86400, 3600), NOW)} == {NOW}


def test_a_reminder_goes_to_everyone_and_is_one_per_version_and_lead() -> None:
    row = reminder_rows(InterviewScheduled(**fields()), (3600,), NOW)[0]
    notices = reminder_notices(row)
    assert [(n.recipient_id, n.role) for n in notices] == [(CANDIDATE, "candidate"),
                                                           (A, "interviewer")]
    rendered = Templates().render(notices[0].template, {**notices[0].values, "role": "candidate"})
    assert rendered.subject == "Reminder: interview for Backend engineer at Acme in 1 hour"
    assert reminder_id(uuid.UUID(int=7), 0, 3600) != reminder_id(uuid.UUID(int=7), 1, 3600)
    assert [lead_text(s) for s in (86400, 3600, 1800, 60)] == [
        "in 24 hours", "in 1 hour", "in 30 minutes", "in 1 minute"]


def test_every_interview_event_is_a_kind_of_details() -> None:
    assert all(issubclass(t, InterviewDetails) for t in (
        InterviewScheduled, InterviewRescheduled, InterviewCancelled))

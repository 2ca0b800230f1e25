"""Who is told of what, on which channels, with which words: pure rules and templates."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from schemas.events.applications import (
    ApplicationNeedsReview,
    ApplicationSubmitted,
    PortalSessionNeeded,
)
from schemas.events.recruiting import CandidateStatusChanged, NoteMentioned
from schemas.events.review import ReviewerPresenceChanged, ReviewTaskAssigned, ReviewTaskWarning
from services.notifications.domain import (
    SMS_MAX_CHARS,
    Notice,
    Preferences,
    is_e164,
    messages_for,
    notices_for,
    notification_id,
    sms_text,
)
from services.notifications.templates import Templates, UnknownTemplate

CANDIDATE, REVIEWER, SUPERVISOR = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
EVENT = uuid.uuid4()
TEMPLATES = Templates()
DUE = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)


def test_a_submission_is_told_to_its_candidate_from_the_template() -> None:
    job = uuid.uuid4()
    [notice] = notices_for(ApplicationSubmitted(
        application_id=uuid.uuid4(), candidate_id=CANDIDATE, job_id=job,
        resume_version_id=uuid.uuid4(), confirmation="GH-1"), [SUPERVISOR])
    [message] = messages_for(notice, Preferences(CANDIDATE), EVENT, TEMPLATES.render)
    assert (message.recipient_id, message.channel) == (CANDIDATE, "in_app")
    assert message.subject == f"Applied to job {job} for you"
    assert "(confirmation GH-1)" in message.body
    assert message.notification_id == notification_id(EVENT, CANDIDATE, "in_app")


def test_each_chosen_channel_with_an_address_gets_its_own_message() -> None:
    notice = Notice(CANDIDATE, "candidate", "application_failed",
                    {"job": "job x", "reason": "closed", "retryable": ""})
    prefs = Preferences(CANDIDATE, frozenset({"in_app", "email", "webhook"}), "a@example.com",
                        "https://example.com/hook", None)  # no secret: no webhook
    messages = messages_for(notice, prefs, EVENT, TEMPLATES.render)
    assert [m.channel for m in messages] == ["in_app", "email"]
    assert len({m.notification_id for m in messages}) == 2


def test_a_task_assignment_is_not_repeated_in_app() -> None:
    [notice] = notices_for(ReviewTaskAssigned(
        task_id=uuid.uuid4(), reviewer_id=REVIEWER, due_at=DUE, match_id=uuid.uuid4(),
        candidate_id=CANDIDATE, job_id=uuid.uuid4(), job_title="Data Engineer",
        company="Globex"), [])
    assert messages_for(notice, Preferences(REVIEWER), EVENT, TEMPLATES.render) == []
    [mail] = messages_for(notice, Preferences(REVIEWER, frozenset({"in_app", "email"}),
                                              "r@example.com"), EVENT, TEMPLATES.render)
    assert mail.subject == "New review task: Data Engineer at Globex"


def test_warnings_and_review_questions_have_their_templates() -> None:
    [warning] = notices_for(ReviewTaskWarning(task_id=uuid.uuid4(), reviewer_id=REVIEWER,
                                              due_at=DUE), [])
    assert TEMPLATES.render(warning.template, warning.values).subject == "Review task due soon"
    [review] = notices_for(ApplicationNeedsReview(
        application_id=uuid.uuid4(), candidate_id=CANDIDATE, job_id=uuid.uuid4(),
        question="Expected salary?", apply_url="https://x/jobs/view/1/apply",
        resume_version_id=uuid.uuid4()), [])
    assert '"Expected salary?"' in TEMPLATES.render(review.template, review.values).body


def test_events_nobody_is_told_about_give_no_notices() -> None:
    assert notices_for(ReviewerPresenceChanged(reviewer_id=REVIEWER, status="away"), []) == []


def test_a_missing_value_or_template_is_an_error_not_a_blank() -> None:
    with pytest.raises(ValueError, match="job"):
        TEMPLATES.render("application_submitted", {"confirmation": ""})
    with pytest.raises(UnknownTemplate):
        TEMPLATES.render("no_such_template", {})


@pytest.mark.parametrize(("expired", "says"), [
    (True, "your linkedin session has expired or was signed out"),
    (False, "we have no session of yours there"),
])
def test_a_candidate_is_asked_by_e_mail_for_a_new_portal_session(expired: bool,
                                                                 says: str) -> None:
    job = uuid.uuid4()
    [notice] = notices_for(PortalSessionNeeded(
        application_id=uuid.uuid4(), candidate_id=CANDIDATE, job_id=job, portal="linkedin",
        expired=expired, wait_until=DUE), [SUPERVISOR])
    prefs = Preferences(CANDIDATE, channels=frozenset({"email"}), email="ada@example.com")
    [message] = messages_for(notice, prefs, EVENT, TEMPLATES.render)
    assert (message.recipient_id, message.channel) == (CANDIDATE, "email")
    assert message.subject == f"Sign in to linkedin again so we can apply to job {job}"
    assert says in message.body
    assert "2026-01-05T10:30+00:00" in message.body
    assert f"/api/v1/candidates/{CANDIDATE}/portal-sessions/linkedin" in message.body
    assert "the application goes on by itself" in " ".join(message.body.split())


@pytest.mark.parametrize(("number", "valid"), [
    ("+447700900123", True), ("+15005550006", True), ("+12", True),
    ("447700900123", False), ("+0447700900123", False), ("+44 7700 900123", False),
    ("+4477009001234567", False), ("", False),
])
def test_phone_numbers_are_e164(number: str, valid: bool) -> None:
    assert is_e164(number) is valid
    prefs = Preferences(CANDIDATE, frozenset({"sms"}), phone=number)
    assert prefs.usable() == (["sms"] if valid else [])


def test_a_text_message_is_short_and_names_its_notification() -> None:
    notification = uuid.UUID("0123456789abcdef0123456789abcdef")
    assert sms_text("Applied to Data Engineer at Acme for you", notification) == (
        "JAMS: Applied to Data Engineer at Acme for you (ref 0123456789)")
    long = sms_text("x" * 1000, notification)
    assert len(long) == SMS_MAX_CHARS and long.endswith("... (ref 0123456789)")


def test_sms_goes_out_with_the_other_chosen_channels() -> None:
    prefs = Preferences(CANDIDATE, frozenset({"in_app", "email", "sms"}), "a@example.com",
                        phone="+447700900123")
    notice = Notice(CANDIDATE, "candidate", "application_submitted",
                    {"job": "Data Engineer at Acme", "confirmation": "GH-1"})
    messages = messages_for(notice, prefs, EVENT, TEMPLATES.render)
    assert [m.channel for m in messages] == ["in_app", "email", "sms"]
    assert len({m.notification_id for m in messages}) == 3


@pytest.mark.parametrize("status", ["shortlisted", "maybe", "rejected", "pending"])
def test_a_candidate_hears_only_of_being_shortlisted(status: str) -> None:
    changed = CandidateStatusChanged(
        job_id=uuid.uuid4(), candidate_id=CANDIDATE, company_id=uuid.uuid4(),
        job_title="Data engineer", status=status, previous_status="pending",
        changed_by=uuid.uuid4(), changed_at=DUE)
    notices = notices_for(changed, [SUPERVISOR])
    if status != "shortlisted":
        assert notices == []
        return
    [notice] = notices
    assert (notice.recipient_id, notice.role) == (CANDIDATE, "candidate")
    rendered = TEMPLATES.render(notice.template, {**notice.values, "role": notice.role})
    assert rendered.subject == "Shortlisted for Data engineer"
    assert "shortlist" in rendered.body


def test_each_member_a_note_mentions_is_told_once_and_the_author_never() -> None:
    author, ann, bob = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    mentioned = NoteMentioned(
        note_id=uuid.uuid4(), revision=2, job_id=uuid.uuid4(), candidate_id=CANDIDATE,
        company_id=uuid.uuid4(), job_title="Data engineer", author_id=author,
        mentioned=[ann, bob, ann, author])
    notices = notices_for(mentioned, [SUPERVISOR])
    assert [(n.recipient_id, n.role) for n in notices] == [(ann, "employer"), (bob, "employer")]
    rendered = TEMPLATES.render(notices[0].template,
                                {**notices[0].values, "role": notices[0].role})
    assert rendered.subject == ("You were mentioned in a note on a candidate for "
                                "Data engineer")
    assert str(CANDIDATE) in rendered.body and str(mentioned.note_id) in rendered.body

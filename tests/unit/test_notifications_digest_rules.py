"""Quiet digests as plain rules: fixed windows, one id per person and window, which news
waits for a digest, and the digest's and dead-letter alert's wording."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.notifications.domain import (
    Preferences,
    digest_id,
    digest_notice,
    digest_window,
    dlq_notices,
    messages_for,
)
from services.notifications.templates import Templates

PERSON = uuid.UUID("5b2c8a64-9d7e-4f51-a1c3-0a6e1f2b3c4d")


def test_windows_are_fixed_slots_every_replica_agrees_on() -> None:
    at = datetime(2026, 3, 2, 9, 41, 7, tzinfo=UTC)
    start, end = digest_window(at, 3600)
    assert (start, end) == (datetime(2026, 3, 2, 9, tzinfo=UTC),
                            datetime(2026, 3, 2, 10, tzinfo=UTC))
    assert digest_window(start, 3600) == (start, end)  # a window includes its start...
    assert digest_window(end, 3600)[0] == end  # ...not its end
    assert digest_window(at + timedelta(hours=5), 86400)[0] == datetime(2026, 3, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match="positive"):
        digest_window(at, 0)


def test_one_digest_id_per_person_and_window() -> None:
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert digest_id(PERSON, start) == digest_id(PERSON, start)
    assert digest_id(PERSON, start) != digest_id(PERSON, start + timedelta(hours=1))
    assert digest_id(PERSON, start) != digest_id(uuid.uuid4(), start)


def test_only_high_volume_news_waits_and_only_for_who_asked() -> None:
    quiet = Preferences(PERSON, digest_interval_s=3600)
    assert quiet.digests("application_submitted")
    assert not quiet.digests("application_failed")  # a failure is told at once
    assert not Preferences(PERSON).digests("application_submitted")


def test_a_digest_lists_every_line_on_each_channel_of_the_person() -> None:
    window = (datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 2, 10, tzinfo=UTC))
    notice = digest_notice(PERSON, ["Applied to Analyst at Acme", "Applied to SRE at Hooli"],
                           window)
    about = digest_id(PERSON, window[0])
    prefs = Preferences(PERSON, frozenset({"in_app", "email"}), email="a@example.com")
    messages = messages_for(notice, prefs, about, Templates().render)
    assert sorted(m.channel for m in messages) == ["email", "in_app"]
    assert {m.about_event_id for m in messages} == {about}
    assert messages[0].subject == "2 updates from JAMS"
    assert "- Applied to Analyst at Acme\n- Applied to SRE at Hooli" in messages[0].body


def test_every_operator_hears_of_a_growing_dead_letter_topic() -> None:
    ops = [uuid.uuid4(), uuid.uuid4()]
    notices = dlq_notices(ops, "jobs.raw.dlq", 12, 7, 600)
    assert [n.recipient_id for n in notices] == ops
    rendered = Templates().render(notices[0].template, notices[0].values)
    assert rendered.subject == "Dead letters growing on jobs.raw.dlq"
    assert "holds 12 events not yet replayed; it grew by 7 in the last 10 minutes" \
        in rendered.body
    assert "jams dlq replay jobs.raw.dlq" in rendered.body

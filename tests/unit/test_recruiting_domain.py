"""Employer jobs' states and the recruiting lists' cursors: pure rules."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from services.recruiting.domain import (
    InvalidCursor,
    JobStatus,
    NotAllowed,
    decode_cursor,
    encode_cursor,
    expired,
    job_change,
    published,
    updated,
)

D, P, C = JobStatus.DRAFT, JobStatus.PUBLISHED, JobStatus.CLOSED
AT = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("current", "wanted", "after"), [
    (D, None, D), (D, D, D), (D, P, P), (D, C, C), (P, None, P), (P, P, P), (P, C, C),
    (C, None, C), (C, C, C)])
def test_moves_a_job_may_make(current: JobStatus, wanted: JobStatus | None,
                              after: JobStatus) -> None:
    assert job_change(current, wanted, {}) is after


@pytest.mark.parametrize(("current", "wanted"), [(P, D), (C, D), (C, P)])
def test_a_published_job_never_goes_back_and_a_closed_one_stays_closed(
        current: JobStatus, wanted: JobStatus) -> None:
    with pytest.raises(NotAllowed):
        job_change(current, wanted, {})


def test_a_closed_jobs_text_is_fixed() -> None:
    assert job_change(D, P, {"title": "Publish with this title"}) is P
    assert job_change(P, None, {"title": "Edited once published"}) is P
    with pytest.raises(NotAllowed, match="closed job's text is fixed"):
        job_change(C, None, {"title": "x"})


def _job(apply_url: str | None) -> dict[str, object]:
    return {"job_id": uuid.UUID(int=7), "title": "Data engineer", "location": "Berlin",
            "description": "SQL", "apply_url": apply_url, "country": "DE",
            "workplace": "hybrid", "employment_type": "full_time", "salary_min": 60000.0,
            "salary_max": 80000.0, "salary_currency": "EUR", "salary_period": "year"}


def test_a_published_job_is_announced_as_any_canonical_job_from_the_employer_source() -> None:
    event = published(_job(None), "Acme", "https://jams.example/jobs/", AT)
    assert event.sources == [f"employer:{uuid.UUID(int=7)}"]
    assert str(event.apply_url) == f"https://jams.example/jobs/{uuid.UUID(int=7)}"
    assert (event.company, event.country, event.posted_at) == ("Acme", "DE", AT)
    own = published(_job("https://acme.example/apply"), "Acme", "https://jams.example/jobs", AT)
    assert str(own.apply_url) == "https://acme.example/apply"
    assert expired(uuid.UUID(int=7), AT).reason == "closed by the employer"


def test_a_cursor_reads_back_only_for_its_own_ordering() -> None:
    cursor = encode_cursor("score", 61.5, uuid.UUID(int=3))
    assert decode_cursor(cursor, "score", 2) == ["61.5", str(uuid.UUID(int=3))]
    for text, order, count in ((cursor, "recent", 2), (cursor, "score", 3),
                               ("not a cursor", "score", 2),
                               (encode_cursor("score", 1), "score", 2)):
        with pytest.raises(InvalidCursor):
            decode_cursor(text, order, count)


def test_a_published_jobs_material_edit_is_announced_at_its_next_revision() -> None:
    before = {**_job(None), "published_at": AT, "revision": 2}
    after = {**before, "description": "SQL\nKafka", "salary_max": 90000.0}
    event = updated(before, after, "Acme", "https://jams.example/jobs")
    assert event is not None
    assert (event.revision, event.changed) == (3, ["description", "salary"])
    assert event.previous == {"salary": "60000-80000 EUR per year"}
    assert event.description_diff == ["+ Kafka"]
    assert (event.company, event.posted_at, event.salary_max) == ("Acme", AT, 90000.0)
    assert str(event.apply_url) == f"https://jams.example/jobs/{uuid.UUID(int=7)}"


def test_a_cosmetic_edit_of_a_published_job_announces_nothing() -> None:
    before = {**_job("https://acme.example/apply"), "published_at": AT, "revision": 0}
    after = {**before, "title": " Data  engineer ",
             "apply_url": "https://acme.example/apply?utm_source=jams"}
    assert updated(before, after, "Acme", "https://jams.example/jobs") is None

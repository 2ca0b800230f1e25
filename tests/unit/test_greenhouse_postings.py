"""Greenhouse postings read into JobDiscovered, their raw payload hashed, the seed jobs deduped."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox.portal.catalog import job_json
from sandbox.portal.jobs import SEED_JOBS, PortalJob
from schemas.events.jobs import JobDiscovered
from services.job_discovery.adapters.base import BadPosting, build_event
from services.job_discovery.adapters.boards import normalise_greenhouse
from services.job_discovery.announce import payload_hash
from services.job_discovery.html_text import html_to_text
from services.job_discovery.jobs.posting import Posting, normalise_posting, same_job
from services.job_discovery.jobs.store import canonical_job_id


def greenhouse_job(**overrides: Any) -> dict[str, Any]:
    """A job as `GET /v1/boards/acme/jobs?content=true` returns it."""
    job: dict[str, Any] = {
        "absolute_url": "https://boards.greenhouse.io/acme/jobs/4012345001",
        "internal_job_id": 3011001,
        "location": {"name": "Remote"},
        "metadata": None,
        "id": 4012345001,
        "updated_at": "2026-01-05T10:15:00-05:00",
        "requisition_id": "ENG-101",
        "title": "Senior Backend Engineer (Python)",
        "company_name": "Acme",
        "first_published": "2025-12-15T09:00:00-05:00",
        "language": "en",
        "content": html.escape(
            "<p><strong>Requirements:</strong></p><ul><li>Python</li><li>Kafka</li></ul>"
        ),
        "departments": [{"id": 1, "name": "Engineering", "parent_id": None, "child_ids": []}],
        "offices": [{"id": 2, "name": "Remote", "location": "Remote", "parent_id": None,
                     "child_ids": []}],
    }
    return job | overrides


def test_a_greenhouse_job_becomes_a_job_discovered_event() -> None:
    event = normalise_greenhouse(greenhouse_job(), company="Acme")

    assert isinstance(event, JobDiscovered)
    assert event.source_job_key == "greenhouse:4012345001"
    assert event.source == "greenhouse"
    assert event.external_id == "4012345001"
    assert event.raw_document_id == event.source_job_key
    assert (event.company, event.title, event.location) == (
        "Acme", "Senior Backend Engineer (Python)", "Remote")
    assert str(event.apply_url) == "https://boards.greenhouse.io/acme/jobs/4012345001"
    assert event.posted_at == datetime(2025, 12, 15, 14, 0, tzinfo=UTC)
    assert event.description == "Requirements:\n- Python\n- Kafka"


def test_posted_at_falls_back_to_updated_at_and_location_may_be_missing() -> None:
    job = greenhouse_job(location=None)
    del job["first_published"]

    event = normalise_greenhouse(job, company="Acme")

    assert event.posted_at == datetime(2026, 1, 5, 15, 15, tzinfo=UTC)
    assert event.location == ""


def test_html_is_stripped_to_readable_text() -> None:
    markup = (
        "<style>p { color: red }</style><h2>About&nbsp;us</h2>"
        "<p>We  build\n tools &amp; services.<br>Second line</p>"
        "<script>alert('x')</script><ul><li>One</li><li><em>Two</em> items</li></ul>"
        "<table><tr><td>a</td><td>b</td></tr></table>"
    )

    assert html_to_text(markup) == (
        "About us\nWe build tools & services.\nSecond line\n- One\n- Two items\na b"
    )


def test_entity_encoded_content_is_decoded_once_then_parsed() -> None:
    # Greenhouse encodes the HTML, so "&amp;" in the HTML arrives as "&amp;amp;".
    content = html.escape("<p>Salt &amp; pepper &lt;3</p>")

    event = normalise_greenhouse(greenhouse_job(content=content), company="Acme")

    assert event.description == "Salt & pepper <3"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "title"),
    ({"title": None}, "title"),
    ({"id": "not-a-number"}, "id"),
    ({"absolute_url": "javascript:alert(1)"}, "apply_url"),
    ({"updated_at": "2026-01-05T10:15:00", "first_published": None}, "updated_at"),
    ({"location": "Remote"}, "location"),
    ({"title": "x" * 600}, "title"),
])
def test_a_malformed_job_is_rejected_with_the_field_named(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(BadPosting) as caught:
        normalise_greenhouse(greenhouse_job(**overrides), company="Acme")
    assert "greenhouse" in str(caught.value)
    assert message in str(caught.value)


def test_a_missing_job_field_is_named() -> None:
    job = greenhouse_job()
    del job["absolute_url"]

    with pytest.raises(BadPosting, match="absolute_url"):
        normalise_greenhouse(job, company="Acme")


def test_the_payload_hash_follows_content_not_key_order() -> None:
    job = greenhouse_job()
    reordered = dict(reversed(list(job.items())))

    assert payload_hash(job) == payload_hash(reordered)
    assert payload_hash(job) != payload_hash(greenhouse_job(updated_at="2026-02-01T00:00:00Z"))


def seed_posting(job: PortalJob) -> Posting:
    """A seed job as discovery folds it: read from its board, then normalised."""
    raw = job_json(job, "http://portal.test", content=True)
    return normalise_posting(normalise_greenhouse(raw, company=job.company_name))


def test_the_reposted_seed_job_is_one_job() -> None:
    by_board = {(j.board_token, j.title): j for j in SEED_JOBS}
    original = by_board[("acme", "Senior Backend Engineer (Python)")]
    repost = by_board[("acme-careers", "Senior Backend Engineer (Python)")]

    assert original.id != repost.id
    assert seed_posting(original).fingerprint == seed_posting(repost).fingerprint
    assert same_job(seed_posting(original), seed_posting(repost))


def test_the_other_seed_jobs_are_distinct_jobs() -> None:
    jobs: list[Posting] = []
    for seed in SEED_JOBS:
        posting = seed_posting(seed)
        if not any(same_job(posting, job) for job in jobs):
            jobs.append(posting)

    assert len(SEED_JOBS) == 6
    assert len(jobs) == 5


def posting(company: str, title: str, location: str) -> Posting:
    return normalise_posting(build_event(
        "greenhouse", "1", company=company, title=title, location=location,
        apply_url="https://boards.greenhouse.io/acme/jobs/1"))


@pytest.mark.parametrize(("a", "b"), [
    (("Acme", "Senior Backend Engineer (Python)", "Remote"),
     ("ACME, Inc.", "  senior backend-engineer  python ", "remote")),
    (("Globex", "Data Engineer", "New York"), ("globex corp", "DATA ENGINEER", "New-York")),
    # Full-width letters, as some sources send them.
    (("\uff21\uff43\uff4d\uff45", "Platform Engineer", "Berlin"),
     ("Acme", "Platform Engineer", "Berlin")),
])
def test_the_fingerprint_ignores_case_spacing_punctuation_and_legal_form(
    a: tuple[str, str, str], b: tuple[str, str, str]
) -> None:
    assert posting(*a).fingerprint == posting(*b).fingerprint


@pytest.mark.parametrize(("a", "b"), [
    (("Acme", "Platform Engineer", "Berlin"), ("Acme", "Platform Engineer", "London")),
    (("Acme", "Platform Engineer", "Berlin"), ("Globex", "Platform Engineer", "Berlin")),
    (("Acme", "C++ Engineer", "Remote"), ("Acme", "C# Engineer", "Remote")),
    (("Acme", "C++ Engineer", "Remote"), ("Acme", "C Engineer", "Remote")),
])
def test_the_dedup_rule_tells_different_jobs_apart(
    a: tuple[str, str, str], b: tuple[str, str, str]
) -> None:
    assert not same_job(posting(*a), posting(*b))


def test_the_canonical_job_id_is_a_stable_uuid5_of_the_first_sighting() -> None:
    job_id = canonical_job_id("greenhouse:4012345001")

    assert job_id == canonical_job_id("greenhouse:4012345001")
    assert job_id.version == 5
    assert job_id != canonical_job_id("greenhouse:4098765001")

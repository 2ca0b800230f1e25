"""Job discovery rules: Greenhouse postings normalised, named canonically, fingerprinted."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import Any, cast

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from infra.clock import FakeClock
from infra.runtime import Platform
from infra.service import unrouted_event_types
from sandbox.portal.jobs import SEED_JOBS, PortalJob
from schemas.events.jobs import JobDiscovered
from services.job_discovery.adapters.greenhouse import GreenhouseClient, GreenhouseError
from services.job_discovery.app import build
from services.job_discovery.domain import (
    BadPosting,
    board_jobs,
    canonical_job_id,
    canonical_key,
    fingerprint,
    normalise_greenhouse_job,
)
from services.job_discovery.html_text import html_to_text
from services.job_discovery.settings import GreenhouseBoard, JobDiscoverySettings


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


def key_of(job: PortalJob) -> str:
    return canonical_key(job.company_name, job.title, job.location)


def test_a_greenhouse_job_becomes_a_job_discovered_event() -> None:
    event = normalise_greenhouse_job(greenhouse_job(), company="Acme")

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

    event = normalise_greenhouse_job(job, company="Acme")

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

    event = normalise_greenhouse_job(greenhouse_job(content=content), company="Acme")

    assert event.description == "Salt & pepper <3"


def test_the_reposted_seed_job_has_the_same_canonical_key() -> None:
    by_board = {(j.board_token, j.title): j for j in SEED_JOBS}
    original = by_board[("acme", "Senior Backend Engineer (Python)")]
    repost = by_board[("acme-careers", "Senior Backend Engineer (Python)")]

    assert original.id != repost.id
    assert key_of(original) == key_of(repost)
    assert canonical_job_id(key_of(original)) == canonical_job_id(key_of(repost))


def test_other_seed_jobs_have_distinct_canonical_keys() -> None:
    keys = {key_of(j) for j in SEED_JOBS}

    assert len(SEED_JOBS) == 6
    assert len(keys) == 5


@pytest.mark.parametrize(("a", "b"), [
    (("Acme", "Senior Backend Engineer (Python)", "Remote"),
     ("ACME, Inc.", "  senior backend-engineer  python ", "remote")),
    (("Globex", "Data Engineer", "New York"), ("globex corp", "DATA ENGINEER", "New-York")),
    # Full-width letters, as some sources send them.
    (("\uff21\uff43\uff4d\uff45", "Platform Engineer", "Berlin"),
     ("Acme", "Platform Engineer", "Berlin")),
])
def test_canonical_key_ignores_case_spacing_punctuation_and_legal_form(
    a: tuple[str, str, str], b: tuple[str, str, str]
) -> None:
    assert canonical_key(*a) == canonical_key(*b)


@pytest.mark.parametrize(("a", "b"), [
    (("Acme", "Platform Engineer", "Berlin"), ("Acme", "Platform Engineer", "London")),
    (("Acme", "Platform Engineer", "Berlin"), ("Globex", "Platform Engineer", "Berlin")),
    (("Acme", "C++ Engineer", "Remote"), ("Acme", "C# Engineer", "Remote")),
    (("Acme", "C++ Engineer", "Remote"), ("Acme", "C Engineer", "Remote")),
])
def test_canonical_key_tells_different_jobs_apart(
    a: tuple[str, str, str], b: tuple[str, str, str]
) -> None:
    assert canonical_key(*a) != canonical_key(*b)


def test_canonical_job_id_is_a_stable_uuid5() -> None:
    key = canonical_key("Acme", "Frontend Engineer", "Remote")

    assert canonical_job_id(key) == canonical_job_id(key)
    assert canonical_job_id(key).version == 5
    assert canonical_job_id(key) != canonical_job_id(canonical_key("Acme", "Frontend", "Remote"))


def test_fingerprint_follows_content_not_key_order() -> None:
    job = greenhouse_job()
    reordered = dict(reversed(list(job.items())))

    assert fingerprint(job) == fingerprint(reordered)
    assert fingerprint(job) != fingerprint(greenhouse_job(updated_at="2026-02-01T00:00:00Z"))


@pytest.mark.parametrize(("payload", "message"), [
    ([], "expected a JSON object"),
    ({"meta": {"total": 0}}, "'jobs' to be a list"),
    ({"jobs": {"id": 1}}, "'jobs' to be a list"),
    ({"jobs": [greenhouse_job(), "oops"]}, "jobs[1] is a str"),
])
def test_a_board_answer_of_the_wrong_shape_is_rejected_clearly(
    payload: object, message: str
) -> None:
    with pytest.raises(BadPosting) as caught:
        board_jobs(payload)
    assert message in str(caught.value)


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
        normalise_greenhouse_job(greenhouse_job(**overrides), company="Acme")
    assert "greenhouse job" in str(caught.value)
    assert message in str(caught.value)


def test_a_missing_job_field_is_named() -> None:
    job = greenhouse_job()
    del job["absolute_url"]

    with pytest.raises(BadPosting, match="absolute_url"):
        normalise_greenhouse_job(job, company="Acme")


BOARD = GreenhouseBoard(board_token="acme", company="Acme", api_base="http://portal.test")


async def fetch_with(handler: httpx.MockTransport) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(transport=handler) as http:
        return await GreenhouseClient(http).board_jobs(BOARD)


async def test_the_adapter_asks_for_content_and_returns_the_jobs() -> None:
    seen: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json={"jobs": [greenhouse_job()], "meta": {"total": 1}})

    jobs = await fetch_with(httpx.MockTransport(answer))

    assert jobs == [greenhouse_job()]
    assert str(seen[0]) == "http://portal.test/v1/boards/acme/jobs?content=true"


@pytest.mark.parametrize(("response", "message"), [
    (httpx.Response(200, text="<html>Sorry</html>", headers={"content-type": "text/html"}),
     "not JSON (text/html)"),
    (httpx.Response(200, json=[1, 2]), "unexpected shape"),
    (httpx.Response(404, json={"status": 404, "error": "Job board not found"}), "no such board"),
    (httpx.Response(503, text="busy"), "HTTP 503"),
])
async def test_the_adapter_raises_a_clear_error_on_a_bad_answer(
    response: httpx.Response, message: str
) -> None:
    with pytest.raises(GreenhouseError) as caught:
        await fetch_with(httpx.MockTransport(lambda _: response))
    assert "'acme'" in str(caught.value)
    assert message in str(caught.value)


async def test_the_adapter_wraps_transport_failures() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(GreenhouseError, match="request failed"):
        await fetch_with(httpx.MockTransport(refuse))


def test_boards_come_from_json_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    boards = [{"board_token": "vaulttec", "company": "Vault-Tec"}]
    monkeypatch.setenv("JAMS_GREENHOUSE_BOARDS", json.dumps(boards))
    monkeypatch.setenv("JAMS_SCRAPE_INTERVAL_S", "60")

    settings = JobDiscoverySettings()

    assert settings.greenhouse_boards == [GreenhouseBoard(
        board_token="vaulttec", company="Vault-Tec", api_base="https://boards-api.greenhouse.io")]
    assert settings.scrape_interval_s == 60


def test_by_default_the_sandbox_boards_are_scraped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAMS_GREENHOUSE_BOARDS", raising=False)
    settings = JobDiscoverySettings()

    assert [(b.board_token, b.company, b.api_base) for b in settings.greenhouse_boards] == [
        ("acme", "Acme", "http://127.0.0.1:8700"),
        ("globex", "Globex", "http://127.0.0.1:8700"),
        ("acme-careers", "Acme", "http://127.0.0.1:8700"),
    ]
    assert settings.scrape_on_start is True
    assert settings.scrape_interval_s == 300
    local = JobDiscoverySettings(**JobDiscoverySettings.sandbox_boards("http://127.0.0.1:9"))
    assert {b.api_base for b in local.greenhouse_boards} == {"http://127.0.0.1:9"}


def test_every_event_on_the_service_topics_is_handled() -> None:
    # build() only wires; nothing here connects, so stand-ins are enough for the bus and stores.
    engine = create_async_engine("postgresql+psycopg://nobody@/nowhere")
    platform = Platform(
        settings=JobDiscoverySettings(), clock=FakeClock(), engine=engine,
        bus=cast(Any, None), redis=cast(Any, None), documents=cast(Any, None),
        blobs=cast(Any, None),
    )

    spec = build(platform, JobDiscoverySettings())

    assert spec.name == "job_discovery"
    assert spec.topics == ["jobs.raw"]
    assert unrouted_event_types(spec) == []
    assert len(spec.background) == 2  # the scrape loop and the expiry sweep


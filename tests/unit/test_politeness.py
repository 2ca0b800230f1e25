"""Politeness rules that need no server: answers sorted, Retry-After read, backoff, URL safety."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import ValidationError

from infra.politeness import PoliteClient, PortalPolicy, UnsafeUrl, check_url, classify
from infra.politeness.client import parse_retry_after

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
POLICY = PortalPolicy()


def answer(status: int, text: str = "", content_type: str = "text/html",
           **headers: str) -> httpx.Response:
    return httpx.Response(status, text=text, headers={"content-type": content_type, **headers})


def test_answers_are_sorted_into_ok_retry_and_blocked() -> None:
    assert classify(answer(200, "<h1>Jobs</h1>"), POLICY, NOW).kind == "ok"
    assert classify(answer(404), POLICY, NOW).kind == "ok"  # the caller decides what 404 means
    assert classify(answer(403), POLICY, NOW).reason == "forbidden"
    captcha = classify(answer(200, '<div class="g-recaptcha"></div>'), POLICY, NOW)
    assert (captcha.kind, captcha.reason) == ("blocked", "captcha")
    limited = classify(answer(429, **{"Retry-After": "7"}), POLICY, NOW)
    assert (limited.kind, limited.reason, limited.retry_after_s) == ("retry", "rate_limited", 7)
    assert classify(answer(503), POLICY, NOW).reason == "http_503"


def test_json_that_mentions_a_captcha_is_not_a_captcha_page() -> None:
    body = '{"jobs": [{"title": "Captcha engineer", "content": "g-recaptcha"}]}'
    assert classify(answer(200, body, "application/json"), POLICY, NOW).kind == "ok"


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("120", NOW) == 120
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", NOW) == 30
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", NOW) == 0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_a_retry_after_too_long_to_be_a_number_is_ignored_not_infinite() -> None:
    assert parse_retry_after("9" * 400, NOW) is None
    assert parse_retry_after("-5", NOW) is None
    assert parse_retry_after("999999999999", NOW) == 999999999999  # the caller caps it


def test_backoff_doubles_with_jitter_caps_and_never_undercuts_retry_after() -> None:
    client = PoliteClient.__new__(PoliteClient)
    client._rng = random.Random(1)
    policy = PortalPolicy(backoff_base_s=1, backoff_max_s=8)
    for attempt, step in [(1, 1), (2, 2), (3, 4), (4, 8), (9, 8)]:
        delay = client.backoff_s(policy, attempt, None)
        assert step / 2 <= delay <= step
    assert client.backoff_s(policy, 1, 30) == 30
    assert client.backoff_s(policy, 1, 999999999999) == policy.max_retry_after_s


def test_a_policy_whose_lease_is_shorter_than_a_request_is_refused() -> None:
    with pytest.raises(ValidationError, match="lease_s"):
        PortalPolicy(timeout_s=30, lease_s=10)
    assert PortalPolicy.adzuna().daily_limit == 250
    assert PortalPolicy.adzuna().rate_per_s == pytest.approx(25 / 60)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8700/v1/boards/acme/jobs",
    "http://10.0.0.8/jobs",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[fe80::1]/",
    "http://0.0.0.0/",
    "file:///etc/passwd",
    "gopher://example.com/",
    "http://user:secret@example.com/",
    "http:///nohost",
    "http://localhost:8700/",
])
async def test_unsafe_source_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        await check_url(url)


async def test_allow_listed_private_hosts_are_accepted() -> None:
    await check_url("http://127.0.0.1:8700/v1/boards/acme/jobs", allow=["127.0.0.1"])
    await check_url("http://127.0.0.1:8700/x", allow=["127.0.0.1:8700"])
    await check_url("http://10.1.2.3/x", allow=["10.0.0.0/8"])
    await check_url("http://93.184.215.14/x")  # a public address needs no allowance
    with pytest.raises(UnsafeUrl):
        await check_url("http://127.0.0.1:9999/x", allow=["127.0.0.1:8700"])

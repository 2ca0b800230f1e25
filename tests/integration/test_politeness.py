"""Politeness on real Valkey: the breaker, Retry-After, blocks, leases and the daily quota."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from redis.asyncio import Redis

from infra.clock import FakeClock
from infra.politeness import (
    Blocked,
    CircuitOpen,
    FetchFailed,
    PoliteClient,
    PortalPolicy,
    RateLimited,
)
from infra.politeness.client import Attempt
from infra.politeness.errors import QuotaExhausted

pytestmark = pytest.mark.integration

URL = "http://portal.test/jobs"


class SteppingClock(FakeClock):
    """A fake clock whose sleeps pass at once, moving time; it records every sleep."""

    def __init__(self) -> None:
        super().__init__()
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client: Redis = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"test:polite:{uuid.uuid4().hex}"


def polite(redis: Redis, clock: FakeClock, prefix: str,
           handler: Callable[[httpx.Request], httpx.Response]) -> PoliteClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return PoliteClient(http, redis, clock, prefix=prefix, allow_private=["portal.test"])


class Script:
    """Answers in order, then repeats the last; counts the requests that arrived."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


FAST = PortalPolicy(rate_per_s=1000, burst=100, max_attempts=1, breaker_failures=3,
                    breaker_open_s=60)


async def test_the_breaker_opens_after_n_failures_and_recovers_through_one_probe(
    redis: Redis, prefix: str
) -> None:
    clock = FakeClock()
    script = Script(httpx.Response(500))
    client = polite(redis, clock, prefix, script)
    for _ in range(3):
        with pytest.raises(FetchFailed):
            await client.request("acme", FAST, "GET", URL)
    assert await client.breaker.state("acme") == "open"

    with pytest.raises(CircuitOpen) as refused:
        await client.request("acme", FAST, "GET", URL)
    assert len(script.requests) == 3  # refused without a request
    assert refused.value.retry_in_s == 60

    clock.advance(60)
    script.answers = [httpx.Response(500)]
    with pytest.raises(FetchFailed):  # the probe fails: open again for a full period
        await client.request("acme", FAST, "GET", URL)
    assert await client.breaker.state("acme") == "open"
    with pytest.raises(CircuitOpen):
        await client.request("acme", FAST, "GET", URL)

    clock.advance(60)
    probe_sent = asyncio.Event()
    release = asyncio.Event()

    async def slow_ok(request: httpx.Request) -> httpx.Response:
        probe_sent.set()
        await release.wait()
        return httpx.Response(200, json={"jobs": []})

    client = PoliteClient(httpx.AsyncClient(transport=httpx.MockTransport(slow_ok)), redis,
                          clock, prefix=prefix, allow_private=["portal.test"])
    probe = asyncio.create_task(client.request("acme", FAST, "GET", URL))
    await asyncio.wait_for(probe_sent.wait(), 5)
    assert await client.breaker.state("acme") == "half_open"
    with pytest.raises(CircuitOpen):  # only one probe at a time
        await client.request("acme", FAST, "GET", URL)
    release.set()
    assert (await probe).status_code == 200
    assert await client.breaker.state("acme") == "closed"
    assert (await client.request("acme", FAST, "GET", URL)).status_code == 200


async def test_breakers_are_per_portal(redis: Redis, prefix: str) -> None:
    client = polite(redis, FakeClock(), prefix, Script(httpx.Response(503)))
    for _ in range(3):
        with pytest.raises(FetchFailed):
            await client.request("flaky", FAST, "GET", URL)
    assert await client.breaker.state("flaky") == "open"
    assert await client.breaker.state("steady") == "closed"


async def test_retry_after_is_honoured_before_the_next_attempt(
    redis: Redis, prefix: str
) -> None:
    clock = SteppingClock()
    script = Script(httpx.Response(429, headers={"Retry-After": "7"}),
                    httpx.Response(429, headers={"Retry-After": "Thu, 01 Jan 2026 00:00:37 GMT"}),
                    httpx.Response(200, json={"ok": True}))
    seen: list[Attempt] = []
    policy = PortalPolicy(rate_per_s=1000, burst=100, max_attempts=4, backoff_base_s=1)
    client = polite(redis, clock, prefix, script)

    response = await client.request("adz", policy, "GET", URL, observer=seen.append)

    assert response.status_code == 200
    assert len(script.requests) == 3
    assert [(a.reason, a.status, a.wait_s) for a in seen] == [
        ("rate_limited", 429, 7), ("rate_limited", 429, pytest.approx(30))]
    assert clock.slept == [7, pytest.approx(30)]  # 00:00:07 + 30 s is the date asked for
    assert script.requests[0].headers["user-agent"] == policy.user_agent


async def test_a_retry_after_longer_than_allowed_fails_at_once(
    redis: Redis, prefix: str
) -> None:
    clock = SteppingClock()
    script = Script(httpx.Response(429, headers={"Retry-After": "3600"}))
    policy = PortalPolicy(rate_per_s=1000, burst=100, max_attempts=5, max_retry_after_s=600)
    with pytest.raises(RateLimited) as error:
        await polite(redis, clock, prefix, script).request("adz", policy, "GET", URL)
    assert error.value.retry_after_s == 3600
    assert len(script.requests) == 1
    assert clock.slept == []


async def test_timeouts_and_5xx_are_retried_with_backoff_then_reported(
    redis: Redis, prefix: str
) -> None:
    clock = SteppingClock()
    script = Script(httpx.ReadTimeout("slow"), httpx.Response(502))
    policy = PortalPolicy(rate_per_s=1000, burst=100, max_attempts=3, backoff_base_s=2,
                          breaker_failures=10)
    seen: list[Attempt] = []
    with pytest.raises(FetchFailed, match=r"http_502 .* after 3 attempts"):
        await polite(redis, clock, prefix, script).request("p", policy, "GET", URL,
                                                           observer=seen.append)
    assert [a.reason for a in seen] == ["timeout", "http_502", "http_502"]
    assert 1 <= clock.slept[0] <= 2 and 2 <= clock.slept[1] <= 4
    assert seen[-1].wait_s is None


@pytest.mark.parametrize(("answer", "kind"), [
    (httpx.Response(403, text="Forbidden"), "forbidden"),
    (httpx.Response(200, text="<html><div class='h-captcha'></div></html>",
                    headers={"content-type": "text/html"}), "captcha"),
])
async def test_blocks_are_typed_errors_and_not_retried(
    redis: Redis, prefix: str, answer: httpx.Response, kind: str
) -> None:
    script = Script(answer)
    policy = PortalPolicy(rate_per_s=1000, burst=100, max_attempts=5)
    with pytest.raises(Blocked) as error:
        await polite(redis, SteppingClock(), prefix, script).request("li", policy, "GET", URL)
    assert error.value.kind == kind
    assert len(script.requests) == 1


async def test_a_dead_workers_slot_is_freed_when_its_lease_ends(
    redis: Redis, prefix: str
) -> None:
    clock = FakeClock()
    client = polite(redis, clock, prefix, Script(httpx.Response(200)))
    policy = PortalPolicy(max_concurrency=2, lease_s=30, timeout_s=10)
    assert await client.slots.try_acquire("p", policy, "dead-1") == 0
    assert await client.slots.try_acquire("p", policy, "dead-2") == 0
    assert await client.slots.try_acquire("p", policy, "alive") == 30  # full: wait for a lease
    assert await client.slots.in_flight("p") == 2
    clock.advance(30)
    assert await client.slots.try_acquire("p", policy, "alive") == 0
    assert await client.slots.in_flight("p") == 1


async def test_the_token_bucket_spaces_requests_on_the_clock(
    redis: Redis, prefix: str
) -> None:
    clock = FakeClock()
    client = polite(redis, clock, prefix, Script(httpx.Response(200)))
    policy = PortalPolicy(rate_per_s=2, burst=3)
    waits = [await client.bucket.try_take("p", policy) for _ in range(5)]
    assert waits == [0, 0, 0, 0.5, 0.5]
    clock.advance(0.5)
    assert await client.bucket.try_take("p", policy) == 0
    assert await client.bucket.try_take("p", policy) == 0.5


async def test_the_daily_quota_stops_requests_until_the_next_day(
    redis: Redis, prefix: str
) -> None:
    clock = SteppingClock()
    script = Script(httpx.Response(200, json={"results": []}))
    policy = PortalPolicy(rate_per_s=1000, burst=100, daily_limit=3)
    client = polite(redis, clock, prefix, script)
    for _ in range(3):
        await client.request("adzuna", policy, "GET", URL)
    with pytest.raises(QuotaExhausted):
        await client.request("adzuna", policy, "GET", URL)
    assert len(script.requests) == 3
    clock.advance(24 * 3600)
    await client.request("adzuna", policy, "GET", URL)
    assert len(script.requests) == 4


async def test_a_portal_with_a_proxy_goes_through_it_with_its_user_agent(
    redis: Redis, prefix: str
) -> None:
    direct, proxied = Script(httpx.Response(200)), Script(httpx.Response(200))
    opened: list[str] = []

    def open_proxied(proxy: str) -> httpx.AsyncClient:
        opened.append(proxy)
        return httpx.AsyncClient(transport=httpx.MockTransport(proxied))

    client = PoliteClient(httpx.AsyncClient(transport=httpx.MockTransport(direct)), redis,
                          FakeClock(), prefix=prefix, allow_private=["portal.test"],
                          proxied=open_proxied)
    via_proxy = PortalPolicy(rate_per_s=1000, burst=100, proxies=("http://proxy.example:3128",),
                             user_agent="Mozilla/5.0 (JAMS test)")
    await client.request("li", via_proxy, "GET", URL)
    await client.request("li", via_proxy, "GET", URL)
    await client.request("gh", FAST, "GET", URL)
    await client.aclose()

    assert opened == ["http://proxy.example:3128"]  # one client per proxy, reused
    assert [r.headers["user-agent"] for r in proxied.requests] == ["Mozilla/5.0 (JAMS test)"] * 2
    assert len(direct.requests) == 1

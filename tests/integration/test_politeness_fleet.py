"""Two worker processes hammer one portal through Valkey; the portal never sees more than its rate.

Run as a module, this file is the worker: `python -m tests.integration.test_politeness_fleet`.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
RATE_PER_S = 5.0
BURST = 1
MAX_CONCURRENCY = 2


class Portal(ThreadingHTTPServer):
    """A local portal that notes when each request arrived and how many were in flight."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.arrivals: list[float] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: Portal

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.arrivals.append(time.monotonic())
            self.server.in_flight += 1
            self.server.max_in_flight = max(self.server.max_in_flight, self.server.in_flight)
        time.sleep(0.03)  # a request takes a while, so concurrent ones overlap
        body = b'{"jobs": []}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with self.server.lock:
            self.server.in_flight -= 1

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def portal() -> Iterator[Portal]:
    server = Portal()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def busiest_window(arrivals: Sequence[float], window_s: float) -> int:
    """The most requests that arrived within any `window_s` seconds (every sliding window)."""
    times = sorted(arrivals)
    most = 0
    end = 0
    for start, t in enumerate(times):
        while end < len(times) and times[end] < t + window_s:
            end += 1
        most = max(most, end - start)
    return most


# A request is granted its token, then travels (and its worker may be descheduled on a busy
# machine) before the portal notes its arrival; this much delay is allowed for.
ARRIVAL_JITTER_S = 0.2


def allowed(window_s: float) -> int:
    """What a token bucket lets through in any window: the burst plus the refill."""
    return BURST + math.floor(RATE_PER_S * (window_s + ARRIVAL_JITTER_S))


def test_the_window_check_catches_a_burst() -> None:
    unlimited = [i * 0.05 for i in range(24)]  # what two greedy workers would send
    assert busiest_window(unlimited, 1.0) > allowed(1.0)
    assert busiest_window([0.0, 0.1, 0.2, 0.95, 1.5], 1.0) == 4
    assert busiest_window([0.0, 1.0, 2.0], 1.0) == 1
    assert busiest_window([], 1.0) == 0



@pytest.mark.integration
@pytest.mark.slow
def test_two_worker_processes_never_exceed_the_portal_rate(
    portal: Portal, redis_url: str
) -> None:
    prefix = f"test:polite:{uuid.uuid4().hex}"
    url = f"http://127.0.0.1:{portal.server_address[1]}/jobs"
    per_worker = 12
    command = [sys.executable, "-m", "tests.integration.test_politeness_fleet",
               "--url", url, "--redis", redis_url, "--prefix", prefix,
               "--requests", str(per_worker), "--tasks", "4"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [w.communicate(timeout=120) for w in workers]

    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert out.strip().splitlines()[-1] == f"sent {per_worker}"
    assert len(portal.arrivals) == 2 * per_worker
    for window_s in (1.0, 2.0, 3.0):
        assert busiest_window(portal.arrivals, window_s) <= allowed(window_s), window_s
    assert portal.max_in_flight <= MAX_CONCURRENCY
    # Both workers really competed: together they took about as long as the rate demands.
    spread = max(portal.arrivals) - min(portal.arrivals)
    assert spread >= (2 * per_worker - BURST) / RATE_PER_S * 0.9


async def _worker(url: str, redis_url: str, prefix: str, requests: int, tasks: int) -> int:
    from redis.asyncio import Redis

    from infra.clock import SystemClock
    from infra.politeness import PoliteClient, PortalPolicy

    policy = PortalPolicy(rate_per_s=RATE_PER_S, burst=BURST, max_concurrency=MAX_CONCURRENCY,
                          timeout_s=10, lease_s=30)
    redis: Redis = Redis.from_url(redis_url)
    sent = 0
    queue = list(range(requests))
    async with httpx.AsyncClient() as http:
        client = PoliteClient(http, redis, SystemClock(), prefix=prefix,
                              allow_private=["127.0.0.1"])

        async def hammer() -> None:
            nonlocal sent
            while queue:
                queue.pop()
                response = await client.request("portal", policy, "GET", url)
                assert response.status_code == 200
                sent += 1

        await asyncio.gather(*(hammer() for _ in range(tasks)))
    await redis.aclose()
    return sent


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--tasks", type=int, default=1)
    args = parser.parse_args()
    count = asyncio.run(_worker(args.url, args.redis, args.prefix, args.requests, args.tasks))
    print(f"sent {count}")

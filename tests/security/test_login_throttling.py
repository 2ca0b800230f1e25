"""Guessing passwords: a growing delay on the account instead of a lock its owner cannot pass;
hard limits per account and address, per address and in all; argon2 work bounded under a
flood; an unknown email costs the same hash as a wrong password."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog.testing
from argon2 import PasswordHasher

from services.gateway.accounts.throttle import LoginLimits, login_delay
from tests.integration.test_gateway_auth import PASSWORD, Api, api_for, error_of
from tests.security.system import System, web_system

pytestmark = pytest.mark.integration

OWNER = "admin@example.test"
WRONG = "not the password at all"


async def log_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


@asynccontextmanager
async def throttled(database_url: str, redis_url: str, tmp_path: Path,
                    **settings: Any) -> AsyncIterator[tuple[Api, list[float]]]:
    """The gateway's auth with its login delays recorded instead of waited out."""
    async with api_for(database_url, redis_url, tmp_path, **settings) as api:
        delays: list[float] = []

        async def record(seconds: float) -> None:
            delays.append(seconds)

        assert api.auth.accounts.throttle is not None
        api.auth.accounts.throttle.sleep = record
        yield api, delays


async def test_an_attacker_elsewhere_slows_the_account_but_cannot_lock_its_owner_out(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with throttled(database_url, redis_url, tmp_path) as (api, delays), \
            api.from_address("203.0.113.7") as attacker, \
            api.from_address("198.51.100.2") as owner:
        for _ in range(10):
            error_of(await log_in(attacker, OWNER, WRONG), 401, "ERR_AUTH_REQUIRED")
        # The eleventh guess from that address is refused without a password check.
        limited = error_of(await log_in(attacker, OWNER, WRONG), 429, "ERR_RATE_LIMIT")
        assert limited["details"]["scope"] == "pair"
        # Three free failures, then each guess waits twice as long, up to the cap.
        assert delays == [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0]
        # The owner, elsewhere, waits once and gets in; the account is not slowed any more.
        assert (await log_in(owner, OWNER, PASSWORD)).status_code == 200
        assert delays[-1] == 15.0 and len(delays) == 8
        assert (await log_in(owner, OWNER, PASSWORD)).status_code == 200
        assert len(delays) == 8


async def test_one_address_guessing_many_accounts_is_stopped(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with throttled(database_url, redis_url, tmp_path,
                         login_max_failures_per_address=5) as (api, _), \
            api.from_address("203.0.113.7") as attacker, \
            api.from_address("198.51.100.2") as owner:
        for n in range(5):
            error_of(await log_in(attacker, f"user{n}@example.test", WRONG), 401,
                     "ERR_AUTH_REQUIRED")
        limited = error_of(await log_in(attacker, "user9@example.test", WRONG), 429,
                           "ERR_RATE_LIMIT")
        assert limited["details"]["scope"] == "address"
        assert (await log_in(owner, OWNER, PASSWORD)).status_code == 200


async def test_guesses_from_many_addresses_meet_the_overall_limit(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with throttled(database_url, redis_url, tmp_path,
                         login_max_failures_overall=6) as (api, _):
        for n in range(6):
            async with api.from_address(f"203.0.113.{n + 1}") as bot:
                error_of(await log_in(bot, f"user{n}@example.test", WRONG), 401,
                         "ERR_AUTH_REQUIRED")
        async with api.from_address("203.0.113.99") as bot:
            limited = error_of(await log_in(bot, "user9@example.test", WRONG), 429,
                               "ERR_RATE_LIMIT")
        assert limited["details"]["scope"] == "overall"


def test_the_delay_doubles_after_the_free_failures_up_to_its_cap() -> None:
    limits = LoginLimits(per_account_and_address=10, per_address=50, overall=2000,
                         free_failures=3, delay_base_s=0.5, delay_max_s=15, window_s=300)
    assert [login_delay(n, limits) for n in range(10)] == [
        0, 0, 0, 0.5, 1, 2, 4, 8, 15, 15]
    assert login_delay(10_000, limits) == 15


class CountingHashes:
    """Wraps PasswordHasher.verify: slow enough to overlap, counting calls and the peak."""

    def __init__(self, slowness_s: float) -> None:
        self.original = PasswordHasher.verify
        self.slowness_s = slowness_s
        self.lock = threading.Lock()
        self.running = self.peak = self.calls = 0

    def verify(self, hasher: PasswordHasher, stored: str | bytes, password: str | bytes) -> bool:
        with self.lock:
            self.running += 1
            self.calls += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(self.slowness_s)
            return self.original(hasher, stored, password)
        finally:
            with self.lock:
                self.running -= 1


def counting_hashes(monkeypatch: pytest.MonkeyPatch, slowness_s: float = 0.05) -> CountingHashes:
    counting = CountingHashes(slowness_s)
    monkeypatch.setattr(PasswordHasher, "verify", lambda hasher, stored, password:
                        counting.verify(hasher, stored, password))
    return counting


async def flood(system: System, logins: int) -> list[httpx.Response]:
    """`logins` wrong-password logins at once, each for its own unknown email."""
    async with system.client() as client:
        return list(await asyncio.gather(*(log_in(client, f"bot{n}@example.test", WRONG)
                                           for n in range(logins))))


async def test_a_flood_of_logins_hashes_two_at_a_time(
    database_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashes = counting_hashes(monkeypatch)
    async with web_system(database_url, redis_url, tmp_path) as system:
        answers = await flood(system, 24)
    assert [a.status_code for a in answers] == [401] * 24
    assert hashes.calls == 24 and hashes.peak == 2


async def test_past_the_queue_logins_are_refused_at_once(
    database_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashes = counting_hashes(monkeypatch, slowness_s=0.3)
    async with web_system(database_url, redis_url, tmp_path, password_hash_concurrency=1,
                          password_hash_queue=4) as system:
        answers = await flood(system, 12)
    assert sorted(a.status_code for a in answers) == [401] * 4 + [429] * 8
    refused = next(a for a in answers if a.status_code == 429)
    assert error_of(refused, 429, "ERR_RATE_LIMIT")["details"]["scope"] == "password_hashing"
    assert refused.headers["Retry-After"] == "1"
    assert hashes.calls == 4


async def test_an_unknown_email_costs_the_same_hash_as_a_wrong_password(
    database_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashes = counting_hashes(monkeypatch)
    async with throttled(database_url, redis_url, tmp_path) as (api, _):
        error_of(await api.login("nobody@example.test", WRONG), 401, "ERR_AUTH_REQUIRED")
        assert hashes.calls == 1
        error_of(await api.login(OWNER, WRONG), 401, "ERR_AUTH_REQUIRED")
        assert hashes.calls == 2


async def test_a_throttled_login_says_in_retry_after_when_to_try_again(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with throttled(database_url, redis_url, tmp_path, login_max_failures=2,
                         login_failure_window_s=2) as (api, _), \
            api.from_address("203.0.113.7") as attacker:
        for _ in range(2):
            error_of(await log_in(attacker, OWNER, WRONG), 401, "ERR_AUTH_REQUIRED")
        with structlog.testing.capture_logs() as logged:
            limited = await log_in(attacker, OWNER, WRONG)
        body = error_of(limited, 429, "ERR_RATE_LIMIT")
        # The refusal is logged with the address it was counted against.
        assert any(entry.get("address") == "203.0.113.7" and entry.get("scope") == "pair"
                   for entry in logged)
        wait_s = int(limited.headers["Retry-After"])
        assert 1 <= wait_s <= 2
        assert body["details"]["retry_after_s"] == wait_s
        # Once that long has passed the address may try again.
        await asyncio.sleep(wait_s + 0.2)
        error_of(await log_in(attacker, OWNER, WRONG), 401, "ERR_AUTH_REQUIRED")


async def logins_from(system: System, forwarded_for: list[str]) -> list[httpx.Response]:
    """Wrong-password logins from this machine, each claiming another client address."""
    async with system.client() as client:
        return [await client.post("/api/v1/auth/login",
                                  headers={"X-Forwarded-For": address},
                                  json={"email": f"user{n}@example.test", "password": WRONG})
                for n, address in enumerate(forwarded_for)]


async def test_a_forged_forwarded_for_from_an_untrusted_peer_does_not_pick_the_bucket(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with web_system(database_url, redis_url, tmp_path,
                          login_max_failures_per_address=3) as system:
        answers = await logins_from(system, [f"203.0.113.{n}" for n in range(1, 5)])
    # Every guess counts against the peer itself, whatever address each one claims.
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert error_of(answers[-1], 429, "ERR_RATE_LIMIT")["details"]["scope"] == "address"


async def test_behind_a_trusted_proxy_the_forwarded_client_picks_the_bucket(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with web_system(database_url, redis_url, tmp_path, login_max_failures_per_address=3,
                          trusted_proxies=["127.0.0.0/8"]) as system:
        answers = await logins_from(system, ["203.0.113.7"] * 4 + ["198.51.100.2"])
    assert [a.status_code for a in answers] == [401, 401, 401, 429, 401]

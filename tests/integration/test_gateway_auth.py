"""Accounts and the API conventions on real PostgreSQL and Valkey: register, log in, refresh
with rotation, reuse detection, logout, staff accounts, cookies, limits, request ids, errors."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import structlog
from argon2 import PasswordHasher
from fastapi import FastAPI
from pydantic import SecretStr
from redis.asyncio import Redis
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from infra.auth import Role, mint_access_token
from infra.clock import FakeClock
from infra.db import create_engine
from infra.logging import configure_logging
from infra.uow import UnitOfWork
from schemas.events.review import UnlockReviewer
from services.gateway.accounts.passwords import Passwords
from services.gateway.audit import audit_log
from services.gateway.auth import UNAUTHORIZED, GatewayAuth, auth_from, install_auth
from services.gateway.settings import GatewaySettings
from tests.integration.test_gateway_ws import running_gateway

pytestmark = pytest.mark.integration

SECRET = SecretStr("gateway-auth-test-secret-0123456789")
PASSWORD = "a long enough password"
ADMIN_ID = uuid.uuid4()
SAME_ORIGIN = {"Origin": "http://gw"}
# Cheap parameters: the tests hash many passwords; production uses argon2-cffi's defaults.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


@dataclass
class Api:
    http: httpx.AsyncClient
    auth: GatewayAuth
    clock: FakeClock
    uow: UnitOfWork
    app: FastAPI

    async def login(self, email: str, password: str = PASSWORD, **extra: Any) -> httpx.Response:
        return await self.http.post("/api/v1/auth/login",
                                    json={"email": email, "password": password, **extra})

    def from_address(self, address: str) -> httpx.AsyncClient:
        """Another client of the same app, calling from `address`."""
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app,
                                                               client=(address, 50000)),
                                 base_url="http://gw")

    async def tokens(self, email: str) -> dict[str, Any]:
        response = await self.login(email)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def refresh(self, token: str) -> httpx.Response:
        return await self.http.post("/api/v1/auth/refresh", json={"refresh_token": token})

    async def audit(self, action: str) -> list[dict[str, Any]]:
        async with self.uow.engine.connect() as conn:
            rows = await conn.execute(sa.select(audit_log).where(audit_log.c.action == action))
            return [dict(row._mapping) for row in rows]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The error body, after checking the one shape every error has."""
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message", "details", "request_id"}
    assert error["code"] == code and error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    return error


@asynccontextmanager
async def api_for(database_url: str, redis_url: str, tmp_path: Path,
                  **overrides: Any) -> AsyncIterator[Api]:
    settings = GatewaySettings(
        bus="embedded", database_url=database_url, redis_url=redis_url, data_dir=tmp_path,
        jwt_secret=SECRET, presence_namespace=f"auth{uuid.uuid4().hex[:10]}", **overrides)
    engine = create_engine(database_url, pool_size=2)
    redis: Redis = Redis.from_url(redis_url)
    clock = FakeClock(datetime.now(UTC))
    uow = UnitOfWork(engine, clock, "jams/gateway")
    auth = auth_from(uow, redis, clock, settings, Passwords(FAST_HASHER))
    app = install_auth(FastAPI(), auth, redis, settings)

    @app.get("/boom")
    async def boom() -> None:
        structlog.get_logger("test").info("about to fail")
        raise RuntimeError("database password is hunter2")

    await auth.accounts.ensure("admin@example.test", PASSWORD, Role.ADMIN, ADMIN_ID)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
            yield Api(http, auth, clock, uow, app)
    finally:
        keys = [k async for k in redis.scan_iter(match=f"{settings.presence_namespace}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
        await engine.dispose()


@pytest.fixture
async def api(database_url: str, redis_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    async with api_for(database_url, redis_url, tmp_path) as api:
        yield api


async def test_register_log_in_and_read_me(api: Api) -> None:
    created = await api.http.post("/api/v1/auth/register", json={
        "email": " Ada@Example.TEST ", "password": PASSWORD, "role": "admin"})
    assert created.status_code == 201, created.text
    user = created.json()
    # Self-registration only ever makes a candidate; the email is normalised.
    assert (user["role"], user["email"]) == ("candidate", "ada@example.test")
    assert "password" not in json.dumps(user) and "hash" not in json.dumps(user)

    tokens = await api.tokens("ADA@example.test")
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 15 * 60
    principal = api.auth.verifier.verify(tokens["access_token"])
    assert (str(principal.user_id), principal.role) == (user["user_id"], Role.CANDIDATE)
    me = await api.http.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
    assert me.json()["user_id"] == user["user_id"]
    error_of(await api.http.get("/api/v1/auth/me"), 401, "ERR_AUTH_REQUIRED")


async def test_bad_registrations_change_nothing(api: Api) -> None:
    ok = {"email": "bo@example.test", "password": PASSWORD}
    assert (await api.http.post("/api/v1/auth/register", json=ok)).status_code == 201
    error_of(await api.http.post("/api/v1/auth/register", json=ok), 409, "ERR_CONFLICT")
    for bad in ({"email": "not-an-email", "password": PASSWORD},
                {"email": "nul\u0000@example.test", "password": PASSWORD},
                {"email": "cy@example.test", "password": "short"},
                {"email": "cy@example.test", "password": "x" * 300},
                {"email": "cy@example.test"}):
        error_of(await api.http.post("/api/v1/auth/register", json=bad), 422, "ERR_VALIDATION")
    error_of(await api.login("cy@example.test"), 401, "ERR_AUTH_REQUIRED")
    assert len(await api.audit("user.created")) == 2  # the admin and bo only


async def test_wrong_password_and_unknown_email_look_the_same(api: Api) -> None:
    wrong = error_of(await api.login("admin@example.test", "not the password"), 401,
                     "ERR_AUTH_REQUIRED")
    unknown = error_of(await api.login("nobody@example.test"), 401, "ERR_AUTH_REQUIRED")
    assert wrong["message"] == unknown["message"]


async def test_repeated_wrong_passwords_are_throttled(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with api_for(database_url, redis_url, tmp_path, login_max_failures=3) as api:
        for _ in range(3):
            error_of(await api.login("admin@example.test", "guess guess guess"), 401,
                     "ERR_AUTH_REQUIRED")
        # Even the right password waits out the window now.
        error_of(await api.login("admin@example.test"), 429, "ERR_RATE_LIMIT")


async def test_refresh_rotates_and_reuse_revokes_the_family(api: Api) -> None:
    first = await api.tokens("admin@example.test")
    other_device = await api.tokens("admin@example.test")
    rotated = await api.refresh(first["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert api.auth.verifier.verify(second["access_token"]).user_id == ADMIN_ID
    third = (await api.refresh(second["refresh_token"])).json()

    # The spent first token shows up again: someone copied it. The family is revoked...
    reuse = error_of(await api.refresh(first["refresh_token"]), 401, "ERR_AUTH_REQUIRED")
    assert "already used" in reuse["message"]
    error_of(await api.refresh(third["refresh_token"]), 401, "ERR_AUTH_REQUIRED")
    (entry,) = await api.audit("refresh_token.reused")
    assert entry["object_id"] == str(ADMIN_ID) and entry["details"]["tokens_revoked"] >= 1
    assert entry["request_id"]
    # ...but another login's family lives on.
    assert (await api.refresh(other_device["refresh_token"])).status_code == 200
    error_of(await api.refresh("made-up-token"), 401, "ERR_AUTH_REQUIRED")


async def test_refresh_tokens_and_access_tokens_expire(api: Api) -> None:
    tokens = await api.tokens("admin@example.test")
    api.clock._now += timedelta(minutes=15, seconds=6)  # past the access token and leeway
    expired = await api.http.get("/api/v1/auth/me", headers=bearer(tokens["access_token"]))
    assert "expired" in error_of(expired, 401, "ERR_AUTH_REQUIRED")["message"]
    fresh = (await api.refresh(tokens["refresh_token"])).json()
    assert (await api.http.get("/api/v1/auth/me",
                               headers=bearer(fresh["access_token"]))).status_code == 200
    api.clock._now += timedelta(days=15)
    error_of(await api.refresh(fresh["refresh_token"]), 401, "ERR_AUTH_REQUIRED")


async def test_pages_get_http_only_strict_cookies_and_logout_clears_them(api: Api) -> None:
    response = await api.login("admin@example.test", use_cookies=True)
    assert response.status_code == 200
    body = response.json()
    assert body["access_token"] is None and body["refresh_token"] is None  # out of JS's reach
    cookies = {c.split("=", 1)[0]: c.lower() for c in response.headers.get_list("set-cookie")}
    assert set(cookies) == {"jams_access", "jams_refresh"}
    for cookie in cookies.values():
        assert "httponly" in cookie and "samesite=strict" in cookie
    assert "path=/api/v1/auth" in cookies["jams_refresh"]  # not sent with every request
    # The client keeps the cookies: /me and the cookie refresh work without a body token.
    assert (await api.http.get("/api/v1/auth/me")).json()["role"] == "admin"
    # As a page's script sends them: cookies go with unsafe requests of our own origin only.
    refreshed = await api.http.post("/api/v1/auth/refresh", headers=SAME_ORIGIN)
    assert refreshed.status_code == 200 and refreshed.json()["access_token"] is None
    refresh_cookie = api.http.cookies.get("jams_refresh")
    assert refresh_cookie

    out = await api.http.post("/api/v1/auth/logout", headers=SAME_ORIGIN)
    assert out.status_code == 204
    assert all("max-age=0" in c.lower() for c in out.headers.get_list("set-cookie"))
    assert api.http.cookies.get("jams_access") is None
    error_of(await api.refresh(refresh_cookie), 401, "ERR_AUTH_REQUIRED")


async def test_only_admins_create_staff_and_disable_accounts(api: Api) -> None:
    admin = (await api.tokens("admin@example.test"))["access_token"]
    reviewer_id = uuid.uuid4()
    staff = {"email": "rita@example.test", "password": PASSWORD, "role": "reviewer",
             "user_id": str(reviewer_id)}
    error_of(await api.http.post("/api/v1/users", json=staff), 401, "ERR_AUTH_REQUIRED")
    for role in (Role.OPERATOR, Role.SUPERVISOR, Role.REVIEWER, Role.CANDIDATE):
        token = mint_access_token(SECRET, uuid.uuid4(), role, clock=api.clock)
        error_of(await api.http.post("/api/v1/users", json=staff, headers=bearer(token)), 403,
                 "ERR_FORBIDDEN")
    candidate = {**staff, "email": "cand@example.test", "role": "candidate"}
    error_of(await api.http.post("/api/v1/users", json=candidate, headers=bearer(admin)), 403,
             "ERR_FORBIDDEN")

    created = await api.http.post("/api/v1/users", json=staff, headers=bearer(admin))
    assert created.status_code == 201
    assert created.json()["user_id"] == str(reviewer_id)  # a reviewer's id is their reviewer id
    rita = await api.tokens("rita@example.test")
    assert api.auth.verifier.verify(rita["access_token"]).user_id == reviewer_id
    audited = await api.audit("user.created")
    assert {(e["actor"], e["object_id"]) for e in audited} >= {(str(ADMIN_ID), str(reviewer_id))}

    listed = await api.http.get("/api/v1/users?limit=1", headers=bearer(admin))
    assert listed.json()["next_cursor"] == "admin@example.test"
    error_of(await api.http.get("/api/v1/users?cursor=a%00b", headers=bearer(admin)), 422,
             "ERR_VALIDATION")
    error_of(await api.http.get("/api/v1/users", headers=bearer(rita["access_token"])), 403,
             "ERR_FORBIDDEN")

    off = await api.http.patch(f"/api/v1/users/{reviewer_id}", json={"disabled": True},
                               headers=bearer(admin))
    assert off.json()["disabled"] is True
    error_of(await api.login("rita@example.test"), 403, "ERR_FORBIDDEN")
    error_of(await api.refresh(rita["refresh_token"]), 401, "ERR_AUTH_REQUIRED")
    assert len(await api.audit("user.disabled")) == 1
    error_of(await api.http.patch(f"/api/v1/users/{ADMIN_ID}", json={"disabled": True},
                                  headers=bearer(admin)), 409, "ERR_CONFLICT")
    error_of(await api.http.patch(f"/api/v1/users/{uuid.uuid4()}", json={"disabled": True},
                                  headers=bearer(admin)), 404, "ERR_NOT_FOUND")


async def test_errors_share_one_shape_and_hide_internals(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    error_of(await api.http.get("/no/such/route"), 404, "ERR_NOT_FOUND")
    invalid = error_of(await api.http.post("/api/v1/auth/login", content=b"{nope",
                                           headers={"content-type": "application/json"}),
                       422, "ERR_VALIDATION")
    assert isinstance(invalid["details"], list)
    login = error_of(await api.http.post("/api/v1/auth/login", json={"email": 3}), 422,
                     "ERR_VALIDATION")
    assert "input" not in json.dumps(login["details"])  # the input is not echoed back
    configure_logging("INFO")
    boom = error_of(await api.http.get("/boom", headers={"X-Request-ID": "req-boom-1"}), 500,
                    "ERR_INTERNAL")
    assert boom["request_id"] == "req-boom-1"
    assert "hunter2" not in json.dumps(boom) and "RuntimeError" not in json.dumps(boom)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()
             if line.startswith("{")]
    of_request = [line for line in lines if line.get("request_id") == "req-boom-1"]
    # Every line the request wrote carries its id: the handler's, the error, the access line.
    assert {"about to fail", "unhandled error", "http request"} <= {
        line["event"] for line in of_request}
    assert [line for line in lines if "hunter2" in json.dumps(line)] != []  # the log has it...
    assert all(line.get("request_id") == "req-boom-1" for line in lines
               if "hunter2" in json.dumps(line))  # ...tied to the request


async def test_request_ids_are_echoed_or_made(api: Api) -> None:
    given = await api.http.get("/api/v1/auth/me", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = await api.http.get("/api/v1/auth/me", headers={"X-Request-ID": "bad id\twith tab"})
    assert made.headers["x-request-id"] != "bad id\twith tab"
    assert len(made.headers["x-request-id"]) == 32
    ok = await api.http.post("/api/v1/auth/register",
                             json={"email": "id@example.test", "password": PASSWORD})
    assert ok.headers["x-request-id"]


async def test_oversized_bodies_are_refused_with_413(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with api_for(database_url, redis_url, tmp_path, max_body_bytes=2048) as api:
        big = {"email": "big@example.test", "password": PASSWORD, "pad": "x" * 4000}
        error_of(await api.http.post("/api/v1/auth/register", json=big), 413, "ERR_VALIDATION")

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
            yield b'{"email": "big@example.test", "password": "' + b"y" * 1500
            yield b"z" * 1500 + b'"}'

        error_of(await api.http.post("/api/v1/auth/register", content=chunks(),
                                     headers={"content-type": "application/json"}),
                 413, "ERR_VALIDATION")
        error_of(await api.login("big@example.test"), 401, "ERR_AUTH_REQUIRED")  # not created


async def test_rate_limits_per_ip_and_per_user(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with api_for(database_url, redis_url, tmp_path, rate_limit_per_ip=1000,
                       rate_limit_per_user=3) as api:
        ada, bo = (mint_access_token(SECRET, uuid.uuid4(), Role.CANDIDATE, clock=api.clock)
                   for _ in range(2))
        statuses = [(await api.http.get("/no/route", headers=bearer(ada))).status_code
                    for _ in range(4)]
        assert statuses == [404, 404, 404, 429]
        limited = error_of(await api.http.get("/no/route", headers=bearer(ada)), 429,
                           "ERR_RATE_LIMIT")
        assert limited["details"]["scope"] == "user"
        assert (await api.http.get("/no/route", headers=bearer(bo))).status_code == 404
    async with api_for(database_url, redis_url, tmp_path, rate_limit_per_ip=3) as api:
        for _ in range(3):
            await api.http.get("/no/route")
        limited_response = await api.http.get("/no/route")
        assert error_of(limited_response, 429, "ERR_RATE_LIMIT")["details"]["scope"] == "ip"
        assert limited_response.headers["retry-after"] == "60"


@pytest.fixture
def gateway_settings(database_url: str, redis_url: str, tmp_path: Path) -> GatewaySettings:
    return GatewaySettings(
        bus="embedded", database_url=database_url, redis_url=redis_url, mongo_url=None,
        blob_dir=tmp_path, data_dir=tmp_path, jwt_secret=SECRET, shutdown_grace_s=5,
        presence_namespace=f"authws{uuid.uuid4().hex[:10]}")


async def test_the_socket_takes_a_logged_in_reviewers_token_only(
    gateway_settings: GatewaySettings,
) -> None:
    reviewer_id = uuid.uuid4()
    async with running_gateway(gateway_settings) as gateway:
        accounts = auth_from(gateway.platform.unit_of_work("gateway"), gateway.platform.redis,
                             gateway.platform.clock, gateway_settings).accounts
        await accounts.create_staff("test", "rev@example.test", PASSWORD, Role.REVIEWER,
                                    reviewer_id)
        base = f"http://127.0.0.1:{gateway.port}"
        async with httpx.AsyncClient(base_url=base) as http:
            login = await http.post("/api/v1/auth/login",
                                    json={"email": "rev@example.test", "password": PASSWORD})
            token = login.json()["access_token"]
        ws_base = f"ws://127.0.0.1:{gateway.port}/ws/reviewers"
        async with connect(f"{ws_base}/{reviewer_id}?access_token={token}") as ws:
            await ws.send(json.dumps({"type": "heartbeat"}))
            async with asyncio.timeout(15):
                while json.loads(await ws.recv())["type"] != "ack":
                    pass
        expired = mint_access_token(SECRET, reviewer_id, Role.REVIEWER, ttl_s=-60)
        for url in (f"{ws_base}/{reviewer_id}",  # no token at all
                    f"{ws_base}/{reviewer_id}?access_token={expired}",
                    f"{ws_base}/{uuid.uuid4()}?access_token={token}"):  # someone else's id
            async with connect(url) as ws:
                with pytest.raises(ConnectionClosed) as closed:
                    await asyncio.wait_for(ws.recv(), 15)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == UNAUTHORIZED
        keys = [k async for k in gateway.platform.redis.scan_iter(
            match=f"{gateway_settings.presence_namespace}:*")]
        if keys:
            await gateway.platform.redis.delete(*keys)


def test_jams_users_add_bootstraps_an_admin(database_url: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from services.cli import app

    monkeypatch.setenv("JAMS_DATABASE_URL", database_url)
    runner = CliRunner()
    add = ["users", "add", "--email", "Root@Example.test", "--role", "admin",
           "--password-stdin"]
    created = runner.invoke(app, add, input=f"{PASSWORD}\n")
    assert created.exit_code == 0, created.output
    assert "root@example.test (admin)" in created.output
    again = runner.invoke(app, add, input=f"{PASSWORD}\n")
    assert again.exit_code == 1 and "exists" in again.output
    candidate = runner.invoke(app, ["users", "add", "--email", "c@example.test", "--role",
                                    "candidate", "--password-stdin"], input=f"{PASSWORD}\n")
    assert candidate.exit_code == 1 and "staff accounts are" in candidate.output

    async def log_in() -> bool:
        engine = create_engine(database_url, pool_size=1)
        try:
            accounts = auth_from(UnitOfWork(engine, FakeClock(), "t"), Redis(), FakeClock(),
                                 GatewaySettings(jwt_secret=SECRET)).accounts
            accounts.throttle = None
            session = await accounts.login("root@example.test", PASSWORD)
            return session.user.role is Role.ADMIN
        finally:
            await engine.dispose()

    assert asyncio.run(log_in())


async def test_supervisor_routes_by_role_and_unlock_is_audited(
    gateway_settings: GatewaySettings,
) -> None:
    locked = uuid.uuid4()
    unlock = {"reviewer_id": str(locked), "reason": "talked it through"}
    async with running_gateway(gateway_settings) as gateway, \
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}") as http:
        def as_role(role: Role, user: uuid.UUID | None = None) -> dict[str, str]:
            return bearer(mint_access_token(SECRET, user or uuid.uuid4(), role))

        error_of(await http.get("/api/supervisor/overview"), 401, "ERR_AUTH_REQUIRED")
        for role, status in ((Role.SUPERVISOR, 200), (Role.ADMIN, 200), (Role.OPERATOR, 403),
                             (Role.REVIEWER, 403), (Role.CANDIDATE, 403)):
            seen = await http.get("/api/supervisor/overview", headers=as_role(role))
            assert seen.status_code == status, (role, seen.text)
        for role in (Role.SUPERVISOR, Role.OPERATOR, Role.REVIEWER, Role.CANDIDATE):
            error_of(await http.post("/api/supervisor/unlock", json=unlock,
                                     headers=as_role(role)), 403, "ERR_FORBIDDEN")
        error_of(await http.post("/api/supervisor/unlock", json={**unlock, "reason": ""},
                                 headers=as_role(Role.ADMIN)), 422, "ERR_VALIDATION")
        admin = uuid.uuid4()
        done = await http.post("/api/supervisor/unlock", json=unlock,
                               headers={**as_role(Role.ADMIN, admin), "X-Request-ID": "unl-1"})
        assert done.status_code == 202, done.text

        async with gateway.platform.engine.connect() as conn:
            entries = [dict(r._mapping) for r in await conn.execute(
                sa.select(audit_log).where(audit_log.c.object_id == str(locked)))]
        assert [(e["actor"], e["action"], e["details"]["reason"], e["request_id"])
                for e in entries] == [(str(admin), "reviewer.unlock_requested",
                                       "talked it through", "unl-1")]
        async with asyncio.timeout(15):  # the order leaves through the outbox
            while not [e for e in await gateway.published(UnlockReviewer.TOPIC,
                                                          UnlockReviewer)
                       if e.reviewer_id == locked and e.admin_id == str(admin)]:
                await asyncio.sleep(0.1)


async def test_an_erased_account_is_gone_with_its_sessions(api: Api) -> None:
    from services.gateway.accounts.store import erase_account

    created = await api.http.post("/api/v1/auth/register",
                                  json={"email": "gone@example.test", "password": PASSWORD})
    user_id = uuid.UUID(created.json()["user_id"])
    tokens = await api.tokens("gone@example.test")
    async with api.uow.transaction() as tx:
        assert await erase_account(tx.conn, user_id)
        assert not await erase_account(tx.conn, uuid.uuid4())
    error_of(await api.login("gone@example.test"), 401, "ERR_AUTH_REQUIRED")
    error_of(await api.refresh(tokens["refresh_token"]), 401, "ERR_AUTH_REQUIRED")
    error_of(await api.http.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])),
             404, "ERR_NOT_FOUND")
    async with api.uow.engine.connect() as conn:
        left = await conn.execute(sa.text(
            "select count(*) from gw_users where email = 'gone@example.test'"))
        assert left.scalar_one() == 0

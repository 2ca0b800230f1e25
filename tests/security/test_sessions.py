"""Sessions end when they should: reviewer and operator sockets and access tokens after
expiry, logout, disable, a strike lock, a role change and a password change; sockets opened by
pages of another origin."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from infra.auth import Role, mint_access_token
from schemas.events.review import ReviewerLocked
from services.gateway.auth import FORBIDDEN, UNAUTHORIZED
from services.gateway.settings import GatewaySettings
from tests.integration.test_gateway_ws import Gateway, running_gateway
from tests.security import system as web

pytestmark = pytest.mark.integration

SECRET = SecretStr("security-sessions-secret-0123456789")
PASSWORD = "a long enough password"
# Within a second of the revocation, as the sessions rule asks.
CLOSE_WITHIN_S = 1.0
# What the embedded bus may take to hand an event to the gateway (it polls its log).
BUS_DELIVERY_S = 2.0


@dataclass
class Staff:
    gateway: Gateway
    http: httpx.AsyncClient
    reviewer_id: uuid.UUID

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        response = await self.http.post("/api/v1/auth/login",
                                        json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def socket_url(self, token: str) -> str:
        return self.gateway.socket_url(self.reviewer_id, token)

    async def open_socket(self, token: str, **headers: str) -> ClientConnection:
        """A reviewer socket the gateway has taken (it answered a heartbeat)."""
        socket = await connect(self.socket_url(token), additional_headers=headers)
        await socket.send(json.dumps({"type": "heartbeat"}))
        async with asyncio.timeout(15):
            while json.loads(await socket.recv())["type"] != "ack":
                pass
        return socket


def gateway_settings(database_url: str, redis_url: str, tmp_path: Path,
                     secret: SecretStr = SECRET) -> GatewaySettings:
    """A gateway on the test servers, with cheap password hashing and its own namespace."""
    return GatewaySettings(
        bus="embedded", database_url=database_url, redis_url=redis_url, mongo_url=None,
        blob_dir=tmp_path, data_dir=tmp_path, jwt_secret=secret, shutdown_grace_s=5,
        presence_namespace=f"sec{uuid.uuid4().hex[:10]}", password_hash_time_cost=1,
        password_hash_memory_kib=8192)


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> GatewaySettings:
    return gateway_settings(database_url, redis_url, tmp_path)


@asynccontextmanager
async def staff_on(settings: GatewaySettings) -> AsyncIterator[Staff]:
    """A gateway with an admin and a reviewer account."""
    from services.gateway.auth import auth_from

    reviewer_id = uuid.uuid4()
    async with running_gateway(settings) as gateway:
        platform = gateway.platform
        accounts = auth_from(platform.unit_of_work("gateway"), platform.redis, platform.clock,
                             settings).accounts
        await accounts.create_staff("test", "admin@example.test", PASSWORD, Role.ADMIN)
        await accounts.create_staff("test", "rev@example.test", PASSWORD, Role.REVIEWER,
                                    reviewer_id)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}") as http:
            try:
                yield Staff(gateway, http, reviewer_id)
            finally:
                keys = [k async for k in platform.redis.scan_iter(
                    match=f"{settings.presence_namespace}:*")]
                if keys:
                    await platform.redis.delete(*keys)


async def closed_code(socket: ClientConnection, within_s: float) -> int | None:
    """The close code the server sends within `within_s`, reading past any pushes."""
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(within_s):
            while True:
                await socket.recv()
    return closed.value.rcvd.code if closed.value.rcvd is not None else None


async def refused_code(url: str, **headers: str) -> int | None:
    async with connect(url, additional_headers=headers) as socket:
        return await closed_code(socket, 15)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_an_open_socket_closes_with_4401_when_its_token_expires(
    settings: GatewaySettings,
) -> None:
    async with staff_on(settings) as staff:
        token = mint_access_token(SECRET, staff.reviewer_id, Role.REVIEWER, ttl_s=3)
        socket = await staff.open_socket(token)
        started = time.monotonic()
        assert await closed_code(socket, 10) == UNAUTHORIZED
        assert time.monotonic() - started < 5


async def test_logout_closes_the_socket_and_refuses_the_token_at_once(
    settings: GatewaySettings,
) -> None:
    async with staff_on(settings) as staff:
        session = await staff.login("rev@example.test")
        token = session["access_token"]
        socket = await staff.open_socket(token)
        logout = await staff.http.post("/api/v1/auth/logout", headers=bearer(token),
                                       json={"refresh_token": session["refresh_token"]})
        assert logout.status_code == 204
        assert await closed_code(socket, CLOSE_WITHIN_S) == UNAUTHORIZED
        assert await refused_code(staff.socket_url(token)) == UNAUTHORIZED
        assert (await staff.http.get("/api/v1/auth/me", headers=bearer(token))).status_code \
            == 401


async def test_logout_by_refresh_token_alone_ends_the_access_tokens_of_that_login(
    settings: GatewaySettings,
) -> None:
    async with staff_on(settings) as staff:
        ended = await staff.login("rev@example.test")
        kept = await staff.login("rev@example.test")
        socket = await staff.open_socket(ended["access_token"])
        other = await staff.open_socket(kept["access_token"])
        await staff.http.post("/api/v1/auth/logout",
                              json={"refresh_token": ended["refresh_token"]})
        assert await closed_code(socket, CLOSE_WITHIN_S) == UNAUTHORIZED
        assert (await staff.http.get("/api/v1/auth/me", headers=bearer(ended["access_token"]))
                ).status_code == 401
        # Another login of the same reviewer (another device) goes on.
        assert (await staff.http.get("/api/v1/auth/me", headers=bearer(kept["access_token"]))
                ).status_code == 200
        await other.send(json.dumps({"type": "heartbeat"}))
        async with asyncio.timeout(5):
            while json.loads(await other.recv())["type"] != "ack":
                pass
        await other.close()


async def test_disabling_an_account_closes_its_sockets_and_refuses_its_tokens(
    settings: GatewaySettings,
) -> None:
    async with staff_on(settings) as staff:
        admin = (await staff.login("admin@example.test"))["access_token"]
        token = (await staff.login("rev@example.test"))["access_token"]
        minted = mint_access_token(SECRET, staff.reviewer_id, Role.REVIEWER)
        socket = await staff.open_socket(token)
        disabled = await staff.http.patch(f"/api/v1/users/{staff.reviewer_id}",
                                          headers=bearer(admin), json={"disabled": True})
        assert disabled.status_code == 200, disabled.text
        assert await closed_code(socket, CLOSE_WITHIN_S) == UNAUTHORIZED
        for refused in (token, minted):
            assert await refused_code(staff.socket_url(refused)) == UNAUTHORIZED
            assert (await staff.http.get("/api/v1/auth/me", headers=bearer(refused))
                    ).status_code == 401


async def test_a_password_change_needs_the_current_one_and_ends_every_other_login(
    settings: GatewaySettings,
) -> None:
    async with staff_on(settings) as staff:
        old = await staff.login("rev@example.test")
        socket = await staff.open_socket(old["access_token"])
        new_password = "another long enough password"
        wrong = await staff.http.post(
            "/api/v1/auth/password", headers=bearer(old["access_token"]),
            json={"current_password": "not the password", "new_password": new_password})
        assert wrong.status_code == 403
        assert (await staff.http.get("/api/v1/auth/me", headers=bearer(old["access_token"]))
                ).status_code == 200
        changed = await staff.http.post(
            "/api/v1/auth/password", headers=bearer(old["access_token"]),
            json={"current_password": PASSWORD, "new_password": new_password})
        assert changed.status_code == 200, changed.text
        assert await closed_code(socket, CLOSE_WITHIN_S) == UNAUTHORIZED
        assert (await staff.http.get("/api/v1/auth/me", headers=bearer(old["access_token"]))
                ).status_code == 401
        assert (await staff.http.post("/api/v1/auth/refresh",
                                      json={"refresh_token": old["refresh_token"]})
                ).status_code == 401
        fresh = changed.json()["access_token"]
        assert (await staff.http.get("/api/v1/auth/me", headers=bearer(fresh))).status_code \
            == 200
        await (await staff.open_socket(fresh)).close()
        assert (await staff.http.post("/api/v1/auth/login", json={
            "email": "rev@example.test", "password": PASSWORD})).status_code == 401
        await staff.login("rev@example.test", new_password)


async def test_a_socket_from_a_page_of_another_origin_is_refused(
    settings: GatewaySettings,
) -> None:
    async with staff_on(settings) as staff:
        token = (await staff.login("rev@example.test"))["access_token"]
        host = f"127.0.0.1:{staff.gateway.port}"
        for foreign in (f"http://127.0.0.1:{staff.gateway.port + 1}", "http://evil.example",
                        "null"):
            assert await refused_code(staff.socket_url(token), Origin=foreign) == FORBIDDEN
        await (await staff.open_socket(token, Origin=f"http://{host}")).close()


async def test_a_strike_lock_closes_the_reviewers_sockets_and_refuses_their_tokens(
    settings: GatewaySettings,
) -> None:
    async with staff_on(settings) as staff:
        token = (await staff.login("rev@example.test"))["access_token"]
        socket = await staff.open_socket(token)
        # The workflow's lock, as it reaches the gateway over the bus.
        await staff.gateway.publish(ReviewerLocked(reviewer_id=staff.reviewer_id, strikes=4))
        assert await closed_code(socket, BUS_DELIVERY_S + CLOSE_WITHIN_S) == UNAUTHORIZED
        assert (await staff.http.get("/api/v1/auth/me", headers=bearer(token))).status_code \
            == 401
        # A locked reviewer may still log in, to see the lock and its reason.
        await staff.login("rev@example.test")


async def test_a_role_change_closes_the_sockets_and_the_next_refresh_carries_the_new_role(
    settings: GatewaySettings,
) -> None:
    async with staff_on(settings) as staff:
        admin = await staff.login("admin@example.test")
        session = await staff.login("rev@example.test")
        socket = await staff.open_socket(session["access_token"])
        changed = await staff.http.patch(f"/api/v1/users/{staff.reviewer_id}",
                                         headers=bearer(admin["access_token"]),
                                         json={"role": "operator"})
        assert changed.status_code == 200, changed.text
        assert changed.json()["role"] == "operator"
        assert await closed_code(socket, CLOSE_WITHIN_S) == UNAUTHORIZED
        assert (await staff.http.get("/api/v1/auth/me", headers=bearer(session["access_token"]))
                ).status_code == 401
        refreshed = await staff.http.post("/api/v1/auth/refresh",
                                          json={"refresh_token": session["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text
        assert refreshed.json()["user"]["role"] == "operator"
        # The new token is an operator's: the reviewer socket refuses it.
        assert await refused_code(staff.socket_url(refreshed.json()["access_token"])) \
            == UNAUTHORIZED
        # No admin changes their own role; a candidate stays a candidate; no one is made one.
        own = await staff.http.patch(f"/api/v1/users/{admin['user']['user_id']}",
                                     headers=bearer(admin["access_token"]),
                                     json={"role": "operator"})
        assert own.status_code == 409
        made = await staff.http.patch(f"/api/v1/users/{staff.reviewer_id}",
                                      headers=bearer(admin["access_token"]),
                                      json={"role": "candidate"})
        assert made.status_code == 403


async def operators_socket(system: web.System, token: str) -> ClientConnection:
    """The operators' page socket, once it has the figures."""
    socket = await connect(system.base.replace("http", "ws", 1) + "/ws/analytics",
                           additional_headers={"Cookie": f"jams_access={token}",
                                               "Origin": system.origin})
    async with asyncio.timeout(15):
        assert json.loads(await socket.recv())["type"] == "summary"
    return socket


async def recruiters_socket(system: web.System, token: str) -> ClientConnection:
    """The recruiters' page socket of the recruiter's company, once it is let in."""
    socket = await connect(
        f"{system.base.replace('http', 'ws', 1)}/ws/recruiting/{system.company_id}",
        additional_headers={"Cookie": f"jams_access={token}", "Origin": system.origin})
    async with asyncio.timeout(15):
        assert json.loads(await socket.recv())["type"] == "hello"
    return socket


async def test_a_recruiters_socket_closes_on_logout_and_when_its_token_expires(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with web.web_system(database_url, redis_url, tmp_path) as system:
        async with system.logged_in(Role.RECRUITER) as recruiter:
            socket = await recruiters_socket(system, recruiter.cookies["jams_access"])
            logout = await recruiter.post("/api/v1/auth/logout",
                                          headers={"Origin": system.origin})
            assert logout.status_code == 204
            assert await closed_code(socket, CLOSE_WITHIN_S) == UNAUTHORIZED

        recruiter_id, _ = web.ACCOUNTS[Role.RECRUITER]
        socket = await recruiters_socket(system, mint_access_token(
            web.SECRET, recruiter_id, Role.RECRUITER, ttl_s=3))
        started = time.monotonic()
        assert await closed_code(socket, 10) == UNAUTHORIZED
        assert time.monotonic() - started < 5


async def test_an_operators_socket_closes_on_logout_and_disable_and_when_its_token_expires(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with web.web_system(database_url, redis_url, tmp_path) as system:
        operator_id, _ = web.ACCOUNTS[Role.OPERATOR]
        async with system.logged_in(Role.OPERATOR) as operator:
            socket = await operators_socket(system, operator.cookies["jams_access"])
            logout = await operator.post("/api/v1/auth/logout",
                                         headers={"Origin": system.origin})
            assert logout.status_code == 204
            assert await closed_code(socket, CLOSE_WITHIN_S) == UNAUTHORIZED

        async with system.logged_in(Role.OPERATOR) as operator, \
                system.logged_in(Role.ADMIN) as admin:
            socket = await operators_socket(system, operator.cookies["jams_access"])
            disabled = await admin.patch(f"/api/v1/users/{operator_id}",
                                         json={"disabled": True},
                                         headers={"Origin": system.origin})
            assert disabled.status_code == 200, disabled.text
            assert await closed_code(socket, CLOSE_WITHIN_S) == UNAUTHORIZED

        admin_id, _ = web.ACCOUNTS[Role.ADMIN]
        socket = await operators_socket(system, mint_access_token(web.SECRET, admin_id,
                                                                  Role.ADMIN, ttl_s=3))
        started = time.monotonic()
        assert await closed_code(socket, 10) == UNAUTHORIZED
        assert time.monotonic() - started < 5

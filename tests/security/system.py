"""The surface a browser meets on `make run`: the gateway, analytics and recruiting in one
process on one port, with one account per staff role (the recruiter a member of a company);
clients that hold a page's session cookies."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from infra.auth import Role, mint_access_token
from infra.runtime import Platform, open_platform
from services.analytics.app import build as build_analytics
from services.analytics.settings import AnalyticsSettings
from services.gateway.app import build as build_gateway
from services.gateway.settings import GatewaySettings
from services.recruiting.app import build as build_recruiting
from services.recruiting.settings import RecruitingSettings
from tests.serving import seed_accounts, serving

SECRET = SecretStr("security-test-jwt-secret-0123456789")
PASSWORD = "correct horse battery staple"
ACCOUNTS = {role: (uuid.uuid4(), f"{role}@example.test")
            for role in (Role.ADMIN, Role.OPERATOR, Role.SUPERVISOR, Role.REVIEWER,
                         Role.RECRUITER)}


@dataclass
class System:
    platform: Platform
    base: str
    app: FastAPI
    # The company the recruiter's account belongs to.
    company_id: uuid.UUID | None = None

    @property
    def origin(self) -> str:
        """The origin of this system's own pages."""
        return self.base

    def client(self, **headers: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base, headers=headers)

    @asynccontextmanager
    async def logged_in(self, role: Role) -> AsyncIterator[httpx.AsyncClient]:
        """A client holding the session cookies the login page gets for `role`'s account."""
        async with self.client() as client:
            response = await client.post("/api/v1/auth/login", json={
                "email": ACCOUNTS[role][1], "password": PASSWORD, "use_cookies": True})
            assert response.status_code == 200, response.text
            assert {"jams_access", "jams_refresh"} <= set(client.cookies.keys())
            yield client


@asynccontextmanager
async def web_system(database_url: str, redis_url: str, tmp_path: Path,
                     **overrides: Any) -> AsyncIterator[System]:
    namespace = f"sec{uuid.uuid4().hex[:10]}"
    common: dict[str, Any] = {"bus": "embedded", "database_url": database_url,
                              "redis_url": redis_url, "mongo_url": None,
                              "blob_dir": tmp_path / "blobs", "data_dir": tmp_path,
                              "shutdown_grace_s": 5, "jwt_secret": SECRET, **overrides}
    # Cheap password hashing: the machine running the tests is busy enough.
    gateway_settings = GatewaySettings(**common, presence_namespace=namespace,
                                       password_hash_time_cost=1, password_hash_memory_kib=8192)
    analytics_settings = AnalyticsSettings(**common, analytics_namespace=namespace)
    recruiting_settings = RecruitingSettings(**common, presence_namespace=namespace)
    async with open_platform(gateway_settings) as platform:
        await seed_accounts(platform, gateway_settings, PASSWORD,
                            [(user_id, email, role) for role, (user_id, email) in ACCOUNTS.items()])
        specs = [build_gateway(platform, gateway_settings),
                 build_analytics(platform, analytics_settings),
                 build_recruiting(platform, recruiting_settings)]
        try:
            async with serving(platform, specs) as base:
                assert specs[0].http_app is not None  # every service's routes joined it
                system = System(platform, base, specs[0].http_app)
                system.company_id = await employ(system, ACCOUNTS[Role.RECRUITER][0])
                yield system
        finally:
            keys = [k async for k in platform.redis.scan_iter(match=f"{namespace}:*")]
            if keys:
                await platform.redis.delete(*keys)


async def employ(system: System, user_id: uuid.UUID) -> uuid.UUID:
    """A company with `user_id` as its member."""
    admin = {"Authorization": "Bearer " + mint_access_token(SECRET, ACCOUNTS[Role.ADMIN][0],
                                                            Role.ADMIN)}
    async with system.client(**admin) as client:
        made = await client.post("/api/v1/companies", json={"name": "Initech"})
        assert made.status_code == 201, made.text
        member = await client.put(
            f"/api/v1/companies/{made.json()['company_id']}/members/{user_id}")
        assert member.status_code == 200, member.text
    return uuid.UUID(made.json()["company_id"])

"""Requests another origin's page makes with our cookies: every unsafe route refuses them, and
the refused request changes nothing; our own pages and bearer-token clients go on working."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from infra.auth import Role
from infra.browser_policy import SAFE_METHODS
from tests.security.system import ACCOUNTS, System, web_system

pytestmark = pytest.mark.integration

# A page on the same site but another origin (SameSite cookies go with its requests) and a
# page elsewhere; Sec-Fetch-Site as Chromium sends it for each.
FOREIGN = [{"Origin": "http://127.0.0.1:1"}, {"Origin": "http://evil.example"},
           {"Origin": "null"}, {"Sec-Fetch-Site": "same-site"},
           {"Sec-Fetch-Site": "cross-site"}, {}]


def unsafe_routes(system: System) -> list[tuple[str, str]]:
    """Every (method, path) of the app that changes something, its parameters filled in: the
    documented routes and the pages' own routes."""
    methods = {path: {method.upper() for method in operations}
               for path, operations in system.app.openapi()["paths"].items()}
    for route in system.app.router.routes:
        if isinstance(route, APIRoute):
            methods.setdefault(route.path, set()).update(route.methods or ())
    return [(method, re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path))
            for path, found in sorted(methods.items()) for method in sorted(found - SAFE_METHODS)]


async def test_every_unsafe_route_refuses_another_origins_cookie_request(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with web_system(database_url, redis_url, tmp_path) as system:
        routes = unsafe_routes(system)
        # The account, resume, supervisor and dead-letter routes are all among them.
        assert {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/refresh")} <= set(routes)
        assert any(path.endswith("/resumes") for _, path in routes)
        assert any(path.startswith("/api/v1/dead-letters") for _, path in routes)
        async with system.logged_in(Role.ADMIN) as admin:
            for method, path in routes:
                for headers in FOREIGN:
                    response = await admin.request(method, path, headers=headers,
                                                   files={"file": ("cv.txt", b"x")}
                                                   if path.endswith("/resumes") else None)
                    assert response.status_code == 403, (method, path, headers, response.text)
                    assert response.json()["error"]["code"] == "ERR_FORBIDDEN"
            # The refused logout revoked nothing: the session goes on.
            assert (await admin.get("/api/v1/auth/me")).status_code == 200
            refreshed = await admin.post("/api/v1/auth/refresh",
                                         headers={"Origin": system.origin})
            assert refreshed.status_code == 200, refreshed.text


async def test_a_foreign_page_cannot_disable_an_account_or_upload_a_resume(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with web_system(database_url, redis_url, tmp_path) as system:
        supervisor_id = ACCOUNTS[Role.SUPERVISOR][0]
        async with system.logged_in(Role.ADMIN) as admin:
            evil = {"Origin": "http://127.0.0.1:1"}
            refused = await admin.patch(f"/api/v1/users/{supervisor_id}", json={"disabled": True},
                                        headers=evil)
            assert refused.status_code == 403
            listed = (await admin.get("/api/v1/users")).json()["items"]
            assert not next(u for u in listed if u["user_id"] == str(supervisor_id))["disabled"]
            # The same request from our own page is carried out.
            done = await admin.patch(f"/api/v1/users/{supervisor_id}", json={"disabled": True},
                                     headers={"Origin": system.origin,
                                              "Sec-Fetch-Site": "same-origin"})
            assert done.status_code == 200 and done.json()["disabled"]
        async with system.logged_in(Role.REVIEWER) as reviewer:
            upload = f"/candidates/{uuid.uuid4()}/resumes?task_id={uuid.uuid4()}"
            files = {"file": ("cv.txt", b"Ada Okafor\nPython")}
            assert (await reviewer.post(upload, files=files,
                                        headers={"Sec-Fetch-Site": "same-site"})).status_code == 403


async def test_own_pages_and_bearer_clients_are_not_refused(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with web_system(database_url, redis_url, tmp_path) as system:
        async with system.logged_in(Role.ADMIN) as admin:
            for headers in ({"Origin": system.origin},
                            {"Origin": system.origin, "Sec-Fetch-Site": "same-origin"},
                            {"Sec-Fetch-Site": "same-origin"}):
                response = await admin.post("/api/v1/auth/refresh", headers=headers)
                assert response.status_code == 200, (headers, response.text)
        # An API client: a bearer token, no cookie and no Origin.
        async with system.client() as api:
            tokens = (await api.post("/api/v1/auth/login", json={
                "email": ACCOUNTS[Role.ADMIN][1], "password": "correct horse battery staple",
            })).json()
            created = await api.post("/api/v1/users", json={
                "email": "new@example.test", "password": "a long enough password",
                "role": "operator"}, headers={"Authorization": f"Bearer {tokens['access_token']}"})
            assert created.status_code == 201, created.text


async def test_no_other_origin_may_read_the_api_with_the_cookies(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with web_system(database_url, redis_url, tmp_path) as system, \
            system.logged_in(Role.ADMIN) as admin:
        evil = {"Origin": "http://127.0.0.1:1"}
        read = await admin.get("/api/v1/auth/me", headers=evil)
        preflight = await admin.options("/api/v1/users", headers={
            **evil, "Access-Control-Request-Method": "PATCH"})
        for response in (read, preflight):
            assert "access-control-allow-origin" not in response.headers
            assert "access-control-allow-credentials" not in response.headers

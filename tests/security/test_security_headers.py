"""What every page and API response tells the browser: a strict content policy with no framing,
nosniff, no referrer, HSTS when configured, JSON never stored; pages without inline script or
style; the API docs from local files."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from infra.auth import Role
from tests.security.system import PASSWORD, System, web_system

pytestmark = pytest.mark.integration

PAGES = ["/login", "/review", "/supervisor", "/operators", "/recruiting", "/docs"]
API = ["/api/v1/auth/me", "/api/v1/analytics/summary", "/api/v1/jobs", "/openapi.json",
       "/api/v1/no-such-route", "/healthz"]


class InlineCode(HTMLParser):
    """Collects what a strict content policy would block: inline scripts, styles, handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script":
            if named.get("src"):
                self.sources.append(named["src"] or "")
            else:
                self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "link" and named.get("href"):
            self.sources.append(named["href"] or "")
        self.found += [f"{tag} {name}=" for name in named
                       if name == "style" or name.startswith("on")]


def policy(response: httpx.Response) -> dict[str, str]:
    """The response's Content-Security-Policy, directive by directive."""
    directives = (part.strip().split(" ", 1) for part in
                  response.headers["content-security-policy"].split(";"))
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def assert_protected(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url.path}"
    assert policy(response)["frame-ancestors"] == "'none'", where
    assert policy(response)["script-src"] == "'self'", where
    assert response.headers["x-content-type-options"] == "nosniff", where
    assert response.headers["x-frame-options"] == "DENY", where
    assert response.headers["referrer-policy"] == "no-referrer", where


async def logged_in_pages(system: System) -> dict[str, httpx.Response]:
    """Every page as the role it is for sees it."""
    seen: dict[str, httpx.Response] = {}
    for path, role in (("/login", Role.REVIEWER), ("/review", Role.REVIEWER),
                       ("/supervisor", Role.SUPERVISOR), ("/operators", Role.OPERATOR),
                       ("/recruiting", Role.RECRUITER), ("/docs", Role.OPERATOR)):
        async with system.logged_in(role) as client:
            seen[path] = await client.get(path)
            assert seen[path].status_code == 200, (path, seen[path].text)
    return seen


async def test_every_page_and_api_response_carries_the_security_headers(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with web_system(database_url, redis_url, tmp_path) as system:
        for path, response in (await logged_in_pages(system)).items():
            assert_protected(response)
            if path in ("/review", "/supervisor", "/operators", "/recruiting"):  # who is logged in
                assert "no-store" in response.headers["cache-control"]
            assert "strict-transport-security" not in response.headers  # not behind TLS
        async with system.client() as anonymous, \
                system.logged_in(Role.OPERATOR) as operator:
            for client in (anonymous, operator):
                for path in [*PAGES, *API]:
                    response = await client.get(path)
                    assert_protected(response)
                    if response.headers.get("content-type", "").startswith("application/json"):
                        assert response.headers["cache-control"] == "no-store", path
            # Scripts and styles are what they say they are.
            asset = await anonymous.get("/assets/login.js")
            assert asset.headers["content-type"].startswith("text/javascript")
            assert_protected(asset)


async def test_hsts_is_sent_when_the_service_is_behind_tls(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with web_system(database_url, redis_url, tmp_path,
                          hsts_max_age_s=31_536_000) as system, system.client() as client:
        for path in ["/login", "/operators", "/api/v1/auth/me", "/docs"]:
            response = await client.get(path)
            assert response.headers["strict-transport-security"] == "max-age=31536000", path


async def test_pages_have_no_inline_script_or_style_and_load_only_their_own_files(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with web_system(database_url, redis_url, tmp_path) as system:
        pages = await logged_in_pages(system)
        async with system.client() as client:
            for path, response in pages.items():
                parsed = InlineCode()
                parsed.feed(response.text)
                assert parsed.found == [], (path, parsed.found)
                assert parsed.sources, path
                for source in parsed.sources:
                    assert source.startswith("/") and not source.startswith("//"), source
                    assert (await client.get(source)).status_code == 200, source
        async with system.logged_in(Role.REVIEWER) as reviewer:
            for page in ("/operators", "/recruiting"):
                forbidden = await reviewer.get(page)
                assert forbidden.status_code == 403, page
                parsed = InlineCode()
                parsed.feed(forbidden.text)
                assert parsed.found == [], (page, parsed.found)


async def test_the_api_docs_need_no_cdn_and_no_inline_script(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with web_system(database_url, redis_url, tmp_path) as system, \
            system.client() as client:
        docs = await client.get("/docs")
        assert docs.status_code == 200
        assert not re.search(r"(src|href)=\"(https?:)?//", docs.text), docs.text
        bundle = await client.get("/docs/assets/swagger-ui-bundle.js")
        assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text
        # Swagger UI styles its elements inline; scripts stay strict on its page too.
        assert "'unsafe-inline'" not in policy(docs)["script-src"]
        assert (await client.get("/redoc")).status_code == 404  # ReDoc came from a CDN


async def test_session_cookies_are_secure_when_configured(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with web_system(database_url, redis_url, tmp_path, cookie_secure=True) as system, \
            system.client() as client:
        response = await client.post("/api/v1/auth/login", json={
            "email": "admin@example.test", "password": PASSWORD, "use_cookies": True})
        cookies = response.headers.get_list("set-cookie")
        assert len(cookies) == 2 and all("; secure" in c.lower() for c in cookies), cookies

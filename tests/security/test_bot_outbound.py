"""The application bot's browser opens and loads only what the outbound guard allows."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from infra.blobs import LocalBlobStore
from infra.bus.bus import PermanentError
from schemas.events.envelope import Envelope
from services.application_bot.adapters.browser import (
    OutboundGuard,
    PlaywrightBrowser,
    RefusedDestination,
)
from services.application_bot.adapters.greenhouse_form import GreenhouseApplier
from services.application_bot.applying import ApplicationBot, BotPorts
from services.application_bot.domain import Applicant, ApplyRequest, Rejected
from tests.e2e.test_walking_skeleton import serve


class Site:
    """One server on loopback: allowed as 127.0.0.1:port, refused when reached as localhost."""

    def __init__(self, allowed: str, hits: list[str]) -> None:
        self.allowed = allowed
        self.internal = allowed.replace("127.0.0.1", "localhost")
        self.hits = hits


def site_app(hits: list[str]) -> FastAPI:
    app = FastAPI()

    def inside(request: Request) -> str:
        return f"localhost:{request.url.port}"

    @app.get("/secret")
    async def secret() -> HTMLResponse:
        hits.append("secret")
        return HTMLResponse("<h1>internal admin</h1>")

    @app.get("/pixel")
    async def pixel() -> HTMLResponse:
        hits.append("pixel")
        return HTMLResponse("")

    @app.get("/redirect")
    async def redirect(request: Request) -> RedirectResponse:
        return RedirectResponse(f"http://{inside(request)}/secret", status_code=302)

    @app.get("/embed")
    async def embed(request: Request) -> HTMLResponse:
        host = inside(request)
        return HTMLResponse(
            f'<img src="http://{host}/pixel"><iframe src="http://{host}/secret"></iframe>'
            f"<script>fetch('http://{host}/secret').catch(() => null);"
            f"new WebSocket('ws://{host}/socket');</script><p>posting</p>")

    return app


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    hits: list[str] = []
    async with serve(site_app(hits)) as url:
        yield Site(url, hits)


@pytest.fixture
async def browser(chromium_path: str, site: Site) -> AsyncIterator[PlaywrightBrowser]:
    netloc = site.allowed.removeprefix("http://")
    chromium = PlaywrightBrowser(Path(chromium_path), timeout_s=10,
                                 guard=OutboundGuard([netloc]))
    yield chromium
    await chromium.close()


@pytest.mark.integration
@pytest.mark.browser
@pytest.mark.parametrize("path", ["internal:/secret", "allowed:/redirect"])
async def test_a_refused_page_or_redirect_is_not_opened(
    browser: PlaywrightBrowser, site: Site, path: str
) -> None:
    where, _, rest = path.partition(":")
    async with browser.page() as page:
        with pytest.raises(RefusedDestination, match="non-public address"):
            await page.open(f"{getattr(site, where)}{rest}")
    assert site.hits == []


@pytest.mark.integration
@pytest.mark.browser
async def test_an_allowed_page_loads_nothing_from_refused_hosts(
    browser: PlaywrightBrowser, site: Site
) -> None:
    async with browser.page() as page:
        assert await page.open(f"{site.allowed}/embed") == 200
        assert "posting" in await page.text()
        await asyncio.sleep(1)  # room for the image, frame, fetch and socket to go out
    assert site.hits == []


@pytest.mark.integration
@pytest.mark.browser
async def test_the_applier_rejects_a_refused_posting_without_keeping_its_page(
    browser: PlaywrightBrowser, site: Site, tmp_path: Path
) -> None:
    resume = tmp_path / "resume.txt"
    resume.write_text("resume")
    applicant = Applicant("Ada", "Okafor", "ada@example.com", "+1 415 555 0101")
    async with browser.page() as page:
        visit = await GreenhouseApplier(confirmation_timeout_s=5).apply(
            page, f"{site.allowed}/redirect", applicant, resume)
    assert isinstance(visit.outcome, Rejected)
    assert "non-public address" in visit.outcome.reason
    assert visit.evidence is None
    assert site.hits == []


@pytest.mark.parametrize("apply_url", [
    "http://100.64.0.1/jobs/1",  # CGNAT
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:10.0.0.1]/jobs",
    "http://2130706433/jobs",
    "file:///etc/passwd",
])
async def test_the_bot_refuses_a_non_public_apply_url_before_any_visit(
    apply_url: str, tmp_path: Path
) -> None:
    class NoBrowser:
        def page(self, storage_state: Any = None, *, upstream: Any = None) -> Any:
            raise AssertionError("the browser must not be used")

        async def close(self) -> None:
            return None

    ports = BotPorts(uow=cast(Any, None), blobs=LocalBlobStore(tmp_path),
                     browser=NoBrowser(), applier=cast(Any, None),
                     candidates=cast(Any, None), ledger=cast(Any, None))
    bot = ApplicationBot(ports, max_attempts=3, allow_private_hosts=["127.0.0.1:8700"])
    request = ApplyRequest(candidate_id=uuid.uuid4(), job_id=uuid.uuid4(),
                           resume_version_id=uuid.uuid4(), apply_url=apply_url)
    with pytest.raises(PermanentError, match="apply_url refused"):
        await bot.apply(request, cast(Envelope, None))

"""Applying shares discovery's per-portal politeness in Redis: bucket, slots and breaker.

Discovery's own plumbing (infra.politeness.PoliteClient, keyed by portal name under the same
prefix) and the bot's gate meet on the real Valkey: a token one takes the other cannot, and a
breaker discovery opened holds applications back (they wait, then retry) instead of failing.
"""
# ruff: noqa: F811 - the fixtures are shared with test_application_bot and named as there

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from redis.asyncio import Redis

from infra.blobs import LocalBlobStore
from infra.clock import FakeClock
from infra.db import create_engine
from infra.politeness import PoliteClient, PortalPolicy
from infra.uow import UnitOfWork
from schemas.events.applications import ApplicationFailed, ApplicationSubmitted
from services.application_bot.app import NAME, assemble
from services.application_bot.applying import ApplicationNotSettled
from services.application_bot.politeness import RedisPortalGate
from services.application_bot.settings import ApplicationBotSettings
from tests.busfixtures import wait_until
from tests.integration.test_application_bot import (  # noqa: F401 - fixtures
    SEED,
    Bot,
    Portal,
    approved,
    browser,
    portal,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

# One request per 100 s with no burst: whoever takes the token, the other waits.
SLOW = PortalPolicy(rate_per_s=0.01, burst=1, max_concurrency=2, breaker_failures=1,
                    breaker_open_s=60)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client: Redis = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"test:polite:{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def discovery(redis: Redis, fake_clock: FakeClock, prefix: str,
                    portal: Portal) -> AsyncIterator[PoliteClient]:
    """Discovery's client, as its fleet builds it (portal names as keys), on the test prefix."""
    async with httpx.AsyncClient(timeout=10) as http:
        yield PoliteClient(http, redis, fake_clock, prefix=prefix,
                           allow_private=[urlsplit(portal.url).netloc])


@pytest.fixture
async def polite_bot(database_url: str, tmp_path: Path, chromium_path: str, browser: Any,
                     fake_clock: FakeClock, redis: Redis, prefix: str
                     ) -> AsyncIterator[Any]:
    engine = create_engine(database_url, pool_size=4)

    async def make(**overrides: Any) -> Bot:
        settings = ApplicationBotSettings(
            chromium_path=Path(chromium_path), candidates_seed=SEED,
            blob_dir=tmp_path / "blobs", navigation_timeout_s=10, confirmation_timeout_s=10,
            portal_policies={"greenhouse": SLOW}, politeness_prefix=prefix,
            allow_private_hosts=["127.0.0.1"], sandbox_ledger=True,
        ).model_copy(update=overrides)
        gate = RedisPortalGate(redis, fake_clock, policies=settings.portal_policies,
                               default=settings.default_portal_policy, prefix=prefix,
                               breaker_wait_max_s=settings.breaker_wait_max_s)
        uow = UnitOfWork(engine, fake_clock, source=f"jams/{NAME}")
        blobs = LocalBlobStore(settings.blob_dir)
        return Bot(assemble(uow, blobs, settings, browser, gate=gate), uow, blobs, fake_clock,
                   settings, browser)

    yield make
    await engine.dispose()


async def test_an_open_breaker_holds_applications_back_without_failing_them(
    polite_bot: Any, portal: Portal, discovery: PoliteClient, fake_clock: FakeClock,
) -> None:
    # Discovery saw the portal fail (threshold 1 here): the breaker is open for 60 s.
    assert await discovery.breaker.record_failure("greenhouse", SLOW) == "open"
    impatient: Bot = await polite_bot(breaker_wait_max_s=0)
    version = await impatient.add_resume()
    approval = approved(version, portal.job_url())

    with pytest.raises(ApplicationNotSettled, match="circuit open"):
        await impatient.deliver(approval)  # the bus retries it later; nothing is given up

    assert portal.store.all() == []
    [row] = await impatient.rows()
    assert (row["state"], row["attempts"]) == ("pending", 0)
    assert await impatient.emitted(ApplicationFailed) == []

    # A patient bot waits the breaker out; its visit is the half-open probe and closes it.
    patient: Bot = await polite_bot(breaker_wait_max_s=120)
    delivery = asyncio.create_task(patient.deliver(approval))
    await wait_until(lambda: fake_clock.sleepers > 0)
    assert portal.store.all() == []
    fake_clock.advance(60)
    await asyncio.wait_for(delivery, 60)

    [sent] = portal.store.all()
    [row] = await patient.rows()
    assert (row["state"], row["confirmation"]) == ("submitted", sent.confirmation_id)
    assert len(await patient.emitted(ApplicationSubmitted)) == 1
    assert await discovery.breaker.state("greenhouse") == "closed"


async def test_scraping_and_applying_draw_from_one_bucket_per_portal(
    polite_bot: Any, portal: Portal, discovery: PoliteClient, fake_clock: FakeClock,
) -> None:
    bot: Bot = await polite_bot()
    version = await bot.add_resume()
    # Discovery reads the board: the portal's only token is gone.
    board = await discovery.request("greenhouse", SLOW, "GET",
                                    f"{portal.url}/v1/boards/acme/jobs")
    assert board.status_code == 200

    delivery = asyncio.create_task(bot.deliver(approved(version, portal.job_url())))
    await wait_until(lambda: fake_clock.sleepers > 0)  # waiting for discovery's bucket
    assert portal.store.all() == []
    fake_clock.advance(100)
    await asyncio.wait_for(delivery, 60)
    assert len(portal.store.all()) == 1

    # And the application took the token discovery would have used next.
    assert await discovery.bucket.try_take("greenhouse", SLOW) > 0

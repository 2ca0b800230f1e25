"""Analytics reads every stream; every other event type also has an operational consumer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from infra.runtime import merged_http_app, open_platform
from infra.settings import CommonSettings
from schemas.events.registry import EVENT_TYPES
from services.analytics.app import NAME
from services.catalog import build_all

pytestmark = pytest.mark.integration


async def test_analytics_consumes_every_event_type_and_the_others_all_but_its_own(
    database_url: str, redis_url: str, tmp_path: Path,
) -> None:
    shared: dict[str, Any] = {
        "bus": "embedded", "database_url": database_url, "redis_url": redis_url,
        "mongo_url": None, "blob_dir": tmp_path / "blobs", "data_dir": tmp_path,
        "jwt_secret": SecretStr("catalog-test-secret-0123456789-abcdef"),
    }
    async with open_platform(CommonSettings(**shared)) as platform:
        specs = build_all(platform, shared)
        # `jams run` serves all of it on one port: the gateway's pages beside analytics'.
        app = merged_http_app(specs)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app),
                                     base_url="http://jams") as client:
            assert (await client.get("/review")).status_code in (200, 303)  # the gateway's
            documented = (await client.get("/openapi.json")).json()["paths"]
            assert {"/api/v1/analytics/summary", "/api/v1/dead-letters/{topic}/replay"} \
                <= set(documented)
            assert (await client.get("/operators")).headers["location"] == \
                "/login?next=/operators"
            for path in ("/api/v1/analytics/summary", "/api/v1/dead-letters"):
                refused = await client.get(path)
                assert refused.status_code == 401, path
                assert refused.json()["error"]["code"] == "ERR_AUTH_REQUIRED"
    analytics = next(spec for spec in specs if spec.name == NAME)
    assert set(analytics.handlers) == set(EVENT_TYPES)
    assert set(analytics.topics) == {t.TOPIC for t in EVENT_TYPES}

    operational = {t for spec in specs if spec.name != NAME
                   for t in (*spec.handlers, *spec.raw_handlers)}
    # Analytics reads every stream; every type also has a consumer that acts on it.
    assert set(EVENT_TYPES) - operational == set()


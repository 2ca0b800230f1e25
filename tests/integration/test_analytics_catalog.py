"""Analytics reads every stream; every other event type also has an operational consumer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from infra.runtime import open_platform
from infra.service import unrouted_event_types
from infra.settings import CommonSettings
from schemas.events.registry import EVENT_TYPES
from services.analytics.app import NAME
from services.catalog import ANALYTICS_ONLY, NOT_CONSUMED, build_all

pytestmark = pytest.mark.integration


async def test_analytics_consumes_every_event_type_and_the_others_all_but_its_own(
    database_url: str, redis_url: str, tmp_path: Path,
) -> None:
    shared: dict[str, Any] = {
        "bus": "embedded", "database_url": database_url, "redis_url": redis_url,
        "mongo_url": None, "blob_dir": tmp_path / "blobs", "data_dir": tmp_path,
        "jwt_secret": SecretStr("catalog-test-secret-0123456789"),
    }
    async with open_platform(CommonSettings(**shared)) as platform:
        specs = build_all(platform, shared)
    analytics = next(spec for spec in specs if spec.name == NAME)
    assert set(analytics.handlers) == set(EVENT_TYPES)
    assert unrouted_event_types(analytics) == []
    assert set(analytics.topics) == {t.TOPIC for t in EVENT_TYPES}

    operational = {t for spec in specs if spec.name != NAME
                   for t in (*spec.handlers, *spec.raw_handlers)}
    assert set(EVENT_TYPES) - operational <= set(ANALYTICS_ONLY), (
        "an event type without an operational consumer belongs in ANALYTICS_ONLY")
    assert not NOT_CONSUMED

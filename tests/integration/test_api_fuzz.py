"""Fuzzing the gateway API from its own OpenAPI document: no 5xx, every response as documented.

Bounded and repeatable: 15 examples per operation, derandomised, as an admin (who may call
every operation), against a database seeded with a small world of objects.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from infra.auth import Role, TokenVerifier, mint_access_token, principal_dependency
from infra.blobs import LocalBlobStore
from infra.clock import FakeClock, SystemClock
from infra.db import create_engine
from infra.portal_sessions import Keyring
from infra.uow import UnitOfWork
from services.gateway.api.common import ApiDeps
from services.gateway.policy import Authorizer
from tests.integration.test_gateway_api_support import SECRET, Api, World, api_app, seed

pytestmark = pytest.mark.integration
# What the API promises: no server errors, and status, content type, body and headers as
# documented. (Positive-data acceptance is left out: an opaque cursor or an unknown id is
# schema-valid yet rightly refused.)
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance,
          checks.response_headers_conformance]


async def _seed(database_url: str, blobs: LocalBlobStore) -> World:
    engine = create_engine(database_url, pool_size=2)
    try:
        api = Api(None, None, UnitOfWork(engine, FakeClock(), "jams/gateway"),  # type: ignore[arg-type]
                  blobs, FakeClock(), World())
        return await seed(api)
    finally:
        await engine.dispose()


@pytest.fixture
def admin_headers() -> dict[str, str]:
    token = mint_access_token(SECRET, World().admin, Role.ADMIN, ttl_s=3600)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api_schema(database_url: str, tmp_path: Path) -> Iterator[Any]:
    blobs = LocalBlobStore(tmp_path / "blobs")
    asyncio.run(_seed(database_url, blobs))
    # The test client runs the app on an event loop of its own: no pooled connections that
    # would belong to another loop.
    engine = create_async_engine(make_url(database_url).set(drivername="postgresql+psycopg"),
                                 poolclass=NullPool)
    clock = SystemClock()
    deps = ApiDeps(engine, UnitOfWork(engine, clock, "jams/gateway"), blobs,
                   Authorizer(principal_dependency(TokenVerifier(SECRET, clock=clock))), clock,
                   Keyring({"k1": os.urandom(32)}, "k1"))
    yield schemathesis.openapi.from_asgi("/openapi.json", api_app(deps))


def test_no_server_errors_and_every_response_matches_the_schema(
        api_schema: Any, admin_headers: dict[str, str]) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 20  # the whole API, not an empty document
    failures = fuzz_failures(operations, admin_headers)
    assert not failures, "\n\n".join(failures)


def fuzz_failures(operations: list[Any], headers: dict[str, str],
                  examples: int = 15) -> list[str]:
    """Each operation called with `examples` derandomised cases and checked; what failed, one
    line per operation (every operation is tried)."""
    failures: list[str] = []
    for operation in operations:
        @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:  # every operation is tried; all failures are reported
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    return failures

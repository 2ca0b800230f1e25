"""Fuzzing the account routes from their OpenAPI document: no 5xx, every response as documented.

Bounded and repeatable (derandomised, 25 examples per operation), once anonymous and once as
an admin, on a private database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from pydantic import SecretStr
from redis.asyncio import Redis
from schemathesis import checks
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from infra.auth import Role, mint_access_token
from infra.clock import SystemClock
from infra.uow import UnitOfWork
from services.gateway.accounts.passwords import Passwords
from services.gateway.auth import auth_from, install_auth
from services.gateway.settings import GatewaySettings
from tests.integration.test_gateway_auth import FAST_HASHER

pytestmark = pytest.mark.integration
SECRET = SecretStr("gateway-auth-fuzz-secret-0123456789")
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance]


@pytest.fixture
def schema(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[Any]:
    settings = GatewaySettings(bus="embedded", database_url=database_url, redis_url=redis_url,
                               data_dir=tmp_path, jwt_secret=SECRET,
                               presence_namespace=f"fuzz{uuid.uuid4().hex[:10]}")
    # The test client runs the app on an event loop of its own: nothing pooled across loops.
    engine = create_async_engine(make_url(database_url).set(drivername="postgresql+psycopg"),
                                 poolclass=NullPool)
    redis: Redis = Redis.from_url(redis_url, single_connection_client=False)
    clock = SystemClock()
    auth = auth_from(UnitOfWork(engine, clock, "jams/gateway"), redis, clock, settings,
                     Passwords(FAST_HASHER))
    yield schemathesis.openapi.from_asgi("/openapi.json",
                                         install_auth(FastAPI(), auth, redis, settings))


@pytest.mark.parametrize("role", [None, Role.ADMIN])
def test_account_routes_never_fail_and_match_their_schema(schema: Any,
                                                          role: Role | None) -> None:
    headers = {} if role is None else {
        "Authorization": "Bearer " + mint_access_token(SECRET, uuid.uuid4(), role)}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    failures: list[str] = []
    for operation in operations:
        @settings(max_examples=25, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:  # every operation is tried; all failures are reported
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)

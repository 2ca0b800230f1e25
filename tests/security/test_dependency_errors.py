"""A backing service away is 503 ERR_DEPENDENCY with Retry-After, never a 500, on every route
shape: a database, Redis or broker error, raised as is, re-raised as the library's own, or
gathered in a task group; on a WebSocket it is a 1013 close. Readiness goes red for each."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import psycopg
import pytest
import redis.exceptions
import sqlalchemy.exc
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError
from fastapi import FastAPI, WebSocket
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from infra.bus.kafka import KafkaTransport
from infra.bus.outage import is_dependency_outage
from infra.http_conventions import CLOSE_TRY_AGAIN_LATER, install_api_conventions
from infra.ops import ReadinessCheck, ops_router
from services.application_bot.adapters.browser import BrowserUnavailable


def database_gone() -> Exception:
    return sqlalchemy.exc.OperationalError(
        "SELECT 1", {}, psycopg.OperationalError("connection to server on socket failed"))


class ReportedAs(RuntimeError):
    """A library's own error raised from the driver's."""


def reraised() -> Exception:
    try:
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379")
    except redis.exceptions.ConnectionError as exc:
        try:
            raise ReportedAs("lookup failed") from exc
        except ReportedAs as outer:
            return outer


OUTAGES: dict[str, Callable[[], BaseException]] = {
    "database": database_gone,
    "database connection lost": lambda: sqlalchemy.exc.InterfaceError(
        "SELECT 1", {}, psycopg.InterfaceError("connection already closed")),
    "redis": lambda: redis.exceptions.ConnectionError("Error 111 connecting"),
    "redis timeout": lambda: redis.exceptions.TimeoutError("Timeout reading from socket"),
    "broker": lambda: KafkaConnectionError("Unable to bootstrap from 127.0.0.1:1"),
    "broker timeout": lambda: KafkaTimeoutError(),
    "broker node": lambda: NodeNotReadyError("node 1 not ready"),
    "re-raised": reraised,
    "task group": lambda: ExceptionGroup("gathered", [ValueError("x"), database_gone()]),
}


def app_raising(make: Callable[[], BaseException]) -> FastAPI:
    app = FastAPI()
    install_api_conventions(app)

    @app.get("/api/thing")
    async def thing() -> dict[str, str]:
        raise make()

    @app.post("/api/thing")
    async def change_thing() -> dict[str, str]:
        raise make()

    @app.websocket("/ws/thing")
    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()
        raise make()

    return app


async def request(app: FastAPI, method: str, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        return await client.request(method, path)


@pytest.mark.parametrize("outage", sorted(OUTAGES))
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_an_outage_answers_503_err_dependency_with_retry_after(outage: str,
                                                                      method: str) -> None:
    response = await request(app_raising(OUTAGES[outage]), method, "/api/thing")
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "ERR_DEPENDENCY"
    assert int(response.headers["Retry-After"]) > 0
    assert error["request_id"] == response.headers["X-Request-ID"]
    # No internals: the driver's name, the server's address, the raised message.
    message = error["message"]
    assert not any(leak in message for leak in ("psycopg", "127.0.0.1", "Error 111", "Timeout"))
    assert str(OUTAGES[outage]()) not in response.text


async def test_a_bug_is_still_a_500_err_internal() -> None:
    response = await request(app_raising(lambda: ValueError("a bug")), "GET", "/api/thing")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "ERR_INTERNAL"
    assert "Retry-After" not in response.headers


def test_an_outage_on_an_open_socket_closes_it_with_1013() -> None:
    with TestClient(app_raising(OUTAGES["redis"])) as client, \
            client.websocket_connect("/ws/thing") as socket:
        socket.send_text("hello")
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_text()
    assert closed.value.code == CLOSE_TRY_AGAIN_LATER


async def test_readiness_is_red_for_each_dependency_away_and_names_it() -> None:
    async def fine() -> None:
        return None

    async def hangs() -> None:
        await asyncio.sleep(3600)

    def failing(make: Callable[[], BaseException]) -> ReadinessCheck:
        async def check() -> None:
            raise make()
        return check

    cases = {
        "database": failing(database_gone),
        "redis": failing(OUTAGES["redis"]),
        "bus": failing(OUTAGES["broker"]),
    }
    for away, check in cases.items():
        app = FastAPI()
        checks = {"database": fine, "redis": fine, "bus": fine, away: check}
        app.include_router(ops_router(checks, lambda: True))
        response = await request(app, "GET", "/readyz")
        assert response.status_code == 503, away
        assert response.json()["checks"][away].startswith("failing"), response.json()
    app = FastAPI()  # a dependency that hangs fails the check instead of hanging the probe
    app.include_router(ops_router({"bus": hangs}, lambda: True))
    async with asyncio.timeout(10):
        response = await request(app, "GET", "/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["bus"] == "failing: TimeoutError"


async def test_readiness_says_why_our_own_dependency_is_away() -> None:
    async def browser() -> None:
        raise BrowserUnavailable("/opt/chromium: starting Chromium: executable doesn't exist")

    app = FastAPI()
    app.include_router(ops_router({"browser": browser}, lambda: True))
    response = await request(app, "GET", "/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["browser"] == (
        "failing: BrowserUnavailable: /opt/chromium: starting Chromium: executable doesn't exist")


async def test_a_broker_that_does_not_answer_raises_an_error_read_as_an_outage() -> None:
    transport = KafkaTransport("127.0.0.1:1", partitions=1)  # nothing listens on port 1
    with pytest.raises(Exception) as refused:
        await transport.start()
    assert is_dependency_outage(refused.value), repr(refused.value)

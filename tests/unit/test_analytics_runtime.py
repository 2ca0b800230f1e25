"""One process, one port: every service's routes in one app, the gateway's first."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from infra.runtime import merged_http_app
from infra.service import ServiceSpec


class Teapot(Exception):
    pass


def app_saying(word: str, *, with_handler: bool = False) -> FastAPI:
    app = FastAPI()

    @app.get("/shared")
    async def shared() -> dict[str, str]:
        return {"from": word}

    @app.get(f"/only/{word}")
    async def only() -> dict[str, str]:
        return {"from": word}

    router = APIRouter(prefix=f"/api/{word}")

    @router.get("/figures")
    async def figures() -> dict[str, str]:
        return {"from": word}

    app.include_router(router)

    @app.get(f"/fail/{word}")
    async def fail() -> None:
        raise Teapot

    if with_handler:
        async def on_teapot(request: Request, exc: Exception) -> JSONResponse:
            return JSONResponse({"error": word}, status_code=418)

        app.add_exception_handler(Teapot, on_teapot)
    return app


def test_routes_of_every_app_are_served_and_the_gateway_wins_a_clash() -> None:
    specs = [ServiceSpec("analytics", http_app=app_saying("analytics", with_handler=True)),
             ServiceSpec("workflow"),
             ServiceSpec("gateway", http_app=app_saying("gateway"))]
    client = TestClient(merged_http_app(specs))
    assert client.get("/shared").json() == {"from": "gateway"}
    assert client.get("/only/gateway").json() == {"from": "gateway"}
    assert client.get("/only/analytics").json() == {"from": "analytics"}
    assert client.get("/api/analytics/figures").json() == {"from": "analytics"}
    assert client.get("/api/gateway/figures").json() == {"from": "gateway"}
    # The analytics app's error handler comes along with its routes.
    assert client.get("/fail/analytics").status_code == 418
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/only/gateway", "/only/analytics", "/api/analytics/figures"} <= set(paths)


def test_a_service_alone_serves_its_own_app_and_none_gets_an_empty_one() -> None:
    own = app_saying("notifications")
    assert merged_http_app([ServiceSpec("notifications", http_app=own)]) is own
    empty = merged_http_app([ServiceSpec("workflow")])
    assert TestClient(empty).get("/shared").status_code == 404

"""Operational endpoints every service process serves: /healthz, /readyz, /metrics; and the
operations app that serves them, with the API docs, on a port of their own."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.routing import BaseRoute

from infra.api_docs import DOCS_PATH
from infra.bus.outage import DependencyAway

ReadinessCheck = Callable[[], Awaitable[None]]
# A dependency that hangs is as unready as one that refuses; probes time out after 3 s.
CHECK_TIMEOUT_S = 2.0


def ops_router(checks: Mapping[str, ReadinessCheck], started: Callable[[], bool]) -> APIRouter:
    """Liveness says the process runs; readiness that its dependencies answer."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        results: dict[str, str] = {"consumers": "ok" if started() else "starting"}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), CHECK_TIMEOUT_S)
                results[name] = "ok"
            except DependencyAway as exc:  # our own, worded for people: say why
                results[name] = f"failing: {type(exc).__name__}: {exc}"
            except Exception as exc:  # any failure means not ready; say which
                results[name] = f"failing: {type(exc).__name__}"
        ready = all(value == "ok" for value in results.values())
        return JSONResponse({"ready": ready, "checks": results}, status_code=200 if ready else 503)

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def operations_app(public: FastAPI, ops: APIRouter) -> FastAPI:
    """An app for the operations port: `ops` and the API docs, which leave `public`, so that
    whatever routes to the public port (an Ingress) reaches neither."""
    internal = FastAPI(title=f"{public.title} operations", docs_url=None, redoc_url=None,
                       openapi_url=None)
    internal.include_router(ops)
    docs = _docs_routes(public)
    public.router.routes[:] = [r for r in public.router.routes if r not in docs]
    internal.router.routes.extend(docs)
    return internal


def _docs_routes(app: FastAPI) -> list[BaseRoute]:
    """The routes that describe the API: the OpenAPI document, Swagger UI (FastAPI's or the
    local-files page of infra.api_docs, with its assets) and ReDoc."""
    paths = {p for p in (app.openapi_url, app.docs_url, app.redoc_url,
                         app.swagger_ui_oauth2_redirect_url, DOCS_PATH) if p}
    prefixes = tuple(f"{p}/" for p in (app.docs_url, app.redoc_url, DOCS_PATH) if p)
    return [route for route in app.router.routes
            if (path := getattr(route, "path", None)) is not None
            and (path in paths or path.startswith(prefixes))]

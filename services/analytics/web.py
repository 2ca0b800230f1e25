"""The analytics HTTP surface: figures, series, the live socket and the operators' page."""

from __future__ import annotations

import asyncio
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, WebSocket
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from infra.auth import (
    Principal,
    PrincipalDependency,
    Role,
    TokenVerifier,
    authenticate,
    same_origin,
    token_of,
)
from infra.clock import Clock
from infra.http_conventions import ERR_VALIDATION, ApiError
from infra.socket_sessions import SessionSockets, close_when_ended
from infra.static_files import CSS, JS, serve_files
from services.analytics.figures import SERIES_METRICS, WINDOWS, metric_named, window_named
from services.analytics.live import LiveFigures
from services.analytics.repository import FiguresReader

ALLOWED = frozenset({Role.OPERATOR, Role.ADMIN})
ASSETS = {"operators.js": JS, "charts.js": JS, "operators.css": CSS}
# WebSocket close codes the page understands: log in again, or not allowed.
CLOSE_UNAUTHENTICATED, CLOSE_FORBIDDEN = 4401, 4403


def asset(name: str) -> str:
    return files("services.analytics").joinpath(name).read_text("utf-8")


def figures_routes(reader: FiguresReader, clock: Clock,
                   operator: PrincipalDependency) -> APIRouter:
    """`/api/v1/analytics/*`: operators and admins only."""
    router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])

    @router.get("/summary", summary="Every live figure now")
    async def summary(_: Principal = Depends(operator)) -> dict[str, Any]:
        return await reader.summary(clock.now())

    @router.get("/series", summary="One figure over a window, bucket by bucket")
    async def series(
        metric: str = Query(..., max_length=100, description="e.g. jobs_found"),
        window: str = Query("1h", max_length=10, description=", ".join(WINDOWS)),
        _: Principal = Depends(operator),
    ) -> dict[str, Any]:
        try:
            chosen = window_named(window)
            name = metric_named(metric)
        except ValueError as exc:
            raise ApiError(422, ERR_VALIDATION, str(exc),
                           {"metrics": sorted(SERIES_METRICS), "windows": list(WINDOWS)}) from None
        return {"metric": name, "window": chosen.name, "step_s": chosen.step_s,
                "points": await reader.series(name, chosen, clock.now())}

    return router


def live_routes(app: FastAPI, live: LiveFigures, verifier: TokenVerifier,
                sockets: SessionSockets, clock: Clock) -> None:
    """The live socket and the operators' page with its scripts; `sockets` hears of
    revocations, so a socket ends with its session."""

    @app.websocket("/ws/analytics")
    async def analytics_socket(websocket: WebSocket) -> None:
        if not same_origin(websocket):
            # Browsers send the cookie with a socket any page opens: only our own pages may.
            await websocket.accept()
            await websocket.close(CLOSE_FORBIDDEN, "cross-origin socket refused")
            return
        try:
            token = verifier.verified(token_of(websocket.scope))
        except ApiError:
            await websocket.accept()
            await websocket.close(CLOSE_UNAUTHENTICATED, "log in first")
            return
        if token.principal.role not in ALLOWED:
            await websocket.accept()
            await websocket.close(CLOSE_FORBIDDEN, "operators and admins only")
            return
        with sockets.holding(token) as held:
            closer = asyncio.create_task(close_when_ended(held.ended, token, clock, websocket))
            try:
                await live.serve(websocket)
            finally:
                closer.cancel()

    @app.get("/operators", include_in_schema=False, response_model=None)
    async def operators_page(request: Request) -> Response:
        try:
            caller = authenticate(verifier, request.scope)
        except ApiError:
            return RedirectResponse("/login?next=/operators", status_code=303)
        if caller.role not in ALLOWED:
            return HTMLResponse(FORBIDDEN_PAGE, status_code=403)
        return HTMLResponse(asset("operators.html"), headers={"Cache-Control": "no-store"})

    serve_files(app, "/operators", files("services.analytics"), ASSETS)




FORBIDDEN_PAGE = """<!doctype html><html lang="en"><meta charset="utf-8">
<title>JAMS operators</title><link rel="stylesheet" href="/operators/operators.css"><body>
<h1>Not for your role</h1><p>The operators' dashboard is for operators and admins.
<a href="/login?next=/operators">Log in as someone else</a>.</p></body></html>"""

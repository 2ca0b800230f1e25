"""The recruiters' page, its scripts and styles, and its live socket.

The page is served by the service whose API it calls, on the same origin (as the operators'
page is by analytics): its scripts call `/api/v1/...` with the session cookie the gateway's
login page set, and the socket tells them when to fetch again.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterable
from html import escape
from importlib.resources import files

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.auth import TokenVerifier, authenticate, same_origin, token_of
from infra.clock import Clock
from infra.http_conventions import ApiError
from infra.socket_sessions import SessionSockets, close_when_ended
from infra.static_files import CSS, JS, serve_files
from services.recruiting.access import READERS, caller_of
from services.recruiting.live import CompanyFeed

PAGE = "/recruiting"
ASSETS = {"recruiting.js": JS, "candidate.js": JS, "recruiting.css": CSS}
# WebSocket close codes the page understands: log in again, not allowed, no such company.
CLOSE_UNAUTHENTICATED, CLOSE_FORBIDDEN, CLOSE_NOT_FOUND = 4401, 4403, 4404

# What the page offers when the route that serves it is there, by the route's shape.
FEATURES = {
    "notes": "/api/v1/jobs/{}/candidates/{}/notes",
    "interviews": "/api/v1/jobs/{}/candidates/{}/interviews",
    "links": "/api/v1/jobs/{}/candidates/{}/links",
    "rescore": "/api/v1/match/run/{}",
}


def features(paths: Iterable[str]) -> list[str]:
    """The page's optional parts whose routes `paths` holds."""
    shapes = {re.sub(r"\{[^}]*\}", "{}", path) for path in paths}
    return sorted(name for name, shape in FEATURES.items() if shape in shapes)


def asset(name: str) -> str:
    return files("services.recruiting").joinpath(name).read_text("utf-8")


def filled(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace(f"__{name}__", escape(value, quote=True))
    return template


FORBIDDEN_PAGE = """<!doctype html><html lang="en"><meta charset="utf-8">
<title>JAMS recruiting</title><link rel="stylesheet" href="/recruiting/recruiting.css"><body>
<main><h1>Not for your role</h1><p>The recruiting page is for recruiters, hiring managers and
company admins. <a href="/login?next=/recruiting">Log in as someone else</a>.</p></main>
</body></html>"""


def page_routes(app: FastAPI, engine: AsyncEngine, verifier: TokenVerifier, feed: CompanyFeed,
                sockets: SessionSockets, clock: Clock) -> None:
    """The page at /recruiting, its files under it, and /ws/recruiting/{company_id}."""
    template = asset("recruiting.html")

    @app.get(PAGE, include_in_schema=False, response_model=None)
    async def recruiting_page(request: Request, company_id: uuid.UUID | None = None) -> Response:
        try:
            principal = authenticate(verifier, request.scope)
        except ApiError:
            return RedirectResponse(f"/login?next={PAGE}", status_code=303)
        if principal.role not in READERS:
            return HTMLResponse(FORBIDDEN_PAGE, status_code=403)
        caller = await caller_of(engine, principal)
        # An admin names the company to look at; an employer sees their own.
        company = company_id if caller.every_company else caller.company_id
        html = filled(template, {
            "COMPANY": str(company or ""), "USER": str(principal.user_id),
            "ROLE": str(principal.role),
            "FEATURES": " ".join(features(app.openapi()["paths"]))})
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    serve_files(app, PAGE, files("services.recruiting"), ASSETS)

    @app.websocket("/ws/recruiting/{company_id}")
    async def recruiting_socket(websocket: WebSocket, company_id: uuid.UUID) -> None:
        code, reason = CLOSE_FORBIDDEN, "cross-origin socket refused"
        if same_origin(websocket):
            try:
                token = verifier.verified(token_of(websocket.scope))
            except ApiError:
                code, reason = CLOSE_UNAUTHENTICATED, "log in first"
            else:
                if token.principal.role not in READERS:
                    reason = "employers and admins only"
                elif not (await caller_of(engine, token.principal)).sees(company_id):
                    # As for a company that does not exist: nothing tells them apart.
                    code, reason = CLOSE_NOT_FOUND, "not found"
                else:
                    await websocket.accept()
                    with sockets.holding(token) as held:
                        closer = asyncio.create_task(
                            close_when_ended(held.ended, token, clock, websocket))
                        try:
                            await feed.serve(websocket, company_id)
                        finally:
                            closer.cancel()
                    return
        await websocket.accept()
        await websocket.close(code, reason)

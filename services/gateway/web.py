"""The gateway's pages (login, reviewer) and the reviewer WebSocket."""

from __future__ import annotations

import uuid
from importlib.resources import files
from urllib.parse import quote

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from infra.api_docs import api_app
from infra.auth import ACCESS_COOKIE, Role, TokenVerifier, authenticate
from infra.http_conventions import ApiError
from infra.static_files import CSS, JS, serve_files
from services.gateway.sessions import ReviewerSessions

# The pages' scripts and styles: files, so the pages need no inline script or style.
ASSETS = {f"{page}.{kind}": media_type for page in ("login", "review", "supervisor")
          for kind, media_type in (("js", JS), ("css", CSS))} | {"mail.js": JS}


def page(name: str) -> str:
    """A static page shipped in this package."""
    return files("services.gateway").joinpath(name).read_text("utf-8")


def review_page(heartbeat_interval_s: float) -> str:
    """The reviewer page, with the heartbeat interval filled in."""
    template = page("review.html")
    return template.replace("__HEARTBEAT_MS__", str(int(heartbeat_interval_s * 1000)))


def page_for(verifier: TokenVerifier, request: Request, html: str,
             roles: frozenset[Role]) -> Response:
    """`html` for a logged-in caller with one of `roles`; otherwise off to the login page."""
    try:
        principal = authenticate(verifier, request.scope)
    except ApiError:
        principal = None
    if principal is None or principal.role not in roles:
        target = quote(request.url.path, safe="/")
        denied = "&denied=1" if principal is not None else ""
        return RedirectResponse(f"/login?next={target}{denied}", status_code=303)
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


def create_http_app(sessions: ReviewerSessions, page_html: str,
                    verifier: TokenVerifier) -> FastAPI:
    """FastAPI app with the login and reviewer routes (the runtime adds /healthz, /metrics)."""
    app = api_app("JAMS gateway")
    login_html = page("login.html")
    serve_files(app, "/assets", files("services.gateway"), ASSETS)

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    async def login_page() -> HTMLResponse:
        return HTMLResponse(login_html)

    @app.get("/review", response_class=HTMLResponse, include_in_schema=False)
    async def reviewer_page(request: Request) -> Response:
        return page_for(verifier, request, page_html, frozenset({Role.REVIEWER}))

    @app.websocket("/ws/reviewers/{reviewer_id}")
    async def reviewer_socket(
        websocket: WebSocket, reviewer_id: uuid.UUID, access_token: str = ""
    ) -> None:
        # Browsers send the HTTP-only cookie; other clients may pass ?access_token=.
        token = access_token or websocket.cookies.get(ACCESS_COOKIE, "")
        await sessions.serve(websocket, reviewer_id, token)

    return app

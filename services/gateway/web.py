"""The gateway's HTTP surface: the reviewer page and the reviewer WebSocket."""

from __future__ import annotations

import uuid
from importlib.resources import files

from fastapi import FastAPI, WebSocket
from fastapi.responses import HTMLResponse

from services.gateway.sessions import ReviewerSessions


def page(name: str) -> str:
    """A static page shipped in this package."""
    return files("services.gateway").joinpath(name).read_text("utf-8")


def review_page(heartbeat_interval_s: float) -> str:
    """The reviewer page, with the heartbeat interval filled in."""
    template = page("review.html")
    return template.replace("__HEARTBEAT_MS__", str(int(heartbeat_interval_s * 1000)))


def create_http_app(sessions: ReviewerSessions, page: str) -> FastAPI:
    """FastAPI app with the reviewer routes (the runtime adds /healthz, /readyz, /metrics)."""
    app = FastAPI(title="JAMS gateway")

    @app.get("/review", response_class=HTMLResponse, include_in_schema=False)
    async def reviewer_page() -> HTMLResponse:
        return HTMLResponse(page)

    @app.websocket("/ws/reviewers/{reviewer_id}")
    async def reviewer_socket(
        websocket: WebSocket, reviewer_id: uuid.UUID, token: str = ""
    ) -> None:
        await sessions.serve(websocket, reviewer_id, token)

    return app

"""Signing in, as LinkedIn and Indeed shape it: sessions the sandbox issues and expires (one
cookie for both stand-ins), the sign-in page, and the checkpoints a portal puts up (captcha,
2FA, "unusual activity", new terms)."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
SESSION_COOKIE = "li_at"  # LinkedIn's session cookie
CHECKPOINT_KINDS = ("recaptcha", "hcaptcha", "two_factor", "unusual_activity", "terms")


class SandboxSessions:
    """The session tokens the sandbox signed in, until each is expired."""

    def __init__(self) -> None:
        self._valid: set[str] = set()
        self._lock = threading.Lock()

    def issue(self) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._valid.add(token)
        return token

    def expire(self, token: str) -> bool:
        with self._lock:
            if token not in self._valid:
                return False
            self._valid.discard(token)
            return True

    def signed_in(self, request: Request) -> bool:
        token = request.cookies.get(SESSION_COOKIE)
        with self._lock:
            return token is not None and token in self._valid


def sign_in_redirect(path: str) -> RedirectResponse:
    """Where LinkedIn sends a visitor with no valid session."""
    return RedirectResponse(f"/login?session_redirect={path}", status_code=302)


def checkpoint_redirect(kind: str, path: str) -> RedirectResponse:
    return RedirectResponse(f"/checkpoint/challenge/{kind}?session_redirect={path}",
                            status_code=302)


def sign_in_router(sessions: SandboxSessions) -> APIRouter:
    router = APIRouter()

    @router.post("/_sandbox/sessions")
    async def sign_in(request: Request) -> dict[str, Any]:
        """A signed-in session, as Playwright's `storage_state()` would save it."""
        token = sessions.issue()
        host = request.url.hostname or "127.0.0.1"
        return {"token": token, "storage_state": {"cookies": [{
            "name": SESSION_COOKIE, "value": token, "domain": host, "path": "/",
            "expires": -1, "httpOnly": True, "secure": False, "sameSite": "Lax"}],
            "origins": []}}

    @router.post("/_sandbox/sessions/{token}/expire")
    async def expire(token: str) -> JSONResponse:
        if not sessions.expire(token):
            return JSONResponse({"error": "not found"}, status_code=404)
        return JSONResponse({"expired": True})

    @router.get("/login")  # LinkedIn's
    @router.get("/account/login")  # Indeed's
    async def login_page(request: Request) -> Response:
        return TEMPLATES.TemplateResponse(request, "sign_in.html", {})

    @router.get("/checkpoint/challenge/{kind}")
    async def checkpoint(request: Request, kind: str) -> Response:
        if kind not in CHECKPOINT_KINDS:
            return JSONResponse({"error": "not found"}, status_code=404)
        return TEMPLATES.TemplateResponse(request, "checkpoint.html", {"kind": kind})

    @router.get("/_sandbox/recaptcha/api2/anchor")
    @router.get("/_sandbox/hcaptcha/checkbox")
    async def captcha_widget() -> Response:
        # The widget's frame, served locally: the real ones load from Google and hCaptcha.
        return Response("<!DOCTYPE html><p>I'm not a robot</p>", media_type="text/html")

    return router

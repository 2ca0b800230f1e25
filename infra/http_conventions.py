"""Conventions of every service's API: one error shape, request ids, size and rate limits,
security headers and the refusal of other origins' unsafe requests."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from redis.asyncio import Redis
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.browser_policy import cross_origin_refusal, security_headers
from infra.bus.outage import caused_by_outage
from infra.logging import event_context

log = structlog.get_logger(__name__)

ERR_VALIDATION = "ERR_VALIDATION"
ERR_AUTH_REQUIRED = "ERR_AUTH_REQUIRED"
ERR_FORBIDDEN = "ERR_FORBIDDEN"
ERR_NOT_FOUND = "ERR_NOT_FOUND"
ERR_CONFLICT = "ERR_CONFLICT"
ERR_RATE_LIMIT = "ERR_RATE_LIMIT"
ERR_INTERNAL = "ERR_INTERNAL"
ERR_DEPENDENCY = "ERR_DEPENDENCY"

REQUEST_ID_HEADER = "X-Request-ID"
DEFAULT_MAX_BODY_BYTES = 1_000_000
# An incoming id is echoed only if it is short and plain; anything else gets a fresh one.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Probes and scrapes are neither rate limited nor logged per request.
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# When a client may try again after a backing service was away (a restart takes seconds).
DEPENDENCY_RETRY_AFTER_S = 5
# WebSocket close code for "try again later" (RFC 6455 registry: 1013).
CLOSE_TRY_AGAIN_LATER = 1013


_request_id_var: ContextVar[str] = ContextVar("jams_request_id", default="")


def current_request_id() -> str:
    """The id of the HTTP request or WebSocket being served ("" outside of one)."""
    return _request_id_var.get()


class ApiError(Exception):
    """An error the API reports as-is: HTTP status, stable code, human message, details."""

    def __init__(self, status: int, code: str, message: str, details: Any = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        # Sent with the error, e.g. Retry-After on a 429.
        self.headers = dict(headers or {})


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None
    request_id: str


class ErrorBody(BaseModel):
    """The one error shape, as documented in OpenAPI."""

    error: ErrorDetail


# For `APIRouter(responses=...)`: the error statuses a route may answer, all in one shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description} for status, description in {
        401: "ERR_AUTH_REQUIRED: no valid access token",
        403: "ERR_FORBIDDEN: the caller's role or ownership does not allow it",
        404: "ERR_NOT_FOUND",
        409: "ERR_CONFLICT",
        413: "ERR_VALIDATION: the body is too large",
        422: "ERR_VALIDATION: the request is not valid",
        429: "ERR_RATE_LIMIT: too many requests",
        500: "ERR_INTERNAL",
        503: "ERR_DEPENDENCY: a backing service is unavailable",
    }.items()}


@dataclass(frozen=True)
class RateLimits:
    """Requests allowed per fixed window, per client IP and per authenticated user."""

    per_ip: int = 120_000
    per_user: int = 60_000
    window_s: int = 60
    namespace: str = "jams"


# Given a request's scope, the authenticated user's key (or None); used for per-user limits.
UserOf = Callable[[Scope], Awaitable[str | None]]


def code_for_status(status: int) -> str:
    """The error code for a bare HTTP status (framework errors carry no code of their own)."""
    if status == 401:
        return ERR_AUTH_REQUIRED
    if status == 403:
        return ERR_FORBIDDEN
    if status in (404, 410):
        return ERR_NOT_FOUND
    if status == 409:
        return ERR_CONFLICT
    if status == 429:
        return ERR_RATE_LIMIT
    if status in (502, 503, 504):
        return ERR_DEPENDENCY
    if status >= 500:
        return ERR_INTERNAL
    return ERR_VALIDATION


def request_id_of(scope: Scope) -> str:
    """The id the conventions middleware gave this request ("" outside of it)."""
    return str(scope.get("state", {}).get("request_id", ""))


def error_body(code: str, message: str, details: Any, request_id: str) -> dict[str, Any]:
    """The one error shape of every API response."""
    return {"error": {"code": code, "message": message,
                      "details": jsonable_encoder(details), "request_id": request_id}}


def error_response(request_id: str, status: int, code: str, message: str,
                   details: Any = None, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details, request_id), status_code=status,
                        headers=headers)


def dependency_unavailable(request_id: str) -> JSONResponse:
    """503 ERR_DEPENDENCY: a backing service is away; the same request may succeed later."""
    return error_response(request_id, 503, ERR_DEPENDENCY,
                          "a backing service is unavailable; try again shortly",
                          headers={"Retry-After": str(DEPENDENCY_RETRY_AFTER_S)})


class BodyTooLarge(StarletteHTTPException):
    """Raised while reading a body past the limit; an HTTPException so frameworks re-raise it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")
        self.limit = limit


def install_api_conventions(
    app: FastAPI,
    *,
    redis: Redis | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_upload_bytes: int | None = None,
    limits: RateLimits | None = None,
    user_of: UserOf | None = None,
    hsts_max_age_s: int = 0,
) -> None:
    """One error shape, X-Request-ID, a body size limit, Redis rate limits, security headers
    and the origin check of unsafe requests on `app`.

    `max_upload_bytes` (default: `max_body_bytes`) bounds multipart/form-data bodies (files);
    `user_of` names the caller for per-user limits; `hsts_max_age_s` > 0 sends HSTS (behind
    TLS only).
    """

    async def on_api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(request_id_of(request.scope), exc.status, exc.code, exc.message,
                              exc.details, headers=exc.headers or None)

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        details = None if isinstance(exc.detail, str) else exc.detail
        message = exc.detail if isinstance(exc.detail, str) else _reason(exc.status_code)
        return error_response(request_id_of(request.scope), exc.status_code,
                              code_for_status(exc.status_code), message, details,
                              headers=dict(exc.headers or {}))

    async def on_invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        # Drop the echoed input: it may be large or hold a password.
        problems = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""),
                     "type": e.get("type", "")} for e in exc.errors()]
        return error_response(request_id_of(request.scope), 422, ERR_VALIDATION,
                              "the request is not valid", problems)

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_middleware(ApiConventionsMiddleware, redis=redis, max_body_bytes=max_body_bytes,
                       max_upload_bytes=max_upload_bytes or max_body_bytes,
                       limits=limits or RateLimits(), user_of=user_of,
                       hsts_max_age_s=hsts_max_age_s)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower()
    except ValueError:
        return "error"


class ApiConventionsMiddleware:
    """Pure ASGI middleware (so context variables reach the handlers and streaming works)."""

    def __init__(self, app: ASGIApp, *, redis: Redis | None, max_body_bytes: int,
                 max_upload_bytes: int, limits: RateLimits, user_of: UserOf | None,
                 hsts_max_age_s: int = 0) -> None:
        self.app = app
        self.redis = redis
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.limits = limits
        self.user_of = user_of
        self.hsts_max_age_s = hsts_max_age_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        token = _request_id_var.set(request_id)
        try:
            with event_context(request_id=request_id):
                if scope["type"] == "websocket":
                    await self._websocket(scope, receive, send)
                    return
                await self._http(scope, receive, send, request_id)
        finally:
            _request_id_var.reset(token)

    async def _http(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        started_at = time.perf_counter()
        status_seen: list[int] = []
        path = str(scope.get("path", ""))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_seen.append(int(message["status"]))
                headers = [h for h in message.get("headers", [])
                           if h[0].lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": security_headers(
                    headers, hsts_max_age_s=self.hsts_max_age_s)}
            await send(message)

        async def reply(response: JSONResponse) -> None:
            await response(scope, receive, send_with_id)

        max_bytes = (self.max_upload_bytes if (_header(scope, b"content-type") or "").startswith(
            "multipart/form-data") else self.max_body_bytes)
        try:
            refusal = cross_origin_refusal(str(scope.get("method", "")),
                                           lambda name: _header(scope, name.encode()))
            if refusal is not None:
                await reply(error_response(request_id, 403, ERR_FORBIDDEN, refusal))
                return
            declared = _header(scope, b"content-length") or ""
            if declared.isdigit() and int(declared) > max_bytes:
                await reply(error_response(
                    request_id, 413, ERR_VALIDATION, f"request body larger than {max_bytes} bytes",
                    {"max_bytes": max_bytes}))
                return
            # Also verifies the caller once, for handlers that read the principal later.
            user = await self.user_of(scope) if self.user_of is not None else None
            if path not in _QUIET_PATHS and (limited := await self._over_limit(scope, user)):
                await reply(error_response(
                    request_id, 429, ERR_RATE_LIMIT, "too many requests; slow down",
                    {"scope": limited, "window_s": self.limits.window_s},
                    headers={"Retry-After": str(self.limits.window_s)}))
                return
            await self.app(scope, self._limited(receive, max_bytes), send_with_id)
        except BodyTooLarge as exc:  # raised outside a route's exception handlers
            if not status_seen:
                await reply(error_response(request_id, 413, ERR_VALIDATION, str(exc.detail),
                                           {"max_bytes": exc.limit}))
        except Exception as exc:
            if caused_by_outage(exc):
                log.warning("dependency unavailable", path=path, error=type(exc).__name__)
                if not status_seen:
                    await reply(dependency_unavailable(request_id))
                return
            log.exception("unhandled error", path=path)
            if not status_seen:  # never leak internals: a generic message and the id
                await reply(error_response(request_id, 500, ERR_INTERNAL,
                                           "internal error; quote the request id"))
        finally:
            status = status_seen[0] if status_seen else 0
            # Failures at info; successes at debug, so a busy API does not pay a line each.
            if path not in _QUIET_PATHS:
                (log.info if status >= 400 or status == 0 else log.debug)(
                    "http request", method=scope.get("method"), path=path, status=status,
                    duration_ms=round((time.perf_counter() - started_at) * 1000, 2))

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The socket as the app serves it; a backing service away closes it with 1013, so
        the client reconnects later instead of seeing an internal error."""
        state = {"accepted": False, "closed": False}

        async def send_tracked(message: Message) -> None:
            if message["type"] == "websocket.accept":
                state["accepted"] = True
            elif message["type"] == "websocket.close":
                state["closed"] = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception as exc:
            if not caused_by_outage(exc) or state["closed"]:
                raise
            log.warning("dependency unavailable", path=scope.get("path", ""),
                        error=type(exc).__name__)
            if state["accepted"]:
                await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER,
                            "reason": "a backing service is unavailable; try again"})
            elif "websocket.http.response" in scope.get("extensions", {}):
                # Still in the handshake: the server can answer it as HTTP, with the status.
                response = dependency_unavailable(request_id_of(scope))
                await send({"type": "websocket.http.response.start",
                            "status": response.status_code,
                            "headers": response.raw_headers})
                await send({"type": "websocket.http.response.body", "body": response.body})
            else:
                raise

    @staticmethod
    def _limited(receive: Receive, limit: int) -> Receive:
        """`receive` that raises BodyTooLarge once a chunked body passes the limit."""
        total = 0

        async def receive_limited() -> Message:
            nonlocal total
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > limit:
                    raise BodyTooLarge(limit)
            return message

        return receive_limited

    async def _over_limit(self, scope: Scope, user: str | None) -> str | None:
        """"ip" or "user" if this request passes that limit in the current window."""
        if self.redis is None:
            return None
        client = scope.get("client")
        ip = client[0] if client else "unknown"
        window = int(time.time() // self.limits.window_s)
        prefix = f"{self.limits.namespace}:ratelimit:{window}"
        keys = [("ip", f"{prefix}:ip:{ip}", self.limits.per_ip)]
        if user:
            keys.append(("user", f"{prefix}:user:{user}", self.limits.per_user))
        try:
            pipe = self.redis.pipeline(transaction=False)
            for _, key, _limit in keys:
                pipe.incr(key)
            counts = [int(count) for count in await pipe.execute()]
            # A window's first request sets its expiry: one round trip for all the others.
            if fresh := [key for (_, key, _), count in zip(keys, counts, strict=True)
                         if count == 1]:
                pipe = self.redis.pipeline(transaction=False)
                for key in fresh:
                    pipe.expire(key, self.limits.window_s * 2)
                await pipe.execute()
        except Exception:  # Redis down: serve rather than refuse everyone
            log.warning("rate limit check skipped: redis unavailable")
            return None
        for (name, _, limit), count in zip(keys, counts, strict=True):
            if count > limit:
                return name
        return None


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = bytes(value).decode("latin-1")
            if _SANE_REQUEST_ID.match(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def _header(scope: Scope, wanted: bytes) -> str | None:
    """A request header, trimmed and lower-cased; None if the request has none."""
    for name, value in scope.get("headers", []):
        if name == wanted:
            return bytes(value).decode("latin-1").strip().lower()
    return None

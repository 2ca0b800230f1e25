"""Employers' job writes passed on to the recruiting service where it runs apart.

In Kubernetes one Ingress host serves both services, and ingress-nginx routes by path only:
`/api/v1/jobs` and `/api/v1/jobs/{id}` reach the gateway (its `GET`s), so the recruiting
service's `POST /api/v1/jobs` and `PATCH /api/v1/jobs/{id}` arrive here and are forwarded to
it. In one process (`jams run`) its routes are the app's own and nothing is forwarded.
"""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI, Request, Response

from infra.http_conventions import (
    DEPENDENCY_RETRY_AFTER_S,
    ERR_DEPENDENCY,
    REQUEST_ID_HEADER,
    current_request_id,
    error_response,
)

# What the recruiting service reads of a request: who calls (token or cookie), the body's
# kind and size, the origin check of unsafe requests (Origin, Sec-Fetch-Site against Host)
# and the caller's address for its rate limits.
PASSED_REQUEST_HEADERS = ("authorization", "cookie", "content-type", "content-length", "accept",
                          "origin", "sec-fetch-site", "host", "x-forwarded-for",
                          "idempotency-key")
PASSED_RESPONSE_HEADERS = ("content-type", "location", "retry-after", "etag")
CONNECT_TIMEOUT_S = 2.0


def forwarded_headers(request: Request) -> dict[str, str]:
    """The caller's headers the recruiting service needs, with this request's id."""
    headers = {name: value for name in PASSED_REQUEST_HEADERS
               if (value := request.headers.get(name)) is not None}
    headers[REQUEST_ID_HEADER] = current_request_id()
    return headers


def install_recruiting_forward(app: FastAPI, recruiting_url: str, timeout_s: float) -> None:
    """`POST /api/v1/jobs` and `PATCH /api/v1/jobs/{job_id}` on `app`, answered by the
    recruiting service at `recruiting_url`; 503 ERR_DEPENDENCY while it cannot be reached."""
    timeout = httpx.Timeout(timeout_s, connect=min(CONNECT_TIMEOUT_S, timeout_s))

    async def forward(request: Request, path: str) -> Response:
        # The path is rebuilt from validated parts, never copied: a decoded "..", "?" or "#"
        # in it cannot change where the request goes.
        target = recruiting_url.rstrip("/") + path
        if request.url.query:
            target += "?" + request.url.query
        try:
            # No proxy from the environment: the caller's token and cookie go to recruiting only.
            async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
                answer = await client.request(request.method, target,
                                              headers=forwarded_headers(request),
                                              content=request.stream())
        except httpx.TransportError:
            return error_response(current_request_id(), 503, ERR_DEPENDENCY,
                                  "the recruiting service is unreachable; try again shortly",
                                  headers={"Retry-After": str(DEPENDENCY_RETRY_AFTER_S)})
        headers = {name: value for name in PASSED_RESPONSE_HEADERS
                   if (value := answer.headers.get(name)) is not None}
        return Response(answer.content, status_code=answer.status_code, headers=headers)

    # Documented by the recruiting service, which answers them.
    @app.post("/api/v1/jobs", include_in_schema=False)
    async def post_job(request: Request) -> Response:
        return await forward(request, "/api/v1/jobs")

    @app.patch("/api/v1/jobs/{job_id}", include_in_schema=False)
    async def patch_job(request: Request, job_id: uuid.UUID) -> Response:
        return await forward(request, f"/api/v1/jobs/{job_id}")

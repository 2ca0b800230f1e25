"""Prometheus metrics of every service's HTTP server: requests and their latency by route."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
UNMATCHED = "unmatched"  # a fixed label for 404s, so scanners cannot explode the series


@dataclass(frozen=True)
class HttpMetrics:
    requests: Counter
    latency: Histogram

    @staticmethod
    @cache
    def default() -> HttpMetrics:
        return HttpMetrics(
            requests=Counter("jams_http_requests_total", "HTTP requests answered",
                             ["service", "method", "route", "status"]),
            latency=Histogram("jams_http_request_duration_seconds",
                              "Time to answer an HTTP request", ["service", "method", "route"],
                              buckets=LATENCY_BUCKETS),
        )


class HttpMetricsMiddleware:
    """Counts and times each HTTP request under its route template (never the raw path)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self._app = app
        self._service = service
        self._metrics = HttpMetrics.default()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self._app(scope, receive, send_counted)
        finally:
            route = getattr(scope.get("route"), "path", UNMATCHED)
            method = scope["method"]
            self._metrics.requests.labels(self._service, method, route, str(status)).inc()
            self._metrics.latency.labels(self._service, method, route).observe(
                time.perf_counter() - started)

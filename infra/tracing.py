"""OpenTelemetry traces: one trace follows a job across services through each envelope's
`traceparent` (W3C Trace Context).

Off unless configured (`JAMS_OTLP_ENDPOINT` or `JAMS_TRACE_FILE`): then every helper here
returns at once, so the bus pays nothing for it. When on, each published event gets a
producer span whose context the envelope carries on, each handled event a consumer span
whose parent is that context, and each HTTP request a server span.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schemas.events.envelope import Envelope
from schemas.events.registry import topic_of

TRACER_NAME = "jams"
SERVICE_ATTRIBUTE = "jams.service"

_propagator = TraceContextTextMapPropagator()
_provider: TracerProvider | None = None


class JsonLinesSpanExporter(SpanExporter):
    """Writes each finished span as one JSON line (tests, or a look without a collector)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = "".join(span.to_json(indent=None) + "\n" for span in spans)
        with self._lock, self._path.open("a", encoding="utf-8") as out:
            out.write(lines)
        return SpanExportResult.SUCCESS


def configure_tracing(
    service: str,
    *,
    otlp_endpoint: str | None = None,
    trace_file: Path | None = None,
) -> bool:
    """Turn tracing on for this process if an exporter is configured; whether it is on."""
    global _provider
    processors: list[Any] = []
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = f"{otlp_endpoint.rstrip('/')}/v1/traces"
        processors.append(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    if trace_file is not None:
        # Synchronous: a reader of the file sees a span as soon as it ends.
        processors.append(SimpleSpanProcessor(JsonLinesSpanExporter(trace_file)))
    if not processors:
        return False
    shutdown_tracing()
    provider = TracerProvider(resource=Resource.create(
        {"service.name": service, "service.namespace": "jams"}))
    for processor in processors:
        provider.add_span_processor(processor)
    _provider = provider
    return True


def shutdown_tracing() -> None:
    """Flush and stop the exporters; tracing is off afterwards."""
    global _provider
    if _provider is not None:
        _provider.force_flush()
        _provider.shutdown()
        _provider = None


def enabled() -> bool:
    return _provider is not None


def _tracer() -> trace.Tracer:
    assert _provider is not None
    return _provider.get_tracer(TRACER_NAME)


def _context_of(traceparent: str | None) -> otel_context.Context | None:
    if not traceparent:
        return None
    return _propagator.extract({"traceparent": traceparent})


def service_of(name: str) -> str:
    """`jams/ats_engine` (a source) or `jams.ats_engine` (a group) -> `ats_engine`."""
    for prefix in ("jams/", "jams."):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def published(envelope: Envelope, topic: str | None = None) -> Envelope:
    """A producer span for `envelope`, which then carries that span's context onwards.

    The parent is the span running now (the handler's, say), else the envelope's own
    traceparent (inherited from its cause), else the span starts a new trace.
    """
    if _provider is None:
        return envelope
    current = trace.get_current_span().get_span_context().is_valid
    parent = None if current else _context_of(envelope.traceparent)
    attributes = {
        SERVICE_ATTRIBUTE: service_of(envelope.source),
        "messaging.system": "jams",
        "messaging.operation.type": "publish",
        "messaging.destination.name": topic or topic_of(envelope.type),
        "messaging.message.id": str(envelope.id),
        "jams.event.type": envelope.type,
        "jams.event.subject": envelope.subject,
    }
    carrier: dict[str, str] = {}
    with _tracer().start_as_current_span(f"publish {envelope.type}", context=parent,
                                         kind=SpanKind.PRODUCER, attributes=attributes):
        _propagator.inject(carrier)
    traceparent = carrier.get("traceparent")
    return envelope.model_copy(update={"traceparent": traceparent}) if traceparent else envelope


@contextlib.contextmanager
def handling(envelope: Envelope, *, group: str, topic: str) -> Iterator[None]:
    """A consumer span around handling `envelope`, child of the span that published it."""
    if _provider is None:
        yield
        return
    attributes = {
        SERVICE_ATTRIBUTE: service_of(group),
        "messaging.system": "jams",
        "messaging.operation.type": "process",
        "messaging.destination.name": topic,
        "messaging.consumer.group.name": group,
        "messaging.message.id": str(envelope.id),
        "jams.event.type": envelope.type,
        "jams.event.subject": envelope.subject,
    }
    with _tracer().start_as_current_span(f"handle {envelope.type}",
                                         context=_context_of(envelope.traceparent),
                                         kind=SpanKind.CONSUMER, attributes=attributes):
        yield


def record_failure(exc: BaseException) -> None:
    """Note a failed attempt on the span running now (the handler is retried)."""
    if _provider is not None:
        span = trace.get_current_span()
        span.record_exception(exc)
        span.set_status(Status(StatusCode.ERROR, type(exc).__name__))


@contextlib.contextmanager
def span(name: str, *, service: str, attributes: Mapping[str, Any] | None = None,
         ) -> Iterator[None]:
    """An internal span of `service` (e.g. one browser-driven application, one scrape).

    Its parent is the span running now; with none (a background loop), it starts a trace,
    and the events published inside it carry that trace on.
    """
    if _provider is None:
        yield
        return
    with _tracer().start_as_current_span(
            name, attributes={SERVICE_ATTRIBUTE: service, **(attributes or {})}):
        yield


def set_attributes(attributes: Mapping[str, Any]) -> None:
    """Add to the span running now what is known only once its work is done (counts)."""
    if _provider is not None:
        trace.get_current_span().set_attributes(attributes)


class TracingMiddleware:
    """A server span per HTTP request, continuing a caller's `traceparent` header."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self._app = app
        self._service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _provider is None:
            await self._app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        parent = _context_of(headers.get("traceparent"))
        method = scope["method"]
        attributes = {SERVICE_ATTRIBUTE: self._service, "http.request.method": method,
                      "url.path": scope["path"]}
        with _tracer().start_as_current_span(f"{method} {scope['path']}", context=parent,
                                             kind=SpanKind.SERVER,
                                             attributes=attributes) as server_span:

            async def send_traced(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    server_span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        server_span.set_status(Status(StatusCode.ERROR))
                await send(message)

            await self._app(scope, receive, send_traced)
            route = scope.get("route")
            if route is not None and hasattr(route, "path"):  # the template, not the ids
                server_span.update_name(f"{method} {route.path}")
                server_span.set_attribute("http.route", route.path)

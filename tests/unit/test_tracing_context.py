"""Trace context rides in the envelope: producer and consumer spans chain across hops."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra import tracing
from schemas.events.envelope import Envelope
from schemas.events.jobs import JobExpired

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def an_event(cause: Envelope | None = None) -> Envelope:
    data = JobExpired(job_id=uuid.uuid4(), expired_at=NOW, reason="expiry time passed")
    return Envelope.wrap(data, source="jams/job_discovery", time=NOW, cause=cause)


def spans(path: Path) -> dict[str, dict[str, Any]]:
    found = [json.loads(line) for line in path.read_text().splitlines()]
    return {span["name"] + ":" + span["context"]["span_id"]: span for span in found}


def trace_id(traceparent: str | None) -> str:
    assert traceparent is not None
    return traceparent.split("-")[1]


def test_tracing_off_leaves_envelopes_alone() -> None:
    assert not tracing.enabled()
    envelope = an_event()
    assert tracing.published(envelope) is envelope
    with tracing.handling(envelope, group="jams.ats_engine", topic="jobs.new"):
        pass


def test_a_handled_event_is_the_child_of_its_publish_and_its_own_events_follow(
    trace_file: Path,
) -> None:
    first = tracing.published(an_event())
    assert first.traceparent is not None

    with tracing.handling(first, group="jams.ats_engine", topic="jobs.new"):
        # A handler's event, wrapped with its cause as the unit of work does.
        second = tracing.published(an_event(cause=first))

    assert trace_id(second.traceparent) == trace_id(first.traceparent)
    assert second.traceparent != first.traceparent
    by_name = {span["name"]: span for span in spans(trace_file).values()}
    publish = [s for s in spans(trace_file).values() if s["name"].startswith("publish")]
    handle = by_name["handle jams.jobs.JobExpired"]
    assert first.traceparent is not None and second.traceparent is not None
    first_span_id = "0x" + first.traceparent.split("-")[2]
    assert handle["parent_id"] == first_span_id
    assert handle["attributes"]["jams.service"] == "ats_engine"
    assert {s["attributes"]["jams.service"] for s in publish} == {"job_discovery"}
    [child] = [s for s in publish if s["parent_id"] == handle["context"]["span_id"]]
    assert child["context"]["span_id"] == "0x" + second.traceparent.split("-")[2]


def test_an_event_emitted_outside_a_handler_continues_its_causes_trace(
    trace_file: Path,
) -> None:
    cause = tracing.published(an_event())
    later = tracing.published(an_event(cause=cause))  # e.g. from a background loop
    assert trace_id(later.traceparent) == trace_id(cause.traceparent)


def test_events_without_a_cause_start_their_own_traces(trace_file: Path) -> None:
    one, two = tracing.published(an_event()), tracing.published(an_event())
    assert trace_id(one.traceparent) != trace_id(two.traceparent)


def test_a_garbled_traceparent_starts_a_new_trace_instead_of_failing(trace_file: Path) -> None:
    envelope = an_event().model_copy(update={"traceparent": "00-not-a-trace-01"})
    with tracing.handling(envelope, group="jams.workflow", topic="jobs.new"):
        pass
    [handle] = [s for s in spans(trace_file).values() if s["name"].startswith("handle")]
    assert handle["parent_id"] is None


def test_spans_are_exported_over_otlp_http_when_an_endpoint_is_configured() -> None:
    """A stand-in collector on localhost receives the spans at /v1/traces."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received: list[tuple[str, str, bytes]] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Content-Type"], body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert tracing.configure_tracing(
            "ats_engine", otlp_endpoint=f"http://127.0.0.1:{server.server_port}/")
        tracing.published(an_event())
        tracing.shutdown_tracing()  # flushes the batch
    finally:
        server.shutdown()
        thread.join()
    [(path, content_type, body)] = received
    assert path == "/v1/traces"
    assert content_type == "application/x-protobuf"
    assert b"publish jams.jobs.JobExpired" in body and b"ats_engine" in body

"""Every Prometheus metric a JAMS process exposes is named `jams_<area>_<what>_<unit>`."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

import infra
import services
from infra.bus.metrics import BusMetrics
from infra.http_metrics import HttpMetrics, HttpMetricsMiddleware
from infra.ops import ops_router
from schemas.events.registry import BY_TYPE

# Counters count (`_total`); histograms measure (`_seconds`, `_bytes`); gauges say what they
# hold, in the plural (`jams_outbox_pending_events`).
UNITS = ("total", "seconds", "bytes", "ratio", "info", "events", "records", "jobs", "tasks",
         "reviewers", "connections", "sockets", "applications", "candidates", "workers",
         "partitions", "messages")
SCHEME = re.compile(rf"^jams_[a-z]+(_[a-z0-9]+)+_({'|'.join(UNITS)})$")
# The client library's own process and runtime metrics keep their standard names.
STANDARD_PREFIXES = ("python_", "process_", "platform_")


def scheme_violations(names: Iterable[str]) -> list[str]:
    return sorted(n for n in names if not n.startswith(STANDARD_PREFIXES)
                  and not SCHEME.match(n))


def import_every_module() -> None:
    """Metrics defined at import time register now; `__main__` modules would start a service."""
    for package in (infra, services):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)


@pytest.fixture(scope="module")
def exposed() -> dict[str, str]:
    """Metric name -> type, as a service's /metrics endpoint serves them."""
    import_every_module()
    BusMetrics.default()  # created on first use by the bus
    app = FastAPI()
    app.add_middleware(HttpMetricsMiddleware, service="test")
    app.include_router(ops_router({}, lambda: True))
    with TestClient(app) as client:
        client.get("/healthz")  # one request, so the labelled HTTP series exist
        text = client.get("/metrics").text
    # The parser folds a counter's `_total` and every `_created` series into their family.
    families = {f"{family.name}_total" if family.type == "counter" else family.name: family.type
                for family in text_string_to_metric_families(text)}
    # The client library adds a `<name>_created` gauge beside each labelled counter and
    # histogram: a timestamp of the series, not a metric of ours.
    return {name: kind for name, kind in families.items()
            if not (name.endswith("_created") and _companion_of(name) in families)}


def _companion_of(created: str) -> str:
    base = created.removesuffix("_created")
    return base if base.endswith(UNITS[1:]) else f"{base}_total"


def test_every_jams_metric_follows_the_naming_scheme(exposed: dict[str, str]) -> None:
    assert scheme_violations(exposed) == []


def test_the_platform_metrics_are_exposed(exposed: dict[str, str]) -> None:
    jams = {name for name in exposed if name.startswith("jams_")}
    assert {"jams_bus_published_total", "jams_bus_handled_total",
            "jams_bus_handle_duration_seconds", "jams_events_emitted_total",
            "jams_http_requests_total", "jams_http_request_duration_seconds"} <= jams


def test_counters_end_in_total_and_histograms_in_a_unit(exposed: dict[str, str]) -> None:
    for name, kind in exposed.items():
        if name.startswith("jams_") and kind == "counter":
            assert name.endswith("_total"), name
        if name.startswith("jams_") and kind == "histogram":
            assert name.endswith(("_seconds", "_bytes")), name


def test_names_outside_the_scheme_are_caught() -> None:
    assert scheme_violations([
        "jams_bus_published",            # no unit
        "requests_total",                # no jams_ prefix
        "jams_http_latency_ms",          # not a base unit
        "jams_Bus_published_total",      # not snake case
        "jams_total",                    # no area, no what
        "jams_bus_handled_total",        # fine
        "process_cpu_seconds_total",     # the library's own, fine
    ]) == ["jams_Bus_published_total", "jams_bus_published", "jams_http_latency_ms",
           "jams_total", "requests_total"]


def test_http_metrics_label_routes_by_template(exposed: dict[str, str]) -> None:
    metrics = HttpMetrics.default()
    app = FastAPI()
    app.add_middleware(HttpMetricsMiddleware, service="probe")

    @app.get("/jobs/{job_id}")
    async def job(job_id: str) -> dict[str, str]:
        return {"job_id": job_id}

    with TestClient(app) as client:
        client.get("/jobs/1")
        client.get("/jobs/2")
        client.get("/no/such/page")
    requests = metrics.requests
    assert requests.labels("probe", "GET", "/jobs/{job_id}", "200")._value.get() == 2
    assert requests.labels("probe", "GET", "unmatched", "404")._value.get() == 1


# ---------------------------------------------------------------- the Grafana dashboard

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "jams-dashboard.json"
METRIC_IN_QUERY = re.compile(r"\bjams_[a-z0-9_]+")
EVENT_TYPE_IN_QUERY = re.compile(r'type=~?"([^"]+)"')
SERIES_SUFFIXES = ("_bucket", "_sum", "_count")  # a histogram's series in a query


def dashboard_queries(dashboard: dict[str, Any]) -> list[str]:
    return [target["expr"] for panel in dashboard["panels"] if panel["type"] != "row"
            for target in panel["targets"]]


def unknown_metrics(queries: Iterable[str], exposed: Iterable[str]) -> set[str]:
    names = set(exposed)
    used = {m for query in queries for m in METRIC_IN_QUERY.findall(query)}
    return {m for m in used if m not in names and not any(
        m.endswith(suffix) and m.removesuffix(suffix) in names for suffix in SERIES_SUFFIXES)}


def test_the_dashboard_is_grafana_json_whose_panels_query(exposed: dict[str, str]) -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"] and dashboard["schemaVersion"] >= 30
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    assert len(panels) >= 8
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
    for panel in panels:
        assert panel["targets"], panel["title"]
        assert {"x", "y", "w", "h"} <= set(panel["gridPos"])
    queries = dashboard_queries(dashboard)
    assert unknown_metrics(queries, exposed) == set()
    used = {m for q in queries for m in METRIC_IN_QUERY.findall(q)}
    assert {"jams_events_emitted_total", "jams_bus_handle_duration_seconds_bucket",
            "jams_http_requests_total"} <= used


def test_the_dashboards_event_types_exist() -> None:
    queries = dashboard_queries(json.loads(DASHBOARD.read_text()))
    for pattern in {p for q in queries for p in EVENT_TYPE_IN_QUERY.findall(q)}:
        assert any(re.fullmatch(pattern, t) for t in BY_TYPE), f"no event type matches {pattern}"


def test_a_panel_querying_a_metric_nobody_exposes_is_caught(exposed: dict[str, str]) -> None:
    queries = ["sum(rate(jams_bus_handled_total[5m]))",
               "histogram_quantile(0.9, rate(jams_bus_handle_duration_seconds_bucket[5m]))",
               "rate(jams_scraper_pages_total[5m])", "rate(jams_bus_handled_bucket[5m])"]
    assert unknown_metrics(queries, exposed) == {"jams_scraper_pages_total",
                                                  "jams_bus_handled_bucket"}

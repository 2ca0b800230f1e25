"""Every route of the recruiting and gateway apps reaches its own Service through the
Kubernetes Ingresses: the real manifests, matched as ingress-nginx matches paths with
`use-regex` (each path a case-insensitive `^path` regex, the longest first), a model of the
controller written here, not the controller itself."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from starlette.routing import Route

from infra.auth import TokenVerifier
from infra.clock import SystemClock
from infra.runtime import open_platform
from infra.uow import UnitOfWork
from services.gateway.app import build as build_gateway
from services.gateway.settings import GatewaySettings
from services.recruiting.app import recruiting_app
from services.recruiting.settings import RecruitingSettings

pytestmark = pytest.mark.integration

BASE = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "base"
INGRESSES = ("ingress.yaml", "ingress-recruiting.yaml")
USE_REGEX = "nginx.ingress.kubernetes.io/use-regex"
SECRET = SecretStr("test-secret-of-the-ingress-routes-0123456789")
# Served on the pods' operations port, which no Service exposes (see test_operations_surface).
OPERATIONS = {"/healthz", "/readyz", "/metrics", "/openapi.json"}
# Same paths as the gateway's job reads: they reach the gateway, which forwards them.
FORWARDED = {("POST", "/api/v1/jobs"), ("PATCH", "/api/v1/jobs/{job_id}")}
# Paths of the recruiting service its API route table may not list: its pages, files and socket.
UNLISTED = ("/shared/{token}", "/recruiting", "/recruiting/recruiting.js",
            "/recruiting/candidate.js", "/recruiting/recruiting.css", "/ws/recruiting/{id}")


@dataclass(frozen=True)
class Location:
    path: str
    service: str


@dataclass(frozen=True)
class Host:
    """One host's server block as ingress-nginx writes it from every Ingress naming the host."""

    locations: tuple[Location, ...]
    regex: bool

    @classmethod
    def of(cls, ingresses: Iterable[dict[str, Any]]) -> Host:
        ingresses = list(ingresses)
        locations = tuple(Location(path["path"], path["backend"]["service"]["name"])
                          for ingress in ingresses for rule in ingress["spec"]["rules"]
                          for path in rule["http"]["paths"])
        # One Ingress asking for regular expressions makes every path of the host one.
        regex = any(ingress["metadata"].get("annotations", {}).get(USE_REGEX) == "true"
                    for ingress in ingresses)
        return cls(locations, regex)

    def service_for(self, path: str) -> str:
        if self.regex:
            # `location ~* "^<path>"` each, written longest path first; nginx takes the first
            # regular expression that matches. A Prefix path's `= <path>` twin is taken as
            # `^<path>` too, the reading that gives recruiting the most paths.
            ordered = sorted(self.locations, key=lambda location: -len(location.path))
            return next(location.service for location in ordered
                        if re.match(location.path, path, re.IGNORECASE))
        # Prefix locations (`<path>/` and `= <path>`): the longest match wins.
        matching = [location for location in self.locations
                    if location.path == "/" or path == location.path.rstrip("/")
                    or path.startswith(location.path.rstrip("/") + "/")]
        return max(matching, key=lambda location: len(location.path)).service


def the_host() -> Host:
    return Host.of(yaml.safe_load((BASE / name).read_text()) for name in INGRESSES)


def sample(path: str) -> str:
    """A request path for a route's path template."""
    return re.sub(r"\{[^}]*\}", str(uuid.uuid4()), path)


def routes_of(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of each route, included routers' too; WS for a socket."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIWebSocketRoute):
            found.add(("WS", str(route.path)))
        elif isinstance(route.original_route, APIRoute | Route):
            found |= {(method, str(route.path)) for method in route.methods or ()}
    return {(method, path) for method, path in found
            if path not in OPERATIONS and not path.startswith(("/docs", "/redoc"))}


@pytest.fixture
def recruiting_routes(tmp_path: Path) -> set[tuple[str, str]]:
    # Building the app opens no connection: an address where nothing listens will do.
    engine = create_async_engine("postgresql+psycopg://jams@127.0.0.1:9/jams",
                                 poolclass=NullPool)
    clock = SystemClock()
    app = recruiting_app(UnitOfWork(engine, clock, "jams/recruiting"),
                         TokenVerifier(SECRET, clock=clock),
                         RecruitingSettings(jwt_secret=SECRET, data_dir=tmp_path))
    return routes_of(app)


@pytest.fixture
async def gateway_routes(database_url: str, redis_url: str,
                         tmp_path: Path) -> AsyncIterator[set[tuple[str, str]]]:
    settings = GatewaySettings(database_url=database_url, redis_url=redis_url,
                               bus_namespace=f"ingress{uuid.uuid4().hex[:8]}",
                               blob_dir=tmp_path / "blobs", data_dir=tmp_path,
                               jwt_secret=SECRET, mail_sink_file=tmp_path / "mail.jsonl",
                               recruiting_url="http://recruiting")
    async with open_platform(settings) as platform:
        spec = build_gateway(platform, settings)
        assert spec.http_app is not None
        yield routes_of(spec.http_app)


def test_every_recruiting_route_reaches_the_recruiting_service_or_the_gateway_forwarding_it(
        recruiting_routes: set[tuple[str, str]], gateway_routes: set[tuple[str, str]]) -> None:
    host = the_host()
    assert host.regex
    assert ("GET", "/api/v1/jobs/{job_id}/candidates") in recruiting_routes
    for method, path in sorted(recruiting_routes):
        if (method, path) in FORWARDED:
            assert host.service_for(sample(path)) == "gateway", (method, path)
            assert (method, path) in gateway_routes, f"the gateway does not forward {method} {path}"
        else:
            assert host.service_for(sample(path)) == "recruiting", (method, path)
    for path in UNLISTED:
        assert host.service_for(sample(path)) == "recruiting", path
    # Whatever the page asks under its own path: its files, its query strings' pages.
    assert host.service_for("/recruiting?company_id=x") == "recruiting"


def test_every_gateway_route_still_reaches_the_gateway(
        gateway_routes: set[tuple[str, str]]) -> None:
    host = the_host()
    assert ("GET", "/api/v1/matches") in gateway_routes  # not taken by /api/v1/match/
    for method, path in sorted(gateway_routes):
        assert host.service_for(sample(path)) == "gateway", (method, path)
    for path in ("/", "/jobs", "/login", "/api/v1/jobs", "/api/v1/jobs?limit=5",
                 "/api/v1/matches/x", "/assets/review.js"):
        assert host.service_for(path) == "gateway", path


def test_the_simulation_follows_nginx_where_regular_expressions_change_the_outcome() -> None:
    plain = Host((Location("/api/v1/match", "recruiting"), Location("/", "gateway")), False)
    assert plain.service_for("/api/v1/matches") == "gateway"
    assert plain.service_for("/api/v1/match/run") == "recruiting"
    regex = Host(plain.locations, True)
    # Anchored at the start only, as `~* "^/api/v1/match"` is.
    assert regex.service_for("/api/v1/matches") == "recruiting"
    assert regex.service_for("/API/V1/MATCH") == "recruiting"

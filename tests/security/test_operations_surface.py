"""The operations surface is not public: probes, metrics and the API docs are on a port of
their own that no Service (so no Ingress path) exposes, and every Valkey the system uses asks
for a password: in Kubernetes, in docker compose, in `make run` and in the dev servers."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import redis
import yaml
from fastapi import FastAPI

from bench.e2e_system import free_port
from infra.api_docs import api_app
from infra.devservices.private import PrivateServers
from infra.ops import operations_app, ops_router
from services.all_in_one import embedded_valkey
from services.catalog import CATALOG

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "deploy" / "k8s" / "base"
OPERATIONS = ("/healthz", "/readyz", "/metrics", "/docs", "/docs/assets/swagger-ui.css",
              "/openapi.json")


def load_check() -> ModuleType:
    """deploy/check.py, the rules `make k8s-check` applies (a script, not a package)."""
    spec = importlib.util.spec_from_file_location("k8s_check", ROOT / "deploy" / "check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


def base_objects() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(BASE.rglob("*.yaml")):
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d and "kind" in d)
    return [d for d in docs if d["kind"] not in ("Kustomization",)]


def settings_env() -> dict[str, str]:
    lines = (BASE / "settings.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


async def get(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        return await client.get(path)


async def test_the_operations_app_takes_probes_metrics_and_docs_off_the_public_app() -> None:
    public = api_app("JAMS gateway")  # /docs from local files, as the services have it

    @public.get("/api/v1/things")
    async def things() -> list[str]:
        return []

    async def fine() -> None:
        return None

    internal = operations_app(public, ops_router({"database": fine}, lambda: True))
    for path in OPERATIONS:
        assert (await get(public, path)).status_code == 404, path
        assert (await get(internal, path)).status_code == 200, path
    assert (await get(public, "/api/v1/things")).status_code == 200
    # The docs still describe the public API, from where they are now served.
    document = (await get(internal, "/openapi.json")).json()
    assert "/api/v1/things" in document["paths"] and "/metrics" not in document["paths"]


def test_every_pod_is_probed_and_scraped_on_its_ops_port_which_no_service_exposes() -> None:
    objects = base_objects()
    deployments = [d for d in objects if d["kind"] == "Deployment"]
    # One per service of the catalog, each probed below.
    assert sorted(d["metadata"]["name"].replace("-", "_") for d in deployments) == sorted(
        entry.name for entry in CATALOG)
    ops_port = int(settings_env()["JAMS_OPS_PORT"])
    for deployment in deployments:
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports["ops"] == ops_port != ports["http"]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"]["port"] == "ops"
    for service in (d for d in objects if d["kind"] == "Service"):
        assert [p["targetPort"] for p in service["spec"]["ports"]] == ["http"]
    ingresses = [d for d in objects if d["kind"] == "Ingress"]
    assert ingresses
    backends = [path["backend"]["service"]["port"]["name"] for ingress in ingresses
                for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    assert set(backends) == {"http"}
    assert list(load_check().workload_rules(objects)) == []


def test_k8s_check_fails_a_service_that_exposes_the_ops_port_or_a_probe_off_it() -> None:
    check = load_check()
    objects = base_objects()
    service = next(d for d in objects if d["kind"] == "Service")
    service["spec"]["ports"].append({"name": "ops", "port": 9000, "targetPort": "ops"})
    deployment = next(d for d in objects if d["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"][
        "port"] = "http"
    problems = "\n".join(check.workload_rules(objects))
    assert f"Service/{service['metadata']['name']}: exposes the 'ops' port" in problems
    assert f"Deployment/{deployment['metadata']['name']}: livenessProbe asks port 'http'" \
        in problems


def test_kubernetes_connects_to_valkey_with_a_password_kept_in_the_secret() -> None:
    assert "JAMS_REDIS_URL" not in settings_env()  # a ConfigMap is no place for a password
    secret = yaml.safe_load((BASE / "secret.yaml").read_text())
    url = urlsplit(secret["stringData"]["JAMS_REDIS_URL"])
    assert url.scheme == "redis" and url.password


def test_compose_runs_valkey_with_a_password_and_publishes_no_ops_port_outside() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    redis_server = services["redis"]
    assert "--requirepass" in redis_server["command"]
    password = redis_server["command"][redis_server["command"].index("--requirepass") + 1]
    assert password.startswith("${JAMS_REDIS_PASSWORD:?")  # no default: it must be set
    env = compose["x-jams-env"]
    assert urlsplit(env["JAMS_REDIS_URL"].replace(password, "pw")).password == "pw"
    assert env["JAMS_OPS_PORT"] == "9000"
    for name, service in services.items():
        for published in service.get("ports", []):
            if published.endswith(":9000"):
                assert published.startswith("127.0.0.1:"), f"{name} publishes {published}"
        health = " ".join(service.get("healthcheck", {}).get("test", []))
        assert ":8000/readyz" not in health, f"{name} probes the API port"


@pytest.fixture
def folder() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="jams-valkey-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def assert_password_required(url: str) -> None:
    with redis.Redis.from_url(url) as client:
        assert client.ping()
    parts = urlsplit(url)
    with redis.Redis(host=parts.hostname or "", port=parts.port or 0) as anonymous, \
            pytest.raises(redis.exceptions.AuthenticationError):
        anonymous.ping()


@pytest.mark.integration
def test_make_runs_embedded_valkey_asks_for_a_password(folder: Path) -> None:
    with embedded_valkey(folder / "valkey") as url:
        assert urlsplit(url).password
        assert_password_required(url)
    with embedded_valkey(folder / "valkey") as again:  # the same one after a restart
        assert urlsplit(again).password == urlsplit(url).password


@pytest.mark.integration
def test_the_dev_servers_valkey_asks_for_a_password(folder: Path) -> None:
    servers = PrivateServers(folder, {"JAMS_DEV_REDIS_PORT": free_port()})
    servers.up("valkey")
    try:
        assert_password_required(servers.env()["JAMS_REDIS_URL"])
    finally:
        servers.down("valkey")

"""`make k8s-check` passes on the real manifests and fails on deliberately broken copies."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "deploy" / "check.py"

# Renders with kustomize and validates with kubeconform, both installed by the check itself.
pytestmark = [pytest.mark.integration, pytest.mark.slow]


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CHECK), *args], capture_output=True,
                          text=True, timeout=600, check=False)


@pytest.fixture
def k8s_copy(tmp_path: Path) -> Path:
    target = tmp_path / "k8s"
    shutil.copytree(ROOT / "deploy" / "k8s", target)
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_the_real_manifests_and_compose_file_pass() -> None:
    result = run_check()
    assert result.returncode == 0, result.stdout + result.stderr
    for target in ("k8s base", "k8s overlays/dev", "k8s overlays/prod",
                   "compose docker-compose.yml", "image Dockerfile"):
        assert f"ok   {target}" in result.stdout
    assert "ScaledObject" in result.stdout, "KEDA's objects are validated, not skipped"
    assert result.stdout.strip().endswith("k8s-check: all valid")


def test_a_field_of_the_wrong_type_in_a_deployment_fails(k8s_copy: Path) -> None:
    replace_in(k8s_copy / "base" / "services" / "gateway.yaml",
               "containerPort: 8000", "containerPort: eight-thousand")
    result = run_check("--only", "k8s", "--k8s-dir", str(k8s_copy))
    assert result.returncode == 1, result.stdout
    assert "FAIL k8s base" in result.stdout
    assert "Deployment/gateway" in result.stdout
    assert "containerPort" in result.stdout


def test_an_unknown_field_in_a_keda_scaled_object_fails(k8s_copy: Path) -> None:
    replace_in(k8s_copy / "base" / "keda-scaledobjects.yaml",
               "  minReplicaCount: 1\n", "  minReplicaCount: 1\n  minReplicas: 1\n")
    result = run_check("--only", "k8s", "--k8s-dir", str(k8s_copy))
    assert result.returncode == 1, result.stdout
    assert "ScaledObject/job-discovery" in result.stdout


def test_a_deployment_without_a_readiness_probe_fails(k8s_copy: Path) -> None:
    path = k8s_copy / "base" / "services" / "workflow.yaml"
    text = path.read_text()
    start = text.index("          readinessProbe:")
    end = text.index("          livenessProbe:")
    path.write_text(text[:start] + text[end:])
    result = run_check("--only", "k8s", "--k8s-dir", str(k8s_copy))
    assert result.returncode == 1, result.stdout
    assert "Deployment/workflow: container workflow lacks readinessProbe" in result.stdout


def test_an_overlay_that_does_not_render_fails(k8s_copy: Path) -> None:
    replace_in(k8s_copy / "overlays" / "prod" / "kustomization.yaml",
               "  - ../../base\n", "  - ../../base\n  - missing.yaml\n")
    result = run_check("--only", "k8s", "--k8s-dir", str(k8s_copy))
    assert result.returncode == 1, result.stdout
    assert "FAIL k8s overlays/prod: does not render" in result.stdout
    assert "ok   k8s overlays/dev" in result.stdout


def test_a_broken_compose_file_fails(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    text = (ROOT / "docker-compose.yml").read_text()
    assert "condition: service_completed_successfully" in text
    broken.write_text(text.replace("condition: service_completed_successfully",
                                   "condition: service_finished", 1))
    result = run_check("--only", "compose", "--compose", str(broken))
    assert result.returncode == 1, result.stdout
    assert "FAIL compose docker-compose.yml" in result.stdout
    assert "service_finished" in result.stdout


def test_compose_depending_on_a_missing_service_fails(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    text = (ROOT / "docker-compose.yml").read_text()
    broken.write_text(text.replace("  workflow:\n        condition: service_healthy",
                                   "  workflw:\n        condition: service_healthy", 1))
    result = run_check("--only", "compose", "--compose", str(broken))
    assert result.returncode == 1, result.stdout
    assert "no service named 'workflw'" in result.stdout


def test_every_service_in_the_catalog_is_deployed_everywhere() -> None:
    """A service added to the catalog but forgotten in compose, Kubernetes or the image fails."""
    import yaml

    from services.catalog import CATALOG

    names = {entry.name for entry in CATALOG}
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert {n for n in names if compose.get(n, {}).get("command") == [n]} == names
    base = ROOT / "deploy" / "k8s" / "base"
    kustomization = (base / "kustomization.yaml").read_text()
    for name in names:
        manifest = base / "services" / f"{name.replace('_', '-')}.yaml"
        assert f'args: ["{name}"]' in manifest.read_text(), name
        assert f"services/{manifest.name}" in kustomization, name
    runner = ROOT / "deploy" / "docker" / "jams-service"
    for name in names:
        shown = subprocess.run([str(runner), "help"], capture_output=True, text=True, check=True)
        assert name in shown.stdout
    unknown = subprocess.run([str(runner), "no_such_service"], capture_output=True, text=True,
                             check=False)
    assert unknown.returncode == 64 and "unknown service" in unknown.stderr


def test_recruiting_and_the_bot_read_one_employer_apply_page_everywhere() -> None:
    """Set apart or not at all, the bot opens the platform's own page in a browser."""
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    pages = {compose[name]["environment"].get("JAMS_EMPLOYER_APPLY_URL")
             for name in ("recruiting", "application_bot")}
    assert pages == {"${JAMS_EMPLOYER_APPLY_URL:-http://localhost:8000/jobs}"}
    base = ROOT / "deploy" / "k8s" / "base"
    settings = dict(line.split("=", 1) for line in (base / "settings.env").read_text().splitlines()
                    if line and not line.startswith("#"))
    ingress = yaml.safe_load((base / "ingress.yaml").read_text())
    [host] = [rule["host"] for rule in ingress["spec"]["rules"]]
    assert settings["JAMS_EMPLOYER_APPLY_URL"] == f"https://{host}/jobs"
    for name in ("recruiting", "application-bot"):
        assert "name: jams-settings" in (base / "services" / f"{name}.yaml").read_text(), name


def test_the_ingress_sends_analytics_and_recruiting_paths_to_them_and_the_rest_to_the_gateway(
) -> None:
    import yaml

    base = ROOT / "deploy" / "k8s" / "base"
    ingress = yaml.safe_load((base / "ingress.yaml").read_text())
    routes = {p["path"]: p["backend"]["service"]["name"]
              for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]}
    recruiting = ("/api/v1/companies", "/api/v1/questionnaires", "/api/v1/interviews",
                  "/api/v1/notes", "/api/v1/links", "/api/v1/match/", "/api/v1/shared",
                  "/shared", "/ws/recruiting", "/recruiting")
    assert routes == {"/api/v1/analytics": "analytics", "/ws/analytics": "analytics",
                      "/operators": "analytics", "/api/v1/dead-letters": "analytics",
                      **dict.fromkeys(recruiting, "recruiting"), "/": "gateway"}
    annotations = ingress["metadata"]["annotations"]
    # WebSockets stay open past nginx's 60 s default.
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
    assert "recruiting" in annotations["nginx.org/websocket-services"].split(",")
    # The routes under a job, by regular expression, on the same host.
    jobs = yaml.safe_load((base / "ingress-recruiting.yaml").read_text())
    assert jobs["metadata"]["annotations"]["nginx.ingress.kubernetes.io/use-regex"] == "true"
    assert [rule["host"] for rule in jobs["spec"]["rules"]] == [
        rule["host"] for rule in ingress["spec"]["rules"]]
    assert {p["backend"]["service"]["name"] for rule in jobs["spec"]["rules"]
            for p in rule["http"]["paths"]} == {"recruiting"}
    # The gateway forwards the job writes whose paths it shares, to the recruiting Service.
    settings = dict(line.split("=", 1) for line in (base / "settings.env").read_text().splitlines()
                    if line and not line.startswith("#"))
    assert settings["JAMS_RECRUITING_URL"] == "http://recruiting"


def test_every_overlay_moves_both_ingresses_to_its_host() -> None:
    import yaml

    for overlay in ("dev", "prod"):
        patches = yaml.safe_load(
            (ROOT / "deploy" / "k8s" / "overlays" / overlay / "kustomization.yaml").read_text())
        hosts = [p for p in patches["patches"] if p["target"]["kind"] == "Ingress"
                 and "/spec/rules/0/host" in p["patch"]]
        assert [p["target"].get("name") for p in hosts] == [None], overlay


@pytest.mark.parametrize(("change", "expected"), [
    (("USER 10001:10001\n", ""), "the final stage runs as root"),
    (("COPY sandbox ./sandbox\n", "COPY sandbox ./sandbox\nCOPY tests ./tests\n"),
     "COPY source 'tests' is excluded by .dockerignore"),
    (("COPY infra ./infra\n", "COPY infra ./infra\nCOPY nowhere ./nowhere\n"),
     "COPY source 'nowhere' does not exist"),
    (("COPY --from=build /opt/jams", "COPY --from=builder /opt/jams"),
     "COPY --from=builder names no earlier stage"),
])
def test_a_broken_dockerfile_fails(tmp_path: Path, change: tuple[str, str],
                                   expected: str) -> None:
    broken = tmp_path / "Dockerfile"
    text = (ROOT / "Dockerfile").read_text()
    assert change[0] in text
    broken.write_text(text.replace(*change))
    result = run_check("--only", "dockerfile", "--dockerfile", str(broken))
    assert result.returncode == 1, result.stdout
    assert expected in result.stdout
    assert "FAIL image Dockerfile" in result.stdout

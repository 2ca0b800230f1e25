"""`make k8s-check`: render every kustomize overlay and validate it, and the compose file.

Kubernetes manifests are validated by kubeconform against the Kubernetes JSON Schemas that
the `kubernetes-validate` package ships (strict: unknown fields fail), and KEDA's
ScaledObject against a schema derived from KEDA's own CRD. docker-compose.yml is validated
against the Compose Specification's JSON Schema. A few rules the schemas cannot express
(probes, resources, references between objects) are checked on the rendered objects too.
With no Docker engine to build it, the Dockerfile is parsed and checked statically:
multi-stage, a non-root final user, an entry point and health check, COPY sources that exist
and that .dockerignore does not drop.

Tools and schemas come from the Go module proxy and PyPI, pinned below, and are cached
under .dev/k8s-check; validation itself needs no network.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".dev" / "k8s-check"
GO_BIN = CACHE / "bin"

KUSTOMIZE = "sigs.k8s.io/kustomize/kustomize/v5@v5.8.1"
KUBECONFORM = "github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0"
KEDA_MODULE = "github.com/kedacore/keda/v2@v2.18.0"
KEDA_CRDS = ("config/crd/bases/keda.sh_scaledobjects.yaml",)
COMPOSE_MODULE = "github.com/compose-spec/compose-go/v2@v2.16.2"
COMPOSE_SCHEMA = "schema/compose-spec.json"
KUBERNETES_VERSION = "v1.33.0"

# Kinds whose pods serve JAMS over HTTP and so must carry all three probes.
SERVING_KINDS = {"Deployment"}
WORKLOAD_KINDS = {"Deployment", "Job", "CronJob"}
# The container port of probes, metrics and the API docs (JAMS_OPS_PORT): never in a Service,
# so nothing an Ingress routes to reaches it.
OPS_PORT = "ops"


class CheckFailed(Exception):
    """A tool or schema could not be obtained; the check cannot say yes."""


@dataclass
class Report:
    """What failed, by target; empty means everything passed."""

    failures: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, target: str, message: str) -> None:
        self.failures.setdefault(target, []).append(message)

    def ok(self) -> bool:
        return not self.failures


def say(text: str) -> None:
    print(text, flush=True)


# ---------------------------------------------------------------- tools and schemas


def _go(*args: str, env: dict[str, str] | None = None) -> str:
    go = shutil.which("go")
    if go is None:
        raise CheckFailed("the `go` command is needed to install kustomize and kubeconform")
    result = subprocess.run([go, *args], cwd=CACHE, env={**os.environ, **(env or {})},
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CheckFailed(f"go {' '.join(args)} failed:\n{result.stderr.strip()}")
    return result.stdout


def tool(module: str) -> Path:
    """The binary of `module`, `go install`ed into the cache once."""
    name = module.split("@")[0].rstrip("/").split("/")[-1]
    if name.startswith("v") and name[1:].isdigit():  # .../kustomize/v5
        name = module.split("@")[0].split("/")[-2]
    binary = GO_BIN / name
    version_stamp = GO_BIN / f"{name}.version"
    if binary.exists() and version_stamp.exists() and version_stamp.read_text() == module:
        return binary
    say(f"  installing {module}")
    GO_BIN.mkdir(parents=True, exist_ok=True)
    _go("install", module, env={"GOBIN": str(GO_BIN), "GOFLAGS": "-mod=mod"})
    version_stamp.write_text(module)
    return binary


def module_dir(module: str) -> Path:
    """Where `go mod download` keeps the pinned module's files (a read-only cache)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    info = json.loads(_go("mod", "download", "-json", module))
    if "Dir" not in info:
        raise CheckFailed(f"go mod download {module}: {info.get('Error', 'no directory')}")
    return Path(info["Dir"])


def kubernetes_schemas() -> Path:
    """The strict Kubernetes schemas, with their `$ref`s made relative for kubeconform."""
    import kubernetes_validate

    target = CACHE / "schemas" / f"{KUBERNETES_VERSION}-strict"
    stamp = target / ".complete"
    if stamp.exists():
        return target
    source = (Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
              / f"{KUBERNETES_VERSION}-local-strict")
    if not source.is_dir():
        raise CheckFailed(f"kubernetes-validate ships no schemas for {KUBERNETES_VERSION}")
    target.mkdir(parents=True, exist_ok=True)
    # The schemas name each other by https://kubernetes.io/api/... ids, which kubeconform
    # would fetch; without the ids, the relative references resolve to the files beside.
    for path in source.glob("*.json"):
        schema = json.loads(path.read_text())
        schema.pop("$id", None)
        text = json.dumps(schema).replace('"/api/_definitions.json#', '"_definitions.json#')
        (target / path.name).write_text(text)
    stamp.write_text(KUBERNETES_VERSION)
    return target


def crd_schemas() -> Path:
    """JSON Schemas for KEDA's kinds, derived from the CRDs of the pinned KEDA release."""
    target = CACHE / "schemas" / "crds"
    stamp = target / ".complete"
    if stamp.exists() and stamp.read_text() == KEDA_MODULE:
        return target
    keda = module_dir(KEDA_MODULE)
    target.mkdir(parents=True, exist_ok=True)
    for crd_path in KEDA_CRDS:
        crd = yaml.safe_load((keda / crd_path).read_text())
        for name, schema in crd_to_json_schemas(crd).items():
            (target / name).write_text(json.dumps(schema, indent=1, sort_keys=True))
    stamp.write_text(KEDA_MODULE)
    return target


def crd_to_json_schemas(crd: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """kubeconform's file name -> strict JSON Schema, one per served version of the CRD."""
    group = crd["spec"]["group"]
    kind = crd["spec"]["names"]["kind"]
    schemas: dict[str, dict[str, Any]] = {}
    for version in crd["spec"]["versions"]:
        schema = _strict(version["schema"]["openAPIV3Schema"])
        schema["properties"]["apiVersion"] = {"type": "string",
                                              "enum": [f"{group}/{version['name']}"]}
        schema["properties"]["kind"] = {"type": "string", "enum": [kind]}
        schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind",
                                     "metadata", "spec"})
        file_name = f"{kind.lower()}-{group.split('.')[0]}-{version['name']}.json"
        schemas[file_name] = schema
    return schemas


def _strict(node: Any) -> Any:
    """Objects with declared properties accept no others (as kubeconform's -strict does)."""
    if isinstance(node, dict):
        out = {key: _strict(value) for key, value in node.items()}
        if out.get("type") == "object" and "properties" in out:
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(node, list):
        return [_strict(item) for item in node]
    return node


def compose_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (module_dir(COMPOSE_MODULE) / COMPOSE_SCHEMA).read_text())
    return schema


# ---------------------------------------------------------------- Kubernetes


def overlays(k8s_dir: Path) -> list[Path]:
    """The base and every overlay: each must render and validate on its own."""
    found = [k8s_dir / "base", *sorted(p for p in (k8s_dir / "overlays").iterdir()
                                        if (p / "kustomization.yaml").exists())]
    return [p for p in found if (p / "kustomization.yaml").exists()]


def check_kubernetes(k8s_dir: Path, report: Report) -> None:
    kustomize, kubeconform = tool(KUSTOMIZE), tool(KUBECONFORM)
    k8s_schemas, crds = kubernetes_schemas(), crd_schemas()
    rendered_dir = CACHE / "rendered"
    rendered_dir.mkdir(parents=True, exist_ok=True)
    for overlay in overlays(k8s_dir):
        target = f"k8s {overlay.relative_to(k8s_dir)}"
        build = subprocess.run([str(kustomize), "build", str(overlay)],
                               capture_output=True, text=True, check=False)
        if build.returncode != 0:
            report.fail(target, f"kustomize build failed: {build.stderr.strip()}")
            say(f"FAIL {target}: does not render")
            continue
        rendered = rendered_dir / f"{overlay.name}.yaml"
        rendered.write_text(build.stdout)
        docs = [d for d in yaml.safe_load_all(build.stdout) if d]
        validate = subprocess.run(
            [str(kubeconform), "-strict", "-summary", "-output", "json",
             "-schema-location", f"{k8s_schemas}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json",
             "-schema-location", f"{crds}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json",
             str(rendered)],
            capture_output=True, text=True, check=False)
        for problem in _kubeconform_problems(validate.stdout, validate.stderr):
            report.fail(target, problem)
        for problem in workload_rules(docs):
            report.fail(target, problem)
        if target in report.failures:
            say(f"FAIL {target}: {len(docs)} objects, {len(report.failures[target])} problem(s)")
        else:
            say(f"ok   {target}: {len(docs)} objects valid ({_kinds(docs)})")


def _kubeconform_problems(stdout: str, stderr: str) -> list[str]:
    try:
        output = json.loads(stdout)
    except json.JSONDecodeError:
        return [f"kubeconform: {stderr.strip() or stdout.strip()}"]
    problems = []
    for resource in output.get("resources") or []:
        if resource.get("status") in ("statusInvalid", "statusError"):
            where = f"{resource.get('kind')}/{resource.get('name')}"
            # `msg` names the deepest failing path; validationErrors often only "/spec".
            message = str(resource.get("msg", "")).split(" failed with ")[-1]
            problems.append(f"{where}: {message}")
    summary = output.get("summary", {})
    if not problems and (summary.get("invalid") or summary.get("errors")):
        problems.append(f"kubeconform: {summary}")
    if not summary.get("valid"):
        problems.append("kubeconform validated nothing")
    return problems


def _kinds(docs: Iterable[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for doc in docs:
        counts[doc["kind"]] = counts.get(doc["kind"], 0) + 1
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))


def _pod_spec(doc: dict[str, Any]) -> dict[str, Any]:
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    result: dict[str, Any] = spec["template"]["spec"]
    return result


def workload_rules(docs: list[dict[str, Any]]) -> Iterator[str]:
    """What the schemas allow but JAMS requires: probes, resources, resolvable names."""
    by_kind: dict[str, set[str]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], set()).add(doc["metadata"]["name"])
    for doc in docs:
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        if doc["kind"] in WORKLOAD_KINDS:
            for container in _pod_spec(doc).get("containers", []):
                resources = container.get("resources", {})
                for part in ("requests", "limits"):
                    if not {"cpu", "memory"} <= set(resources.get(part, {})):
                        yield f"{where}: container {container['name']} lacks cpu/memory {part}"
                if doc["kind"] in SERVING_KINDS:
                    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                        if probe not in container:
                            yield f"{where}: container {container['name']} lacks {probe}"
                    ready = container.get("readinessProbe", {}).get("httpGet", {}).get("path")
                    if ready not in (None, "/readyz"):
                        yield f"{where}: readiness probe should ask /readyz, not {ready}"
                    yield from _ops_port_rules(where, doc, container)
        if doc["kind"] == "Service":
            for port in doc["spec"].get("ports", []):
                if OPS_PORT in (port.get("name"), port.get("targetPort")):
                    yield f"{where}: exposes the {OPS_PORT!r} port (probes, metrics, API docs)"
        if doc["kind"] in ("HorizontalPodAutoscaler", "ScaledObject"):
            ref = doc["spec"]["scaleTargetRef"]["name"]
            if ref not in by_kind.get("Deployment", set()):
                yield f"{where}: scales Deployment {ref!r}, which does not exist"
        if doc["kind"] == "Ingress":
            for rule in doc["spec"].get("rules", []):
                for path in rule.get("http", {}).get("paths", []):
                    backend = path["backend"]["service"]["name"]
                    if backend not in by_kind.get("Service", set()):
                        yield f"{where}: {path['path']} routes to missing Service {backend!r}"


def _ops_port_rules(where: str, doc: dict[str, Any],
                    container: dict[str, Any]) -> Iterator[str]:
    """A container with an operations port is probed and scraped there."""
    ops = [p for p in container.get("ports", []) if p.get("name") == OPS_PORT]
    if not ops:
        return
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        port = container.get(probe, {}).get("httpGet", {}).get("port")
        if port not in (None, OPS_PORT, ops[0]["containerPort"]):
            yield f"{where}: {probe} asks port {port!r}, not the {OPS_PORT!r} port"
    annotations = doc["spec"]["template"]["metadata"].get("annotations", {})
    scraped = annotations.get("prometheus.io/port")
    if scraped is not None and scraped != str(ops[0]["containerPort"]):
        yield f"{where}: metrics scraped on port {scraped}, not the {OPS_PORT!r} port"


# ---------------------------------------------------------------- compose


def check_compose(compose_file: Path, report: Report) -> None:
    target = f"compose {compose_file.name}"
    try:
        doc = yaml.safe_load(compose_file.read_text())
    except yaml.YAMLError as exc:
        report.fail(target, f"not YAML: {exc}")
        say(f"FAIL {target}: not YAML")
        return
    schema = compose_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in error.absolute_path) or "(top)"
        report.fail(target, f"{where}: {error.message[:300]}")
    for problem in compose_rules(doc if isinstance(doc, dict) else {}):
        report.fail(target, problem)
    if target in report.failures:
        say(f"FAIL {target}: {len(report.failures[target])} problem(s)")
    else:
        say(f"ok   {target}: {len(doc.get('services', {}))} services valid "
            "against the Compose Specification")


def compose_rules(doc: dict[str, Any]) -> Iterator[str]:
    """depends_on names real services, and a service_healthy one has a health check."""
    services: dict[str, Any] = doc.get("services") or {}
    for name, service in services.items():
        depends = (service or {}).get("depends_on") or {}
        items = depends.items() if isinstance(depends, dict) else ((d, {}) for d in depends)
        for other, condition in items:
            if other not in services:
                yield f"services.{name}.depends_on: no service named {other!r}"
            elif (condition or {}).get("condition") == "service_healthy" \
                    and "healthcheck" not in (services[other] or {}):
                yield f"services.{name}.depends_on: {other!r} has no healthcheck to wait for"


# ---------------------------------------------------------------- Dockerfile


def check_dockerfile(dockerfile: Path, context: Path, report: Report) -> None:
    """No Docker engine here: parse the file and check what a build would trip over."""
    from dockerfile_parse import DockerfileParser

    target = f"image {dockerfile.name}"
    try:
        instructions = DockerfileParser(path=str(dockerfile)).structure
    except (OSError, ValueError) as exc:
        report.fail(target, f"unreadable: {exc}")
        instructions = []
    for problem in dockerfile_rules(instructions, context):
        report.fail(target, problem)
    if target in report.failures:
        say(f"FAIL {target}: {len(report.failures[target])} problem(s)")
    else:
        stages = sum(1 for i in instructions if i["instruction"] == "FROM")
        say(f"ok   {target}: {stages} stages, non-root, every COPY source in the context")


def dockerfile_rules(instructions: list[dict[str, Any]], context: Path) -> Iterator[str]:
    """Multi-stage, a non-root final user, COPY sources that exist and are not ignored."""
    ignore = _dockerignore(context / ".dockerignore")
    stages: list[str] = []
    final: dict[str, str] = {}
    for item in instructions:
        kind, value = item["instruction"], item["value"]
        where = f"line {item['startline'] + 1}"
        if kind == "FROM":
            words = value.split()
            stages.append(words[2] if len(words) == 3 and words[1].upper() == "AS" else "")
            final = {}
        elif kind in ("USER", "ENTRYPOINT", "HEALTHCHECK"):
            final[kind] = value
        elif kind in ("COPY", "ADD"):
            words = [w for w in value.split() if not w.startswith("--chown")]
            source_stage = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")),
                                None)
            sources = [w for w in words if not w.startswith("--")][:-1]
            if source_stage is not None:
                if source_stage not in stages[:-1]:
                    yield f"{where}: COPY --from={source_stage} names no earlier stage"
                continue
            for source in sources:
                if not (context / source).exists():
                    yield f"{where}: COPY source {source!r} does not exist in the context"
                elif _ignored(source, ignore):
                    yield f"{where}: COPY source {source!r} is excluded by .dockerignore"
    if len(stages) < 2:
        yield "not multi-stage: build tools would ship in the image"
    user = final.get("USER", "root").split(":")[0]
    if user in ("root", "0"):
        yield "the final stage runs as root (no USER, or USER root)"
    for needed in ("ENTRYPOINT", "HEALTHCHECK"):
        if needed not in final:
            yield f"the final stage has no {needed}"


def _dockerignore(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _ignored(source: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern that matches the path or a folder above it wins."""
    parts = source.strip("/").split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        glob = pattern.lstrip("!").strip("/")
        if any(fnmatch.fnmatch(p, glob) or fnmatch.fnmatch(p, glob.removeprefix("**/"))
               for p in prefixes):
            ignored = not negated
    return ignored


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--k8s-dir", type=Path, default=ROOT / "deploy" / "k8s")
    parser.add_argument("--compose", type=Path, default=ROOT / "docker-compose.yml")
    parser.add_argument("--dockerfile", type=Path, default=ROOT / "Dockerfile")
    parser.add_argument("--context", type=Path, default=ROOT, help="the image's build context")
    parser.add_argument("--only", choices=["k8s", "compose", "dockerfile"],
                        help="check just one of them")
    args = parser.parse_args(argv)
    report = Report()
    say("k8s-check: Kubernetes manifests (kustomize + kubeconform), the compose file and "
        "the Dockerfile")
    try:
        if args.only in (None, "k8s"):
            check_kubernetes(args.k8s_dir, report)
        if args.only in (None, "compose"):
            check_compose(args.compose, report)
        if args.only in (None, "dockerfile"):
            check_dockerfile(args.dockerfile, args.context, report)
    except CheckFailed as exc:
        say(f"FAIL cannot check: {exc}")
        return 2
    for target, problems in report.failures.items():
        say(f"\n{target}:")
        for problem in problems:
            say(f"  - {problem}")
    say("k8s-check: all valid" if report.ok() else
        f"k8s-check: {sum(map(len, report.failures.values()))} problem(s)")
    return 0 if report.ok() else 1


if __name__ == "__main__":
    sys.exit(main())

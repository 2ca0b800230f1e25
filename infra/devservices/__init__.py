"""Dev servers without Docker for JAMS; run `python -m infra.devservices up|down|status|env`."""

from __future__ import annotations

from pathlib import Path

from infra.devservices.chromium import Chromium
from infra.devservices.config import DevConfig
from infra.devservices.ferretdb import FerretDB
from infra.devservices.forward_proxy import ForwardProxy
from infra.devservices.imap import Imap
from infra.devservices.kafka import Kafka
from infra.devservices.postgres import Postgres
from infra.devservices.s3 import S3
from infra.devservices.service import Outcome, Service, Status
from infra.devservices.valkey import Valkey

__all__ = [
    "DevConfig",
    "Outcome",
    "Service",
    "Status",
    "all_services",
    "env_values",
    "read_env_file",
    "write_env_file",
]

# Kafka last in listings because it is slowest; `up` starts them all concurrently anyway.
SERVICE_TYPES: tuple[type[Service], ...] = (
    Postgres, Valkey, FerretDB, Kafka, Chromium, S3, ForwardProxy, Imap)


def all_services(cfg: DevConfig) -> list[Service]:
    """One instance of every dev server for this configuration."""
    return [cls(cfg) for cls in SERVICE_TYPES]


def env_values(cfg: DevConfig) -> dict[str, str]:
    """Every JAMS_* variable that points at the dev servers."""
    values: dict[str, str] = {}
    for service in all_services(cfg):
        values.update(service.env())
    return values


def write_env_file(cfg: DevConfig) -> Path:
    """Write KEY=VALUE lines to .dev/services.env atomically; returns its path."""
    path = cfg.env_file
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(f"{k}={v}\n" for k, v in env_values(cfg).items()))
    tmp.replace(path)
    return path


def read_env_file(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines (blank lines and # comments skipped); {} if the file is missing."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values

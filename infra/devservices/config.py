"""Where dev servers keep their state and which loopback ports they use (env-overridable)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# infra/devservices/config.py -> the repository root holds devservices/ (pom, Go wrapper).
REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


def _port(environ: Mapping[str, str], key: str, default: int) -> int:
    """A port from `key`, validated so a typo fails loudly instead of binding somewhere odd."""
    raw = environ.get(key)
    if raw is None or raw == "":
        return default
    port = int(raw)
    if not 0 < port < 65536:
        raise ValueError(f"{key}={raw} is not a TCP port")
    return port


@dataclass(frozen=True)
class DevConfig:
    """Paths and ports shared by every dev server."""

    root: Path
    dev_dir: Path
    kafka_port: int = 19092
    kafka_controller_port: int = 19093
    mongo_port: int = 27018
    redis_port: int = 16379
    chromium_path: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DevConfig:
        """Defaults overridden by JAMS_DEV_* variables (and JAMS_CHROMIUM_PATH)."""
        env = os.environ if environ is None else environ
        dev_dir = Path(env.get("JAMS_DEV_DIR") or REPO_ROOT / ".dev").resolve()
        return cls(
            root=REPO_ROOT,
            dev_dir=dev_dir,
            kafka_port=_port(env, "JAMS_DEV_KAFKA_PORT", 19092),
            kafka_controller_port=_port(env, "JAMS_DEV_KAFKA_CONTROLLER_PORT", 19093),
            mongo_port=_port(env, "JAMS_DEV_MONGO_PORT", 27018),
            redis_port=_port(env, "JAMS_DEV_REDIS_PORT", 16379),
            chromium_path=env.get("JAMS_CHROMIUM_PATH") or None,
        )

    @property
    def env_file(self) -> Path:
        """The KEY=VALUE file that `up` writes for services and tests."""
        return self.dev_dir / "services.env"

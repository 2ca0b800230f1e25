"""Dev servers of one run only: in a folder of their own, on ports of their own, so stopping
and restarting them (outage tests, chaos runs) disturbs no one else."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from infra.devservices.config import REPO_ROOT


@dataclass
class PrivateServers:
    """Driven through the dev-server CLI, each call a fresh process, so no client state
    survives a restart; `ports` holds JAMS_DEV_*_PORT overrides (free ports)."""

    folder: Path
    ports: Mapping[str, int] = field(default_factory=dict)

    def _cli(self, *args: str) -> None:
        env = {**os.environ, "JAMS_DEV_DIR": str(self.folder / ".dev"),
               **{name: str(port) for name, port in self.ports.items()}}
        done = subprocess.run([sys.executable, "-m", "infra.devservices", *args],
                              cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"devservices {' '.join(args)} failed: {done.stdout[-2000:]}")

    def up(self, *names: str) -> None:
        self._cli("up", *names)

    def down(self, *names: str) -> None:
        self._cli("down", *names)

    def env(self) -> dict[str, str]:
        from infra.devservices import read_env_file

        return read_env_file(self.folder / ".dev" / "services.env")

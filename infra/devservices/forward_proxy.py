"""A forwarding HTTP proxy (proxy.py from PyPI) on loopback, as a stand-in for a portal's
upstream proxies; its access log tells which requests and tunnels went through it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from infra.devservices.config import HOST
from infra.devservices.process import check_tcp, spawn
from infra.devservices.service import Service

DEFAULT_PORT = 13128


class ForwardProxy(Service):
    """proxy.py on 127.0.0.1 (JAMS_DEV_FORWARD_PROXY_PORT), one worker, log in .dev/."""

    name = "proxy"
    expect = "proxy"
    ready_timeout = 30.0

    @property
    def port(self) -> int:
        return int(os.environ.get("JAMS_DEV_FORWARD_PROXY_PORT") or DEFAULT_PORT)

    @property
    def access_log(self) -> Path:
        """proxy.py's log: one line per request or tunnel (`CONNECT 1.2.3.4:443 - ...`)."""
        return self.state_dir / "access.log"

    def launch(self) -> subprocess.Popen[bytes]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        return spawn(
            [sys.executable, "-m", "proxy", "--hostname", HOST, "--port", str(self.port),
             "--num-workers", "1", "--num-acceptors", "1", "--log-file", str(self.access_log)],
            log=self.log, pidfile=self.pidfile, cwd=self.state_dir,
        )

    def probe(self) -> None:
        check_tcp(HOST, self.port)

    def env(self) -> dict[str, str]:
        """JAMS_FORWARD_PROXY_URL and JAMS_FORWARD_PROXY_LOG (what went through it)."""
        return {"JAMS_FORWARD_PROXY_URL": f"http://{HOST}:{self.port}",
                "JAMS_FORWARD_PROXY_LOG": str(self.access_log)}

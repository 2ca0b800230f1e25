"""An S3-compatible server for the blob store's S3 adapter: moto's server, bound to loopback."""

from __future__ import annotations

import os
import subprocess
import sys

from infra.devservices.config import HOST
from infra.devservices.process import DevServiceError, spawn
from infra.devservices.service import Service

DEFAULT_PORT = 19000


class S3(Service):
    """moto_server on 127.0.0.1 (in memory: the dev blob store starts empty on each start)."""

    name = "s3"
    expect = "moto"
    ready_timeout = 30.0

    @property
    def port(self) -> int:
        """The HTTP port (JAMS_DEV_S3_PORT overrides it)."""
        return int(os.environ.get("JAMS_DEV_S3_PORT") or DEFAULT_PORT)

    def launch(self) -> subprocess.Popen[bytes]:
        """Start moto's S3 endpoint detached."""
        return spawn(
            [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(self.port)],
            log=self.log, pidfile=self.pidfile, cwd=self.state_dir,
        )

    def probe(self) -> None:
        """An HTTP answer from the endpoint."""
        import httpx

        try:
            response = httpx.get(f"http://{HOST}:{self.port}/", timeout=2)
        except httpx.HTTPError as exc:
            raise DevServiceError(f"S3 endpoint not answering: {exc}") from exc
        if response.status_code >= 500:
            raise DevServiceError(f"S3 endpoint answered {response.status_code}")

    def env(self) -> dict[str, str]:
        """JAMS_S3_URL."""
        return {"JAMS_S3_URL": f"http://{HOST}:{self.port}"}

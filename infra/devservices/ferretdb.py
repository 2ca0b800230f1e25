"""FerretDB v1 (MongoDB wire protocol on SQLite), built once from the Go wrapper in devservices/."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from infra.devservices.config import HOST
from infra.devservices.process import DevServiceError, check_tcp, run_tool, spawn
from infra.devservices.service import Service, timed

_SOURCES = ("main.go", "go.mod", "go.sum")


class FerretDB(Service):
    """FerretDB with the sqlite handler, data under .dev/ferretdb/data."""

    name = "ferretdb"
    expect = "ferretdb"
    ready_timeout = 30.0

    @property
    def port(self) -> int:
        """The MongoDB wire-protocol port."""
        return self.cfg.mongo_port

    @property
    def source_dir(self) -> Path:
        """devservices/ferretdb: the wrapper module that embeds FerretDB."""
        return self.cfg.root / "devservices" / "ferretdb"

    @property
    def binary(self) -> Path:
        """The built server, kept across runs."""
        return self.state_dir / "bin" / "ferretdb"

    @property
    def data_dir(self) -> Path:
        """One SQLite file per MongoDB database."""
        return self.state_dir / "data"

    def _digest(self) -> str:
        h = hashlib.sha256()
        for name in _SOURCES:
            path = self.source_dir / name
            if path.exists():
                h.update(name.encode() + b"\0" + path.read_bytes())
        return h.hexdigest()

    def install(self) -> list[str]:
        """Build the binary unless one built from the same sources is present."""
        digest = self._digest()
        stamp = self.binary.with_name("ferretdb.sha256")
        if self.binary.exists() and stamp.exists() and stamp.read_text().strip() == digest:
            return []
        if shutil.which("go") is None:
            raise DevServiceError("Go 1.24+ is needed to build FerretDB; `go` is not on PATH")
        self.binary.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.binary.with_name(f"ferretdb.tmp-{os.getpid()}")

        def build() -> None:
            # Pure-Go SQLite (modernc): no cgo, so no C toolchain is needed.
            env = {**os.environ, "CGO_ENABLED": "0"}
            run_tool(
                ["go", "build", "-trimpath", "-o", str(tmp), "."],
                log=self.state_dir / "build.log",
                cwd=self.source_dir,
                env=env,
            )
            tmp.replace(self.binary)  # atomic: a half-written binary never runs
            stamp.write_text(digest + "\n")

        return [timed("built", build)]

    def launch(self) -> subprocess.Popen[bytes]:
        """Start FerretDB detached; SIGTERM cancels its context and it exits cleanly."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # The sqlite URL must name an existing directory and end with '/'.
        return spawn(
            [
                str(self.binary),
                "-listen-addr",
                f"{HOST}:{self.port}",
                "-sqlite-url",
                f"file:{self.data_dir}/",
            ],
            log=self.log,
            pidfile=self.pidfile,
            cwd=self.state_dir,
            env={**os.environ, "DO_NOT_TRACK": "true"},
        )

    def probe(self) -> None:
        """A MongoDB `ping` command."""
        from pymongo import MongoClient

        check_tcp(HOST, self.port)
        client: MongoClient[dict[str, object]] = MongoClient(
            self.url, serverSelectionTimeoutMS=2000, connectTimeoutMS=1000
        )
        try:
            client.admin.command("ping")
        finally:
            client.close()

    @property
    def url(self) -> str:
        """The MongoDB URL clients use."""
        return f"mongodb://{HOST}:{self.port}/"

    def env(self) -> dict[str, str]:
        """JAMS_MONGO_URL."""
        return {"JAMS_MONGO_URL": self.url}

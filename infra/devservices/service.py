"""The lifecycle every dev server shares: install, start once, probe until ready, stop."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from infra.devservices.config import HOST, DevConfig
from infra.devservices.process import (
    DevServiceError,
    live_pid,
    port_in_use,
    stop_pid,
    wait_ready,
)


@dataclass
class Outcome:
    """What `up` or `down` did to one server, and how long it took."""

    name: str
    action: str
    seconds: float
    detail: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class Status:
    """One server's state as `status` reports it."""

    name: str
    state: str
    pid: int | None
    address: str
    ready: bool


def timed(label: str, step: Callable[[], None]) -> str:
    """Run `step` and describe how long it took, for the one-line startup report."""
    start = time.monotonic()
    step()
    return f"{label} {time.monotonic() - start:.1f}s"


class Service(ABC):
    """A server started in the background on loopback, tracked by a pid file."""

    name: ClassVar[str]
    # Substring of the server's command line; guards against a recycled pid in a stale pid file.
    expect: ClassVar[str]
    ready_timeout: ClassVar[float] = 30.0
    stop_signal: ClassVar[signal.Signals] = signal.SIGTERM
    stop_timeout: ClassVar[float] = 30.0

    def __init__(self, cfg: DevConfig) -> None:
        self.cfg = cfg

    @property
    def state_dir(self) -> Path:
        """This server's directory under .dev/."""
        return self.cfg.dev_dir / self.name

    @property
    def pidfile(self) -> Path:
        """The pid file `down` and `status` read."""
        return self.state_dir / f"{self.name}.pid"

    @property
    def log(self) -> Path:
        """Where the server's stdout and stderr go."""
        return self.state_dir / f"{self.name}.log"

    @property
    def port(self) -> int | None:
        """The TCP port on 127.0.0.1, or None for a socket-only server."""
        return None

    @property
    def address(self) -> str:
        """A human-readable address for reports."""
        return f"{HOST}:{self.port}"

    @property
    def address_file(self) -> Path:
        """Records the address the running server was started with."""
        return self.state_dir / f"{self.name}.address"

    def install(self) -> list[str]:
        """Fetch or build what is missing; returns notes on what was done."""
        return []

    def prepare(self) -> list[str]:
        """One-time setup before the first start (formatting, config files)."""
        return []

    @abstractmethod
    def launch(self) -> subprocess.Popen[bytes] | None:
        """Start the server in the background; a Popen lets the wait notice an early exit."""

    @abstractmethod
    def probe(self) -> None:
        """One real protocol round-trip; raises unless the server answers."""

    def after_ready(self) -> None:
        """Idempotent setup that needs a running server (databases, extensions)."""
        return None

    @abstractmethod
    def env(self) -> dict[str, str]:
        """The JAMS_* variables that point clients at this server."""

    def running_pid(self) -> int | None:
        """The server's pid when its pid file names a live process."""
        return live_pid(self.pidfile, self.expect)

    def _alive(self, proc: subprocess.Popen[bytes] | None) -> Callable[[], bool]:
        if proc is not None:
            return lambda: proc.poll() is None
        return lambda: self.running_pid() is not None

    def up(self) -> Outcome:
        """Install if needed and start unless already running; blocks until the probe passes."""
        start = time.monotonic()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        notes = self.install()
        pid = self.running_pid()
        if pid is not None:
            started_at = self.address_file.read_text().strip() if self.address_file.exists() else ""
            if started_at and started_at != self.address:
                raise DevServiceError(
                    f"already running on {started_at}, not {self.address}: run `down` first"
                )
            # It may still be starting (a concurrent `up`), so wait rather than trust the pid.
            wait_ready(
                self.probe,
                what=self.name,
                timeout=self.ready_timeout,
                log=self.log,
                alive=self._alive(None),
            )
            action = "already running"
        elif self.port is not None and port_in_use(HOST, self.port):
            try:
                self.probe()
            except Exception as exc:
                raise DevServiceError(
                    f"port {self.port} is taken by another program that is not {self.name}"
                ) from exc
            action = "answering on its port (no pid file; left alone)"
        else:
            notes += self.prepare()
            proc = self.launch()
            wait_ready(
                self.probe,
                what=self.name,
                timeout=self.ready_timeout,
                log=self.log,
                alive=self._alive(proc),
            )
            self.address_file.write_text(self.address + "\n")
            action = "started"
        self.after_ready()
        pid = self.running_pid()  # after_ready may have restarted it (postgres)
        detail = self.address + (f" pid {pid}" if pid is not None else "")
        return Outcome(self.name, action, time.monotonic() - start, detail, notes)

    def down(self) -> Outcome:
        """Stop gracefully (signal, wait, then SIGKILL) using the pid file."""
        start = time.monotonic()
        pid = self.running_pid()
        if pid is None:
            self._forget_pid()
            return Outcome(self.name, "not running", time.monotonic() - start)
        how = stop_pid(pid, sig=self.stop_signal, timeout=self.stop_timeout, expect=self.expect)
        self._forget_pid()
        return Outcome(self.name, how, time.monotonic() - start, f"pid {pid}")

    def _forget_pid(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.pidfile.unlink()

    def status(self) -> Status:
        """Pid-file state plus a single probe."""
        pid = self.running_pid()
        try:
            self.probe()
            ready = True
        except Exception:  # a failed probe is a state to report, not an error
            ready = False
        if pid is not None:
            state = "running" if ready else "not answering"
        else:
            state = "answering (no pid file)" if ready else "stopped"
        return Status(self.name, state, pid, self.address, ready)

"""Process plumbing for dev servers: pid files, detached spawns, readiness waits, stops."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO


class DevServiceError(RuntimeError):
    """A dev server could not be installed, started, probed or stopped."""


@contextlib.contextmanager
def exclusive(lockfile: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive flock so two `up`/`down` runs never start the same server twice."""
    lockfile.parent.mkdir(parents=True, exist_ok=True)
    with lockfile.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def tail(path: Path, lines: int = 25) -> str:
    """The last `lines` lines of a log file, or a note that it is missing."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.rstrip().splitlines()[-lines:])


def read_pid(pidfile: Path) -> int | None:
    """The pid on the first line of `pidfile`, or None when absent or unreadable."""
    try:
        first = pidfile.read_text().split("\n", 1)[0].strip()
        return int(first)
    except (OSError, ValueError):
        return None


def write_pid(pidfile: Path, pid: int) -> None:
    """Write `pid` atomically so a concurrent reader never sees a half-written file."""
    tmp = pidfile.with_name(pidfile.name + ".tmp")
    tmp.write_text(f"{pid}\n")
    tmp.replace(pidfile)


def is_alive(pid: int, expect: str | None = None) -> bool:
    """True when `pid` runs, is not a zombie, and (if given) its command line contains `expect`."""
    proc = Path(f"/proc/{pid}")
    if not Path("/proc/self").exists():
        # No procfs (macOS): fall back to signal 0, which cannot see zombies or pid reuse.
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        stat = (proc / "stat").read_text()
        cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    # The state letter follows the parenthesised command name, which may itself contain spaces.
    state = stat.rsplit(")", 1)[-1].split()[0]
    if state in ("Z", "X"):
        return False
    # A recycled pid after a reboot would otherwise make a stale pid file look alive.
    return expect is None or expect in cmdline


def live_pid(pidfile: Path, expect: str | None = None) -> int | None:
    """The pid from `pidfile` when that process is alive and matches `expect`."""
    pid = read_pid(pidfile)
    if pid is None or not is_alive(pid, expect):
        return None
    return pid


def port_in_use(host: str, port: int) -> bool:
    """True when something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def check_tcp(host: str, port: int, timeout: float = 1.0) -> None:
    """Raise OSError unless host:port accepts a TCP connection (a cheap pre-probe)."""
    with socket.create_connection((host, port), timeout=timeout):
        pass


def _start(argv: Sequence[str], out: IO[bytes], *, cwd: Path | None,
           env: Mapping[str, str] | None, detached: bool) -> subprocess.Popen[bytes]:
    """A child with no input, writing its output and errors to `out`."""
    return subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=subprocess.STDOUT,
        cwd=cwd,
        env=None if env is None else dict(env),
        start_new_session=detached,
    )


def spawn(
    argv: Sequence[str],
    *,
    log: Path,
    pidfile: Path | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start `argv` detached (own session, output to `log`) so it outlives this process."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        # Its own session: no SIGHUP/SIGINT from the terminal that ran `up`.
        proc = _start(argv, out, cwd=cwd, env=env, detached=True)
    if pidfile is not None:
        write_pid(pidfile, proc.pid)
    return proc


def run_tool(
    argv: Sequence[str],
    *,
    log: Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 900.0,
) -> None:
    """Run an install/format step to completion, keeping its output in `log` for diagnosis."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        try:
            proc = _start(argv, out, cwd=cwd, env=env, detached=False)
        except FileNotFoundError as exc:
            raise DevServiceError(f"{argv[0]} is not installed or not on PATH") from exc
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            proc.kill()
            proc.wait()
            raise DevServiceError(f"{argv[0]} ran past {timeout:.0f}s; see {log}") from exc
    if rc != 0:
        raise DevServiceError(f"{' '.join(argv[:3])} … exited {rc}:\n{tail(log)}")


def wait_ready(
    probe: Callable[[], None],
    *,
    what: str,
    timeout: float,
    alive: Callable[[], bool] | None = None,
    log: Path | None = None,
) -> float:
    """Call `probe` until it stops raising; fail fast if `alive` turns False. Returns seconds."""
    start = time.monotonic()
    deadline = start + timeout
    delay = 0.05
    last: BaseException | None = None
    while True:
        try:
            probe()
            return time.monotonic() - start
        except Exception as exc:  # any probe failure just means "not ready yet"
            last = exc
        if alive is not None and not alive():
            detail = f"\n{tail(log)}" if log is not None else ""
            raise DevServiceError(f"{what} exited during startup{detail}")
        if time.monotonic() >= deadline:
            detail = f"\n{tail(log)}" if log is not None else ""
            raise DevServiceError(
                f"{what} not ready after {timeout:.0f}s (last probe: {last!r}){detail}"
            )
        # Short first retries catch fast servers; backing off keeps probes cheap for slow ones.
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)


def stop_pid(
    pid: int, *, sig: signal.Signals = signal.SIGTERM, timeout: float = 30.0, expect: str | None
) -> str:
    """Send `sig`, wait up to `timeout`, then SIGKILL. Returns "stopped", "killed" or "gone"."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return "gone"
    deadline = time.monotonic() + timeout
    delay = 0.02
    while time.monotonic() < deadline:
        if not is_alive(pid, expect):
            return "stopped"
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and is_alive(pid, expect):
        time.sleep(0.05)
    return "killed"


def apt_install(packages: list[str], state_dir: Path) -> None:
    """`apt-get install` as root, logging beside the server's state; refreshes the index once."""
    log = state_dir / "apt.log"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", *packages]
    try:
        run_tool(install, log=log, env=env)
    except DevServiceError:
        # A fresh machine often has an empty package index: refresh once and retry.
        run_tool(["apt-get", "update"], log=state_dir / "apt-update.log", env=env)
        run_tool(install, log=log, env=env)

"""CPU time of process trees and of the whole machine, read from /proc (Linux)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")
# The dev servers' processes, by the name the kernel keeps for them.
SERVER_COMMANDS = frozenset({"postgres", "java", "ferretdb", "valkey-server", "redis-server"})


@dataclass(frozen=True)
class ProcessTimes:
    pid: int
    ppid: int
    command: str
    cpu_s: float  # user + system of the process and of the children it has waited for


def _parse_stat(text: str) -> tuple[int, str, int, float]:
    # The command sits in parentheses and may hold spaces: split after its closing one.
    head, _, rest = text.rpartition(")")
    pid_text, _, command = head.partition(" (")
    fields = rest.split()
    ppid = int(fields[1])
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return int(pid_text), command, ppid, (utime + stime + cutime + cstime) * TICK_S


def process_table() -> dict[int, ProcessTimes]:
    """Every process now, with its CPU seconds; those that end while read are skipped."""
    table = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            pid, command, ppid, cpu_s = _parse_stat((entry / "stat").read_text())
        except (OSError, ValueError, IndexError):
            continue
        table[pid] = ProcessTimes(pid, ppid, command, cpu_s)
    return table


def main_thread_cpu_s(pid: int) -> float:
    """CPU seconds of a process's first thread: an asyncio service's event loop."""
    try:
        text = (PROC / str(pid) / "task" / str(pid) / "stat").read_text()
    except OSError:
        return 0.0
    fields = text.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) * TICK_S


def tree(table: Mapping[int, ProcessTimes], root: int) -> list[int]:
    """`root` and every process below it."""
    children: dict[int, list[int]] = {}
    for proc in table.values():
        children.setdefault(proc.ppid, []).append(proc.pid)
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        if pid in table:
            found.append(pid)
            stack.extend(children.get(pid, ()))
    return found


def tree_cpu_s(table: Mapping[int, ProcessTimes], root: int) -> float:
    return sum(table[pid].cpu_s for pid in tree(table, root))


def servers_cpu_s(table: Mapping[int, ProcessTimes], database: str) -> float:
    """The dev servers' processes (Kafka, FerretDB, Valkey, PostgreSQL's own) and the
    PostgreSQL backends serving `database`: others' sessions on the shared server are not
    counted."""
    return sum(p.cpu_s for p in table.values()
               if p.command in SERVER_COMMANDS
               and (p.command != "postgres" or serves(postgres_title(p.pid), database)))


def postgres_title(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(
            "utf-8", "replace").strip()
    except OSError:
        return ""


def serves(title: str, database: str) -> bool:
    """Whether a PostgreSQL process works for `database`: a client backend's title is
    "postgres: USER DATABASE CLIENT ACTIVITY", the server's own processes name no client."""
    words = title.split()
    is_backend = len(words) >= 4 and words[0] == "postgres:" and (
        words[3] == "[local]" or "(" in words[3])
    return not is_backend or words[2] == database


def machine_busy_s() -> tuple[float, float]:
    """(busy CPU seconds, all CPU seconds) of the machine since boot, every core summed."""
    fields = [int(v) for v in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal
    idle = fields[3] + fields[4]
    return (total - idle) * TICK_S, total * TICK_S

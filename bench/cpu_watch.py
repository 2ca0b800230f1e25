"""Where a running system's CPU goes: each service's process tree (its Chromium included), its
event-loop thread, the portal, this bench process, the dev servers (of PostgreSQL, the
backends of the run's database only) and the whole machine, sampled while the system works;
and its database's table sizes at the end."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from bench.e2e_system import ManagedProcess, System
from bench.proc_cpu import (
    ProcessTimes,
    machine_busy_s,
    main_thread_cpu_s,
    process_table,
    servers_cpu_s,
    tree_cpu_s,
)

PORTAL, BENCH, SERVERS, OTHER = "portal", "bench", "servers", "other"


@dataclass(frozen=True)
class Sample:
    at: float  # epoch seconds, the clock of the bench's event times
    cpu_s: Mapping[str, float]  # cumulative, by part
    loop_s: Mapping[str, float]  # cumulative, each process's event-loop (first) thread
    busy_s: float  # the whole machine


@dataclass
class CpuWatch:
    interval_s: float = 0.5
    samples: list[Sample] = field(default_factory=list)
    database: str = ""
    table_bytes: dict[str, int] = field(default_factory=dict)
    # A service started again keeps counting from where its last process stopped.
    _pids: dict[str, int] = field(default_factory=dict)
    _carried: dict[str, tuple[float, float]] = field(default_factory=dict)
    _last: dict[str, tuple[float, float]] = field(default_factory=dict)

    @contextlib.asynccontextmanager
    async def observing(self, system: System, database_url: str) -> AsyncIterator[CpuWatch]:
        self.database = sa.engine.make_url(database_url).database or ""
        sampler = asyncio.create_task(self._sample(system))
        try:
            yield self
        finally:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
            self._take(system)
            self.table_bytes = await asyncio.to_thread(table_sizes, database_url)

    async def _sample(self, system: System) -> None:
        while True:
            self._take(system)
            await asyncio.sleep(self.interval_s)

    def _take(self, system: System) -> None:
        table = process_table()
        cpu: dict[str, float] = {}
        loop: dict[str, float] = {}
        for name, process in {**system.services, PORTAL: system.portal}.items():
            cpu[name], loop[name] = self._service(table, name, process)
        # This process alone: the services are its children, counted once they are waited for.
        own = os.times()
        cpu[BENCH] = own.user + own.system
        cpu[SERVERS] = servers_cpu_s(table, self.database)
        self.samples.append(Sample(time.time(), cpu, loop, machine_busy_s()[0]))

    def _service(self, table: Mapping[int, ProcessTimes], name: str,
                 service: ManagedProcess) -> tuple[float, float]:
        if service.process is None:
            return self._carried.get(name, (0.0, 0.0))
        pid = service.process.pid
        if self._pids.get(name, pid) != pid:
            carried, last = self._carried.get(name, (0.0, 0.0)), self._last[name]
            self._carried[name] = (carried[0] + last[0], carried[1] + last[1])
        self._pids[name] = pid
        if pid in table:
            self._last[name] = (tree_cpu_s(table, pid), main_thread_cpu_s(pid))
        # A process that has exited keeps what it had used when last seen.
        now = self._last.get(name, (0.0, 0.0))
        carried = self._carried.get(name, (0.0, 0.0))
        return carried[0] + now[0], carried[1] + now[1]


def _at(samples: Sequence[Sample], moment: float, read: str, part: str = "") -> float:
    """A cumulative figure at `moment`, between the samples either side of it."""
    def value(sample: Sample) -> float:
        if read == "busy":
            return sample.busy_s
        figures = sample.cpu_s if read == "cpu" else sample.loop_s
        return figures.get(part, 0.0)

    before = max((s for s in samples if s.at <= moment), key=lambda s: s.at, default=samples[0])
    after = min((s for s in samples if s.at >= moment), key=lambda s: s.at, default=samples[-1])
    if after.at <= before.at:
        return value(before)
    share = (moment - before.at) / (after.at - before.at)
    return value(before) + share * (value(after) - value(before))


@dataclass(frozen=True)
class WindowCpu:
    cpu_s: dict[str, float]  # by part, OTHER being what the machine did for anyone else
    loop_s: dict[str, float]


def window_cpu(samples: Sequence[Sample], start: float, end: float) -> WindowCpu:
    """What each part used between `start` and `end`."""
    parts = {part for sample in samples for part in sample.cpu_s}
    loops = {part for sample in samples for part in sample.loop_s}
    cpu = {part: _at(samples, end, "cpu", part) - _at(samples, start, "cpu", part)
           for part in sorted(parts)}
    busy = _at(samples, end, "busy") - _at(samples, start, "busy")
    cpu[OTHER] = max(0.0, busy - sum(cpu.values()))
    loop = {part: _at(samples, end, "loop", part) - _at(samples, start, "loop", part)
            for part in sorted(loops)}
    return WindowCpu(cpu, loop)


def table_sizes(database_url: str) -> dict[str, int]:
    """Bytes of every table of the database, its indexes and TOAST included."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema')")).all()
    finally:
        engine.dispose()
    return {str(name): int(size) for name, size in rows}

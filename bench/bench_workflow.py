"""Workflow benchmark on real Kafka, PostgreSQL and Valkey, with the gateway and the workflow
each in its own process:

- reviewers: concurrent reviewer WebSockets one gateway process holds (each answers a
  heartbeat);
- assign_p99_ms: ManualReviewRequired consumed by the workflow → `task_offered` read on the
  reviewer's socket (publish → socket is reported too), against a baseline in the same run:
  a push through the same Redis fan-out and socket alone;
- timer_lateness_p99_ms: 10,000 assigned tasks with deadlines staggered over a window, fired by
  the durable timer worker (revoke, strike, re-queue), against asyncio's own timers as baseline;
- lost_tasks and double_assignments: decisions without exactly one offer, tasks offered twice,
  reviewers offered two tasks, timers that never fired.

Progress on stderr; the last stdout line is one JSON object."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from pydantic import SecretStr
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from websockets.asyncio.client import ClientConnection, connect

from bench.e2e_system import ManagedProcess, free_port
from infra.auth import Role, mint_access_token
from infra.bus import codec
from infra.bus.port import InboundRecord
from infra.clock import SystemClock
from infra.db import create_engine
from infra.migrate import upgrade
from infra.outbox import outbox
from infra.presence import ValkeyPresence
from infra.runtime import open_platform
from infra.settings import CommonSettings
from infra.uow import UnitOfWork
from schemas.events import topics
from schemas.events.envelope import Envelope
from schemas.events.matching import ManualReviewRequired
from schemas.events.registry import parse_data
from schemas.events.review import ReviewTaskCreated, ReviewTaskMissed
from services.gateway.adapters.fanout import RedisFanout
from services.workflow.assignment import Assigner
from services.workflow.domain import SlaPolicy, TaskState, new_task, task_id_for
from services.workflow.lifecycle import Lifecycle
from services.workflow.repository import _row_of
from services.workflow.tables import review_tasks, review_timers
from services.workflow.timer_worker import TimerWorker
from services.workflow.timers import TimerKind
from tests.servers import load_dev_env, scratch_database

ROOT = Path(__file__).resolve().parents[1]
LOG_DIR = ROOT / ".dev" / "bench-logs"
console = Console(stderr=True)


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")


@contextmanager
def service(name: str, env: dict[str, str]) -> Iterator[int]:
    """`python -m services.NAME` on a free port until the block ends."""
    port = free_port()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    child = ManagedProcess(name, [sys.executable, "-m", f"services.{name}"],
                           {**env, "JAMS_HTTP_PORT": str(port)}, LOG_DIR / f"{name}-{port}.log",
                           port)
    with child.running():
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if not child.alive or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not become ready: {child.tail()}")
            time.sleep(0.2)
        yield port


class Reviewer:
    """One reviewer's socket; records when each offer arrived."""

    def __init__(self, reviewer_id: uuid.UUID, ws: ClientConnection) -> None:
        self.reviewer_id = reviewer_id
        self.ws = ws
        self.offers: dict[str, float] = {}
        self.offers_wall: dict[str, float] = {}
        self.probes: dict[str, float] = {}
        self.acked = asyncio.Event()
        self.listener: asyncio.Task[None] | None = None

    async def listen(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "task_offered":
                    self.offers.setdefault(message["task_id"], time.perf_counter())
                    self.offers_wall.setdefault(message["task_id"], time.time())
                elif kind == "probe":
                    self.probes.setdefault(message["id"], time.perf_counter())
                elif kind == "ack":
                    self.acked.set()
        except Exception:  # closed at the end of the run
            return


async def connect_all(port: int, tokens: dict[uuid.UUID, str]) -> list[Reviewer]:
    reviewers: list[Reviewer] = []
    with Progress(console=console, transient=True) as bar:
        job = bar.add_task("reviewers connecting", total=len(tokens))
        sem = asyncio.Semaphore(50)

        async def one(rid: uuid.UUID, token: str) -> None:
            async with sem:
                ws = await connect(f"ws://127.0.0.1:{port}/ws/reviewers/{rid}?access_token={token}",
                                   max_queue=None, open_timeout=60)
                reviewer = Reviewer(rid, ws)
                reviewer.listener = asyncio.create_task(reviewer.listen())
                await ws.send(json.dumps({"type": "heartbeat"}))
                await asyncio.wait_for(reviewer.acked.wait(), 60)
                reviewers.append(reviewer)
                bar.advance(job)

        await asyncio.gather(*(one(r, t) for r, t in tokens.items()))
    return reviewers


def decision() -> ManualReviewRequired:
    return ManualReviewRequired(
        match_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(), score=80.0,
        resume_version_id=uuid.uuid4(), apply_url="https://jobs.example/b", job_title="Bench")


async def assignment_phase(opts: argparse.Namespace, database_url: str) -> dict[str, Any]:
    namespace = f"benchwf{uuid.uuid4().hex[:8]}"
    # Reviewers authenticate with access tokens signed by the gateway's secret.
    secret = SecretStr(uuid.uuid4().hex + uuid.uuid4().hex)
    tokens = {rid: mint_access_token(secret, rid, Role.REVIEWER, ttl_s=3600)
              for rid in (uuid.uuid4() for _ in range(opts.reviewers))}
    env = {
        **os.environ, "JAMS_BUS": "kafka", "JAMS_BUS_NAMESPACE": namespace,
        "JAMS_DATABASE_URL": database_url, "JAMS_PRESENCE_NAMESPACE": namespace,
        "JAMS_JWT_SECRET": secret.get_secret_value(),
        "JAMS_PRESENCE_TTL_S": "3600", "JAMS_LOG_LEVEL": "WARNING",
        "JAMS_BLOB_DIR": str(ROOT / ".dev" / "bench-blobs"),
    }
    settings = CommonSettings(bus="kafka", bus_namespace=namespace, database_url=database_url)
    async with open_platform(settings) as platform:
        with service("workflow", env), service("gateway", env) as gateway_port:
            reviewers = await connect_all(gateway_port, tokens)
            held = len(reviewers)
            console.print(f"{held} reviewer sockets held by one gateway process")
            by_id = {r.reviewer_id: r for r in reviewers}
            await asyncio.sleep(2)  # presence events settle

            # Baseline: a push through the same fan-out and socket, no bus and no database.
            fanout = RedisFanout(platform.redis, namespace, deliver=_nowhere)
            sample = reviewers[: opts.decisions]
            sent: dict[str, float] = {}
            for reviewer in sample:
                probe = uuid.uuid4().hex
                sent[probe] = time.perf_counter()
                await fanout.push(reviewer.reviewer_id, {"type": "probe", "id": probe})
                await asyncio.sleep(1 / opts.rate)
            await asyncio.sleep(1)
            baseline = [(r.probes[p] - sent[p]) * 1000 for r in sample for p in r.probes
                        if p in sent]

            published: dict[str, float] = {}
            with Progress(console=console, transient=True) as bar:
                job = bar.add_task("decisions", total=opts.decisions)
                for _ in range(opts.decisions):
                    event = decision()
                    published[str(task_id_for(event.match_id))] = time.perf_counter()
                    await platform.bus.publish(Envelope.wrap(event, source="jams/bench",
                                                             time=datetime.now(UTC)))
                    bar.advance(job)
                    await asyncio.sleep(1 / opts.rate)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and sum(
                    len(r.offers) for r in reviewers) < len(published):
                await asyncio.sleep(0.2)
            from_publish = [(at - published[tid]) * 1000 for r in reviewers
                            for tid, at in r.offers.items() if tid in published]
            offers_per_task = Counter(tid for r in reviewers for tid in r.offers)
            per_reviewer = [len(r.offers) for r in by_id.values()]
            for reviewer in reviewers:
                await reviewer.ws.close()
        async with platform.engine.connect() as conn:
            states = Counter(s for (s,) in await conn.execute(sa.select(review_tasks.c.state)))
            consumed = await consumed_at(conn)
    # From the workflow consuming the decision (its ReviewTaskCreated, staged in the same
    # transaction) to the offer read on the socket; one machine, one wall clock.
    latencies = [(at - consumed[tid]) * 1000 for r in reviewers
                 for tid, at in r.offers_wall.items() if tid in consumed]
    lost = sum(1 for tid in published if offers_per_task.get(tid, 0) == 0)
    double = sum(1 for n in offers_per_task.values() if n > 1) + sum(
        1 for n in per_reviewer if n > 1)
    return {"reviewers": held, "assign_p99_ms": round(p99(latencies), 1),
            "assign_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "publish_to_socket_p99_ms": round(p99(from_publish), 1),
            "baseline_push_p99_ms": round(p99(baseline), 1), "assign_lost": lost,
            "assign_double": double, "task_states": dict(states)}


async def consumed_at(conn: Any) -> dict[str, float]:
    """When the workflow handled each decision: its ReviewTaskCreated's staging time."""
    found: dict[str, float] = {}
    for row in await conn.execute(sa.select(outbox).where(outbox.c.topic == topics.REVIEW_TASKS)):
        record = InboundRecord(row.topic, 0, row.id, row.key, row.value,
                               tuple((k, v.encode()) for k, v in row.headers))
        data = parse_data(codec.decode(record))
        if isinstance(data, ReviewTaskCreated):
            found[str(data.task_id)] = row.created_at.timestamp()
    return found


async def _nowhere(reviewer_id: uuid.UUID, message: dict[str, Any]) -> None:
    return None


async def timer_phase(opts: argparse.Namespace, database_url: str) -> dict[str, Any]:
    """10,000 assigned tasks, deadlines staggered over a window, fired by the timer worker."""
    count, window = opts.timers, opts.window_s
    settings = CommonSettings(bus="embedded", database_url=database_url)
    async with open_platform(settings) as platform:
        clock = SystemClock()
        start = clock.now() + timedelta(seconds=opts.lead_s)  # the replicas boot meanwhile
        rows, timers = [], []
        for n in range(count):
            task = new_task(decision(), clock.now())
            due = start + timedelta(seconds=window * n / count)
            rows.append({"task_id": task.task_id, **_row_of(task), "state":
                         TaskState.ASSIGNED.value, "reviewer_id": uuid.uuid4(), "slot": 0,
                         "assigned_at": clock.now(), "due_at": due, "warned": True})
            timers.append({"task_id": task.task_id, "kind": TimerKind.DEADLINE.value,
                           "fire_at": due, "revision": 0})
        async with platform.engine.begin() as conn:
            for i in range(0, count, 2000):
                await conn.execute(review_tasks.insert(), rows[i:i + 2000])
                await conn.execute(review_timers.insert(), timers[i:i + 2000])
        stop = asyncio.Event()
        replicas = ExitStack()
        engines: list[Any] = []
        if opts.replica_processes:
            # Whole workflow processes (consumers and outbox relay included) racing.
            namespace = f"benchtimers{uuid.uuid4().hex[:6]}"
            env = {**os.environ, "JAMS_BUS": "kafka", "JAMS_BUS_NAMESPACE": namespace,
                   "JAMS_DATABASE_URL": database_url, "JAMS_PRESENCE_NAMESPACE": namespace,
                   "JAMS_TIMER_POLL_S": str(opts.poll_s), "JAMS_TIMER_BATCH": str(opts.batch),
                   "JAMS_LOG_LEVEL": "WARNING",
                   "JAMS_BLOB_DIR": str(ROOT / ".dev" / "bench-blobs")}
            for _ in range(opts.replicas):
                replicas.enter_context(service("workflow", env))
            running: list[asyncio.Task[None]] = []
        else:
            # Timer workers on separate connection pools racing for the same rows.
            nobody = ValkeyPresence(platform.redis, f"benchnobody{uuid.uuid4().hex[:6]}")
            lifecycle = Lifecycle(Assigner(nobody, SlaPolicy(), timedelta(seconds=45)))
            running = []
            for _ in range(opts.replicas):
                engine = create_engine(database_url)
                engines.append(engine)
                worker = TimerWorker(UnitOfWork(engine, clock, "jams/workflow"), lifecycle,
                                     clock, opts.poll_s, opts.batch)
                running.append(asyncio.create_task(worker.run(stop)))
        baseline_task = asyncio.create_task(asyncio_baseline(count, window, start))
        with replicas, Progress(console=console, transient=True) as bar:
            job = bar.add_task("timers firing", total=count)
            async with platform.engine.connect() as conn:
                while True:
                    left = await conn.scalar(sa.select(sa.func.count()).select_from(
                        review_timers))
                    await conn.commit()
                    bar.update(job, completed=count - (left or 0))
                    if not left or (clock.now() - start).total_seconds() > window + 60:
                        break
                    await asyncio.sleep(0.5)
            stop.set()
            await asyncio.gather(*running)
        for engine in engines:
            await engine.dispose()
        baseline = await baseline_task
        async with platform.engine.connect() as conn:
            due_at = {t["task_id"]: t["fire_at"] for t in timers}
            fired = []
            for row in await conn.execute(sa.select(outbox).where(
                    outbox.c.topic == topics.REVIEW_TASKS)):
                record = InboundRecord(row.topic, 0, row.id, row.key, row.value,
                                       tuple((k, v.encode()) for k, v in row.headers))
                data = parse_data(codec.decode(record))
                if isinstance(data, ReviewTaskMissed):
                    fired.append((row.created_at, due_at[data.task_id]))
            unfired = await conn.scalar(sa.select(sa.func.count()).select_from(review_timers))
            missed_states = await conn.scalar(sa.select(sa.func.count()).select_from(
                review_tasks).where(review_tasks.c.state == "queued"))
    lateness = [(created - due).total_seconds() * 1000 for created, due in fired]
    return {"timer_lateness_p99_ms": round(p99(lateness), 1),
            "timer_lateness_p50_ms": round(statistics.median(lateness), 1) if lateness else None,
            "baseline_asyncio_timer_p99_ms": round(p99(baseline), 1),
            "timers_fired": len(lateness), "timers_unfired": unfired,
            "tasks_requeued": missed_states}


async def asyncio_baseline(count: int, window: float, start: datetime) -> list[float]:
    """Lateness of plain in-memory asyncio timers on the same schedule (no durability)."""
    late: list[float] = []
    loop = asyncio.get_running_loop()
    now = datetime.now(UTC)
    base = loop.time() + (start - now).total_seconds()
    done = asyncio.Event()

    def fire(at: float) -> None:
        late.append((loop.time() - at) * 1000)
        if len(late) == count:
            done.set()

    for n in range(count):
        at = base + window * n / count
        loop.call_at(at, fire, at)
    await done.wait()
    return late


async def main(opts: argparse.Namespace) -> dict[str, Any]:
    load_dev_env()
    admin = os.environ.get("JAMS_DATABASE_URL")
    if not admin or not os.environ.get("JAMS_KAFKA_BOOTSTRAP"):
        raise SystemExit("no dev servers: run `make services-up`")
    assignment: dict[str, Any] = {"reviewers": 0, "assign_p99_ms": None, "assign_lost": 0,
                                  "assign_double": 0, "baseline_push_p99_ms": None,
                                  "assign_p50_ms": None, "publish_to_socket_p99_ms": None}
    if not opts.timers_only:
        with scratch_database(admin) as database_url:
            await asyncio.to_thread(upgrade, database_url)
            assignment = await assignment_phase(opts, database_url)
    with scratch_database(admin) as database_url:
        await asyncio.to_thread(upgrade, database_url)
        timers = await timer_phase(opts, database_url)
    result = {
        "reviewers": assignment["reviewers"],
        "assign_p99_ms": assignment["assign_p99_ms"],
        "timer_lateness_p99_ms": timers["timer_lateness_p99_ms"],
        "lost_tasks": assignment["assign_lost"] + timers["timers_unfired"],
        "double_assignments": assignment["assign_double"],
        "baseline_push_p99_ms": assignment["baseline_push_p99_ms"],
        "baseline_asyncio_timer_p99_ms": timers["baseline_asyncio_timer_p99_ms"],
        "assign_p50_ms": assignment["assign_p50_ms"],
        "publish_to_socket_p99_ms": assignment["publish_to_socket_p99_ms"],
        "timer_lateness_p50_ms": timers["timer_lateness_p50_ms"],
        "timers": opts.timers, "decisions": opts.decisions,
    }
    table = Table(title="workflow benchmark")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in {**assignment, **timers}.items():
        table.add_row(key, str(value))
    console.print(table)
    return result


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reviewers", type=int, default=1000)
    p.add_argument("--decisions", type=int, default=300)
    p.add_argument("--rate", type=float, default=10.0, help="decisions per second")
    p.add_argument("--timers", type=int, default=10_000)
    p.add_argument("--window-s", type=float, default=60.0, help="deadlines spread over this")
    p.add_argument("--poll-s", type=float, default=0.2)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--replicas", type=int, default=2, help="timer workers racing")
    p.add_argument("--timers-only", action="store_true", help="skip the socket phases")
    p.add_argument("--replica-processes", action="store_true",
                   help="fire timers in whole workflow processes instead of bare workers")
    p.add_argument("--lead-s", type=float, default=5.0, help="first deadline after setup")
    return p.parse_args()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(parse_args()))))

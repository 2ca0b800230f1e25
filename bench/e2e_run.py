"""One end-to-end run: servers, a fresh database and namespace, the system, simulated reviewers,
a watcher on the bus, a progress bar; then the checks and the throughput figures."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import math
import secrets
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.e2e_checks import Findings, check, settled, task_states
from bench.e2e_reviewers import ReviewerStats, run_reviewers
from bench.e2e_system import (
    ROOT,
    Servers,
    System,
    build_system,
    reviewer_tokens,
    submissions,
    wait_for_candidates,
)
from bench.e2e_watch import Tally, Watcher
from infra.chromium import find_chromium
from infra.devservices import read_env_file
from infra.migrate import upgrade
from sandbox.generator import World, generate
from tests.servers import scratch_database

console = Console(stderr=True)
Chaos = Callable[[System, Servers], Coroutine[Any, Any, int]]
# Watches a run from before its services start to after they stop, given the system and its
# database's URL (the database is still there when it exits).
Observer = Callable[[System, str], contextlib.AbstractAsyncContextManager[object]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=int, default=1000, help="job posts the portal serves")
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--duplicate-share", type=float, default=0.3,
                        help="share of posts that repeat a job on a second board")
    parser.add_argument("--reviewers", type=int, default=10, help="simulated reviewers")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-embeddings", action="store_true",
                        help="score without the embedding model (the encode ceiling is then "
                             "not what bounds the run)")
    parser.add_argument("--timeout-s", type=float, default=3600,
                        help="report what the run has after this long (from its start)")
    parser.add_argument("--stall-s", type=float, default=300,
                        help="give up when nothing new has happened for this long")
    parser.add_argument("--ats-replicas", type=int, default=1, choices=range(1, 9), metavar="1-8",
                        help="ATS engine members of its consumer group (jobs are scored side "
                             "by side; the topic's partitions bound how many get work)")
    parser.add_argument("--ats-processes", type=int, default=0, choices=range(0, 9),
                        metavar="0-8", help="processes the ATS members run in, each with one "
                        "model its members share (0: one process a member)")
    parser.add_argument("--keep", action="store_true", help="keep the run folder (logs)")
    parser.add_argument("--paced-at-half", action="store_true",
                        help="after the burst, run again with the posts going live at half the "
                             "throughput the burst measured, and report that run's decision "
                             "latency (paced_decision_p99_s)")


@dataclass
class RunResult:
    world: World
    tally: Tally
    findings: Findings
    reviewer_stats: ReviewerStats
    outcome: str  # settled, stalled or timeout

    @property
    def settled(self) -> bool:
        return self.outcome == "settled"
    elapsed_s: float
    faults: int
    self_exits: int


def dev_servers() -> Servers:
    env = read_env_file(ROOT / ".dev" / "services.env")
    missing = [k for k in ("JAMS_DATABASE_URL", "JAMS_KAFKA_BOOTSTRAP", "JAMS_REDIS_URL",
                           "JAMS_MONGO_URL") if not env.get(k)]
    if missing:
        raise SystemExit(f"{', '.join(missing)} unknown: run `make services-up`")
    return Servers(env["JAMS_DATABASE_URL"], env["JAMS_KAFKA_BOOTSTRAP"], env["JAMS_REDIS_URL"],
                   env["JAMS_MONGO_URL"],
                   env.get("JAMS_CHROMIUM_PATH") or find_chromium())


@contextlib.contextmanager
def run_folder(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="jams-e2e-"))
    try:
        yield path
    finally:
        if keep:
            console.print(f"run folder kept: {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


@contextlib.asynccontextmanager
async def running(system: System, database_url: str, candidates: int,
                  embedded: bool, deadline: float) -> AsyncIterator[System]:
    """Everything up; job discovery last, once the ATS engine has every candidate (or half
    the run's time has gone: then the jobs meet an engine still taking candidates in)."""
    try:
        await system.start(hold=("job_discovery",))
        patience = max(60.0, (deadline - time.monotonic()) / 2)
        if not await wait_for_candidates(database_url, candidates, embedded=embedded,
                                         timeout_s=patience):
            console.print(f"[red]the ATS engine took in fewer than {candidates} candidates in "
                          f"{patience:.0f}s; starting job discovery anyway")
        await system.release("job_discovery")
        yield system
    finally:
        await asyncio.to_thread(system.stop)


async def execute(args: argparse.Namespace, servers: Servers,
                  chaos: Chaos | None = None, observe: Observer | None = None) -> RunResult:
    """The whole run on `servers`; `chaos` (if any) runs beside it and counts its faults;
    `observe` (if any) watches the system while it works."""
    # The watcher's Kafka client narrates every broker restart; the bar says what matters.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    world = generate(args.jobs, args.candidates, duplicate_share=args.duplicate_share,
                     seed=args.seed)
    namespace = f"e2e{uuid.uuid4().hex[:10]}"
    jwt_secret = secrets.token_urlsafe(32)
    reviewers = reviewer_tokens(args.reviewers, args.seed, jwt_secret)
    with run_folder(args.keep) as folder, scratch_database(servers.database_url) as db_url:
        servers = Servers(db_url, servers.kafka_bootstrap, servers.redis_url,
                          servers.mongo_url, servers.chromium_path)
        with console.status("migrating a fresh database"):
            await asyncio.to_thread(upgrade, db_url)
        system = build_system(servers=servers, world=world, run_dir=folder,
                              namespace=namespace, jobs=args.jobs, candidates=args.candidates,
                              duplicate_share=args.duplicate_share, seed=args.seed,
                              reviewers=reviewers, jwt_secret=jwt_secret,
                              embeddings=not args.no_embeddings,
                              ats_replicas=args.ats_replicas,
                              ats_processes=args.ats_processes,
                              release_per_s=getattr(args, "release_per_s", None))
        watcher = Watcher(servers.kafka_bootstrap, namespace)
        stats = ReviewerStats()
        stop = asyncio.Event()
        started = time.monotonic()
        deadline = started + args.timeout_s
        await watcher.start()
        try:
            with console.status(f"starting the portal and {len(system.services)} services "
                                f"(namespace {namespace})"):
                async with (observe or _unobserved)(system, db_url), \
                        running(system, db_url, args.candidates, not args.no_embeddings,
                                deadline):
                    faults = 0
                    chaos_task: asyncio.Task[int] | None = \
                        asyncio.create_task(chaos(system, servers)) if chaos else None
                    keeper = asyncio.create_task(system.supervise(
                        lambda line: console.print(f"[red]{line}")))
                    crowd = asyncio.create_task(run_reviewers(
                        system.gateway_port, reviewers,
                        lambda t: t in watcher.tally.completed or t in watcher.tally.rejected,
                        stop, stats))
                    try:
                        done = await _progress(args, world, watcher, system, chaos_task,
                                               deadline)
                    finally:
                        stop.set()
                        keeper.cancel()
                        await asyncio.wait_for(crowd, 30)
                        if chaos_task is not None:
                            faults = await _finish(chaos_task)
                    await asyncio.sleep(2)  # room for a wrong extra application to show up
                    sent = await asyncio.to_thread(submissions, system.portal_url)
                    await asyncio.sleep(1)
            states = await asyncio.to_thread(task_states, db_url)
        finally:
            await watcher.close()
        findings = check(world, watcher.tally, sent, states)
        if findings.lost or findings.duplicates:
            args.keep = True
        return RunResult(world, watcher.tally, findings, stats, done,
                         time.monotonic() - started, faults, system.self_exits)


def _unobserved(system: System,
                database_url: str) -> contextlib.AbstractAsyncContextManager[object]:
    return contextlib.nullcontext()


async def _finish(chaos_task: asyncio.Task[int]) -> int:
    """The faults the chaos script injected; a script that failed is reported, not hidden."""
    if not chaos_task.done():
        chaos_task.cancel()
    try:
        return await chaos_task
    except asyncio.CancelledError:
        return 0
    except Exception as exc:  # the run's own figures still say what happened
        console.print(f"[red]the fault script failed: {exc!r}")
        return -1


async def _progress(args: argparse.Namespace, world: World, watcher: Watcher, system: System,
                    chaos_task: asyncio.Task[int] | None, deadline: float) -> str:
    """Draw progress until everything has settled, the run stalls, or its time is up."""
    tally = watcher.tally
    pairs = len(world.jobs) * args.candidates
    columns = (TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        jobs = bar.add_task("jobs published", total=len(world.jobs))
        decided = bar.add_task("decisions (job x cand.)", total=pairs)
        reviews = bar.add_task("review tasks closed", total=1)
        applied = bar.add_task("applications", total=1)
        portal_count = 0
        last_change, last_seen = time.monotonic(), (-1, -1, -1, -1)
        while True:
            await asyncio.sleep(2)
            with contextlib.suppress(Exception):
                portal_count = len(await asyncio.to_thread(submissions, system.portal_url))
            wanted = len(tally.to_apply())
            bar.update(jobs, completed=len(tally.published))
            bar.update(decided, completed=tally.decided_pairs)
            bar.update(reviews, completed=tally.terminal_tasks,
                       total=max(1, len(tally.review_required)))
            bar.update(applied, completed=portal_count, total=max(1, wanted))
            seen = (len(tally.published), tally.decided_pairs, tally.terminal_tasks, portal_count)
            if seen != last_seen:
                last_change, last_seen = time.monotonic(), seen
            chaos_running = chaos_task is not None and not chaos_task.done()
            if not chaos_running and settled(world, tally, args.candidates, portal_count):
                return "settled"
            if time.monotonic() > deadline:
                console.print("[red]time is up with work still in flight; reporting what it has "
                              "(`lost` then counts unfinished work too)")
                return "timeout"
            if not chaos_running and time.monotonic() - last_change > args.stall_s:
                console.print("[red]the run stopped making progress; reporting what it has")
                return "stalled"


def decided_jobs(tally: Tally, candidates: int) -> set[uuid.UUID]:
    """Published jobs decided for every candidate."""
    return {job_id for job_id in tally.published
            if tally.decided_per_job.get(job_id, 0) >= candidates}


def decision_window(tally: Tally, jobs: set[uuid.UUID]) -> tuple[float, float]:
    """From the first raw job in to the last decision of `jobs` out (event times)."""
    return min(tally.first_in.values()), max(tally.decided_at[job_id] for job_id in jobs)


def posts_of(world: World, tally: Tally, jobs: set[uuid.UUID]) -> int:
    """How many raw job posts those jobs came from (a job posted twice counts twice)."""
    keys = {tally.published[job_id].key for job_id in jobs}
    return sum(1 for key in world.canonical.values() if key in keys)


def throughput(world: World, tally: Tally, candidates: int) -> dict[str, Any]:
    """Raw jobs in per second, from the first job in to the last decision out, counting the
    posts of jobs decided for every candidate; and each such job's in-to-decision time."""
    done = decided_jobs(tally, candidates)
    latencies = sorted(tally.decided_at[job_id] - tally.first_in[tally.published[job_id].key]
                       for job_id in done if tally.published[job_id].key in tally.first_in)
    if not latencies:
        return {"jobs_per_s": 0.0, "decision_p99_s": None, "window_s": 0.0, "decided_posts": 0,
                "stages": {}}
    start, end = decision_window(tally, done)
    p99 = latencies[min(len(latencies) - 1, math.ceil(0.99 * len(latencies)) - 1)]
    window = max(end - start, 1e-9)
    decided_posts = posts_of(world, tally, done)
    return {"jobs_per_s": round(decided_posts / window, 3), "decision_p99_s": round(p99, 2),
            "window_s": round(window, 1), "decided_posts": decided_posts,
            "stages": stages(tally, done)}


def stages(tally: Tally, jobs: set[uuid.UUID]) -> dict[str, float]:
    """Where a job's time goes: raw job in to published (discovery and deduplication), and
    published to its last decision (the ATS engine, queueing included); p50 and p99."""
    spans: dict[str, list[float]] = {"in_to_published": [], "published_to_decided": []}
    for job_id in jobs:
        job = tally.published[job_id]
        published = tally.published_at.get(job_id)
        if published is None or job.key not in tally.first_in:
            continue
        spans["in_to_published"].append(published - tally.first_in[job.key])
        spans["published_to_decided"].append(tally.decided_at[job_id] - published)
    figures = {}
    for name, values in spans.items():
        values.sort()
        for q in (50, 99):
            if values:
                index = min(len(values) - 1, math.ceil(q / 100 * len(values)) - 1)
                figures[f"{name}_p{q}_s"] = round(values[index], 2)
    return figures


def encode_bound(world: World, tally: Tally, candidates: int) -> dict[str, Any]:
    """The embedding model alone on the text of the same decided jobs, chunked as the ATS
    engine chunks them ([title, *chunks], each distinct text once): raw jobs per second."""
    # Imported here: loading torch takes seconds and the model is only needed at the end.
    from services.ats_engine.embeddings import Embedder, load_encoder
    from services.ats_engine.engine import Engine
    from services.ats_engine.skills import default_taxonomy

    done = decided_jobs(tally, candidates)
    if not done:
        return {"encode_bound_jobs_per_s": 0.0, "encode_s": 0.0, "encode_device": "none"}
    engine = Engine(default_taxonomy())
    texts = []
    for job_id in done:
        job = tally.published[job_id]
        requirements = engine.parse_job(job.title, job.description, job.location)
        texts.extend([requirements.title, *requirements.chunks])
    encoder, device = load_encoder()
    encoder.encode(texts[:64], batch_size=64, normalize_embeddings=True)  # warm up
    embedder = Embedder(encoder)
    began = time.perf_counter()
    embedder.embed(texts)
    seconds = max(time.perf_counter() - began, 1e-9)
    return {"encode_bound_jobs_per_s": round(posts_of(world, tally, done) / seconds, 3),
            "encode_s": round(seconds, 2), "encode_device": device}


def summary(args: argparse.Namespace, result: RunResult) -> dict[str, Any]:
    """The figures, the counters and the breakdown of any loss or duplicate."""
    speed = throughput(result.world, result.tally, args.candidates)
    ceiling = encode_bound(result.world, result.tally, args.candidates)
    ratio = speed["jobs_per_s"] / ceiling["encode_bound_jobs_per_s"] \
        if ceiling["encode_bound_jobs_per_s"] else 0.0
    findings = result.findings
    return {
        "jobs": len(result.world.posts), "unique_jobs": len(result.world.jobs),
        "candidates": args.candidates, "embeddings": not args.no_embeddings,
        "ats_replicas": args.ats_replicas, "ats_processes": args.ats_processes,
        "settled": result.settled, "outcome": result.outcome,
        "elapsed_s": round(result.elapsed_s, 1),
        "window_s": speed["window_s"], "decided_posts": speed["decided_posts"],
        "encode_s": ceiling["encode_s"], "encode_device": ceiling["encode_device"],
        "dead_letters": result.tally.dead_letters,
        "reviewer_reconnects": result.reviewer_stats.reconnects,
        "self_exits": result.self_exits,
        "stages": speed["stages"],
        "breakdown": findings.breakdown(),
        "jobs_per_s": speed["jobs_per_s"],
        "encode_bound_jobs_per_s": ceiling["encode_bound_jobs_per_s"],
        "e2e_ratio": round(ratio, 3),
        "decision_p99_s": speed["decision_p99_s"],
        "applications": findings.applications,
        "reviews": findings.reviews,
        "duplicates": findings.duplicates,
        "lost": findings.lost,
    }

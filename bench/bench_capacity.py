"""The capacity model against the real services: `python -m bench.bench_capacity`.

The whole system, as bench-e2e runs it (every service its own process on the real Kafka,
PostgreSQL, FerretDB and Valkey, the bot applying in Chromium, simulated reviewers), takes a
burst of --base-jobs posts for --candidates candidates, then two and four times as many posts.
While each load runs, the CPU of every part is read from /proc. The first load calibrates the
capacity model (bench/capacity_model.py): each part's CPU seconds per post, each service's
event-loop seconds per post, and a post's lead time through the idle pipeline. The model then
forecasts every load's throughput and decision p99 on the cores left to the system, printed
beside the measurement with the relative error. The last stdout line is one JSON object;
`within_bound` says whether every forecast of a load the model was not calibrated on is within
--error-bound of the measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.table import Table

from bench.capacity_model import Calibration, calibrate, forecast_burst, relative_error
from bench.cpu_watch import BENCH, OTHER, PORTAL, SERVERS, CpuWatch, window_cpu
from bench.e2e_run import (
    RunResult,
    add_arguments,
    console,
    decided_jobs,
    decision_window,
    dev_servers,
    execute,
    throughput,
)
from sandbox.generator import World
from services.ats_engine.engine import Engine
from services.ats_engine.skills import default_taxonomy
from services.job_discovery.html_text import html_to_text

# Tables that grow by decision: the match tables, and the outbox, whose MatchesScored events
# carry every pair. Every other table grows by post.
DECISION_TABLE_MARKS = ("match", "outbox")


@dataclass(frozen=True)
class LoadRun:
    load: int
    posts: int
    unique_jobs: int
    decisions: int
    outcome: str
    duplicates: int
    lost: int
    window_s: float
    jobs_per_s: float
    decision_p99_s: float
    lead_s: float
    intake_s: float  # first job in to the last job in
    cpu_s: dict[str, float]
    loop_s: dict[str, float]
    table_bytes: dict[str, int]

    @property
    def other_cores(self) -> float:
        """Cores the machine spent on anything but this run, on average over its window."""
        return self.cpu_s[OTHER] / self.window_s

    def system_cpu_s(self) -> dict[str, float]:
        return {part: s for part, s in self.cpu_s.items() if part != OTHER}


def measured(load: int, result: RunResult, watch: CpuWatch, candidates: int) -> LoadRun:
    tally = result.tally
    done = decided_jobs(tally, candidates)
    speed = throughput(result.world, tally, candidates)
    if not done:
        raise SystemExit(f"load {load}x decided no job ({result.outcome}); see the log above")
    start, end = decision_window(tally, done)
    lead = min(tally.decided_at[job_id] - tally.first_in[tally.published[job_id].key]
               for job_id in done if tally.published[job_id].key in tally.first_in)
    used = window_cpu(watch.samples, start, end)
    return LoadRun(load, len(result.world.posts), len(result.world.jobs), tally.decided_pairs,
                   result.outcome, result.findings.duplicates, result.findings.lost,
                   end - start, speed["jobs_per_s"], speed["decision_p99_s"], lead,
                   max(tally.first_in.values()) - start,
                   used.cpu_s, used.loop_s, dict(watch.table_bytes))


def calibration_of(run: LoadRun, cores: float) -> Calibration:
    return calibrate(run.system_cpu_s(), run.loop_s, run.posts, run.lead_s, run.window_s,
                     available(cores, run), run.intake_s, run.unique_jobs)


def available(cores: float, run: LoadRun) -> float:
    """The cores the run had: the machine's, less what anything else kept busy meanwhile."""
    return max(0.1, cores - run.other_cores)


def compared(run: LoadRun, calibration: Calibration, cores: float) -> dict[str, Any]:
    """One load: the measurement, the model's forecast on the cores left to the run, and
    their relative errors."""
    forecast = forecast_burst(calibration, run.posts, run.unique_jobs, available(cores, run))
    busy = sum(run.system_cpu_s().values()) / (available(cores, run)
                                               * max(run.window_s - run.lead_s, 1e-9))
    return {
        "load": run.load, "posts": run.posts, "unique_jobs": run.unique_jobs,
        "decisions": run.decisions, "outcome": run.outcome,
        "duplicates": run.duplicates, "lost": run.lost,
        "measured": {"jobs_per_s": run.jobs_per_s, "decision_p99_s": run.decision_p99_s,
                     "window_s": round(run.window_s, 2), "intake_s": round(run.intake_s, 2)},
        "model": {"jobs_per_s": round(forecast.jobs_per_s, 3),
                  "decision_p99_s": round(forecast.decision_p99_s, 2),
                  "window_s": round(forecast.window_s, 2),
                  "bottleneck": forecast.bottleneck},
        "error": {"jobs_per_s": round(relative_error(run.jobs_per_s, forecast.jobs_per_s), 3),
                  "decision_p99_s": round(relative_error(run.decision_p99_s,
                                                         forecast.decision_p99_s), 3)},
        "other_cores": round(run.other_cores, 3), "busy_share": round(busy, 3),
        "cpu_s_per_post": {part: round(s / run.posts, 4) for part, s in run.cpu_s.items()},
        "loop_s_per_post": {part: round(s / run.posts, 4) for part, s in run.loop_s.items()},
    }


def plan_inputs(runs: Sequence[LoadRun], parse_job_cpu_s: float) -> dict[str, float]:
    """The figures the production plan takes from this bench (capacity_model.Measured):
    CPU per post pooled over every load; database bytes from the growth between the smallest
    and the largest load, so that the empty tables' own size drops out."""
    posts = sum(run.posts for run in runs)

    def pooled(parts: set[str]) -> float:
        return sum(s for run in runs for part, s in run.cpu_s.items() if part in parts) / posts

    services = {part for run in runs for part in run.cpu_s} - {OTHER, PORTAL, BENCH, SERVERS}
    ats = {part for part in services if part.startswith("ats_engine")}
    rest = (services - ats - {p for p in services if p.startswith("application_bot")}) \
        | {SERVERS}
    small, large = runs[0], runs[-1]

    def grown(by_decision: bool) -> float:
        def size(run: LoadRun) -> int:
            return sum(b for name, b in run.table_bytes.items()
                       if any(mark in name for mark in DECISION_TABLE_MARKS) == by_decision)
        units = (large.decisions - small.decisions) if by_decision \
            else (large.posts - small.posts)
        return (size(large) - size(small)) / units if units else 0.0

    return {"ats_cpu_s_per_post": round(pooled(ats), 4),
            "rest_cpu_s_per_post": round(pooled(rest), 4),
            "parse_job_cpu_s": round(parse_job_cpu_s, 4),
            "db_bytes_per_decision": round(grown(True), 1),
            "db_bytes_per_post": round(grown(False), 1)}


def parse_job_cpu_s(world: World, limit: int = 100) -> float:
    """CPU seconds of the ATS engine's parse of one job post, as the pipeline hands it over."""
    engine = Engine(default_taxonomy())
    jobs = [(job.title, html_to_text(job.content_html()), job.location)
            for job in world.jobs[:limit]]
    engine.parse_job(*jobs[0])
    started = time.process_time()
    for job in jobs:
        engine.parse_job(*job)
    return (time.process_time() - started) / len(jobs)


def print_table(loads: list[dict[str, Any]]) -> None:
    table = Table(title="bench-capacity: measured | model (relative error)")
    for column in ("load", "posts", "jobs/s measured", "jobs/s model", "error",
                   "p99 s measured", "p99 s model", "error", "bottleneck"):
        table.add_column(column, justify="right")
    for row in loads:
        m, f, e = row["measured"], row["model"], row["error"]
        table.add_row(f"{row['load']}\u00d7", str(row["posts"]), str(m["jobs_per_s"]),
                      str(f["jobs_per_s"]), f"{e['jobs_per_s']:+.1%}",
                      str(m["decision_p99_s"]), str(f["decision_p99_s"]),
                      f"{e['decision_p99_s']:+.1%}", f["bottleneck"])
    console.print(table)


def run_load(load: int, options: argparse.Namespace) -> tuple[LoadRun, RunResult]:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args([
        "--jobs", str(options.base_jobs * load), "--candidates", str(options.candidates),
        "--seed", str(options.seed), "--timeout-s", str(options.timeout_s),
        "--stall-s", str(options.stall_s)])
    watch = CpuWatch()
    console.rule(f"load {load}\u00d7: {args.jobs} posts, {args.candidates} candidates")
    result = asyncio.run(execute(args, dev_servers(), observe=watch.observing))
    return measured(load, result, watch, args.candidates), result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_capacity", description=__doc__)
    parser.add_argument("--base-jobs", type=int, default=60, help="posts of the 1\u00d7 load")
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--loads", default="1,2,4", help="multiples of the base load; the "
                        "first calibrates the model")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--error-bound", type=float, default=0.25,
                        help="largest relative error the model is held to")
    parser.add_argument("--timeout-s", type=float, default=600, help="per load")
    parser.add_argument("--stall-s", type=float, default=180, help="per load")
    options = parser.parse_args(argv)
    loads = [int(value) for value in options.loads.split(",")]
    cores = float(len(os.sched_getaffinity(0)))
    runs: list[LoadRun] = []
    last: RunResult | None = None
    for load in loads:
        run, last = run_load(load, options)
        runs.append(run)
    assert last is not None
    calibration = calibration_of(runs[0], cores)
    rows = [compared(run, calibration, cores) for run in runs]
    print_table(rows)
    checked = [abs(v) for row in rows[1:] for v in row["error"].values()]
    figures = {
        "cores": cores, "base_jobs": options.base_jobs, "candidates": options.candidates,
        "calibrated_on": f"{loads[0]}x", "lead_s": round(calibration.lead_s, 2),
        "busy_share": round(calibration.busy_share, 3),
        "intake_s_per_job": round(calibration.intake_s_per_job, 3),
        "error_bound": options.error_bound,
        "max_abs_error": round(max(checked), 3) if checked else None,
        "within_bound": bool(checked) and max(checked) <= options.error_bound,
        "settled": all(run.outcome == "settled" for run in runs),
        "duplicates": sum(run.duplicates for run in runs), "lost": sum(run.lost for run in runs),
        "plan_inputs": plan_inputs(runs, parse_job_cpu_s(last.world)),
        "loads": rows,
    }
    print(json.dumps(figures), flush=True)
    return 0 if figures["settled"] and not figures["duplicates"] and not figures["lost"] else 1


if __name__ == "__main__":
    sys.exit(main())

"""The whole system under load: `python -m bench.bench_e2e [--jobs N --candidates N]`.

Every service runs in its own process (`python -m services.<name>`) on the real Kafka,
PostgreSQL, FerretDB and Valkey of `make services-up`, with a fresh database and bus namespace.
The sandbox portal serves generated job posts across many boards (30% of them a job posted a
second time); candidates are seeded as the ATS engine seeds them; the bot applies in Chromium
against the portal; simulated reviewers accept and complete review tasks over the gateway's
WebSocket. The embedding model runs in the ATS engine (JAMS_EMBEDDINGS=true), so the model alone
on the same jobs' text, measured after the run in this process, is the ceiling the run is
compared with. Progress on stderr; the last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence

from rich.table import Table

from bench.cpu_watch import CpuWatch
from bench.e2e_cpu import cpu_figures
from bench.e2e_run import (
    RunResult,
    add_arguments,
    console,
    dev_servers,
    execute,
    summary,
    throughput,
)


def print_table(title: str, figures: dict[str, object]) -> None:
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    nested = ("stages", "breakdown", "paced_stages", "cpu_s_per_post")
    for name, value in figures.items():
        if name not in nested:
            table.add_row(name, str(value))
    for group in nested:
        for name, value in dict(figures.get(group) or {}).items():  # type: ignore[call-overload]
            table.add_row(f"  {group}: {name}", str(value))
    console.print(table)


def clean(figures: dict[str, object], result: RunResult) -> bool:
    """The run settled with nothing lost and nothing done twice."""
    return result.settled and figures["lost"] == 0 and figures["duplicates"] == 0


def report(title: str, figures: dict[str, object], ok: bool) -> int:
    print_table(title, figures)
    print(json.dumps(figures), flush=True)
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_e2e", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    servers = dev_servers()
    watch = CpuWatch()
    result = asyncio.run(execute(args, servers, observe=watch.observing))
    with console.status("measuring the embedding model alone on the same jobs"):
        figures = summary(args, result)
    figures |= cpu_figures(result.tally, result.world, watch.samples, args.candidates,
                           figures["encode_bound_jobs_per_s"])
    if not args.paced_at_half:
        return report("bench-e2e", figures, clean(figures, result))
    print_table("bench-e2e (burst)", figures)
    paced_args = argparse.Namespace(**vars(args), release_per_s=figures["jobs_per_s"] / 2)
    if not paced_args.release_per_s:
        console.print("[red]the burst decided no job: no capacity to pace at")
        print(json.dumps(figures), flush=True)
        return 1
    console.print(f"paced run: posts going live at {paced_args.release_per_s:.3f}/s")
    paced = asyncio.run(execute(paced_args, servers))
    paced_run = paced_figures(paced_args, paced)
    ok = clean(figures, result) and paced.settled and paced_run["paced_lost"] == 0 \
        and paced_run["paced_duplicates"] == 0
    return report("bench-e2e (burst, then paced at half)", figures | paced_run, ok)


def paced_figures(args: argparse.Namespace, result: RunResult) -> dict[str, object]:
    """The paced run's figures, named apart from the burst's."""
    speed = throughput(result.world, result.tally, args.candidates)
    return {"paced_release_per_s": round(args.release_per_s, 3),
            "paced_outcome": result.outcome,
            "paced_jobs_per_s": speed["jobs_per_s"],
            "paced_decision_p99_s": speed["decision_p99_s"],
            "paced_stages": speed["stages"],
            "paced_duplicates": result.findings.duplicates,
            "paced_lost": result.findings.lost}


if __name__ == "__main__":
    sys.exit(main())

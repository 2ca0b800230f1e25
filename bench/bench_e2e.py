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

from bench.e2e_run import RunResult, add_arguments, console, dev_servers, execute, summary


def print_table(title: str, figures: dict[str, object]) -> None:
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    nested = ("stages", "breakdown")
    for name, value in figures.items():
        if name not in nested:
            table.add_row(name, str(value))
    for group in nested:
        for name, value in dict(figures.get(group) or {}).items():  # type: ignore[call-overload]
            table.add_row(f"  {group}: {name}", str(value))
    console.print(table)


def report(title: str, figures: dict[str, object], result: RunResult) -> int:
    print_table(title, figures)
    print(json.dumps(figures), flush=True)
    return 0 if result.settled and figures["lost"] == 0 and figures["duplicates"] == 0 else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_e2e", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    result = asyncio.run(execute(args, dev_servers()))
    with console.status("measuring the embedding model alone on the same jobs"):
        figures = summary(args, result)
    return report("bench-e2e", figures, result)


if __name__ == "__main__":
    sys.exit(main())

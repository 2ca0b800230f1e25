"""The `jams` command: run the system, migrate, inspect and replay dead letters."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from infra.bus.deadletters import count_dead_letters, list_dead_letters, replay_dead_letters
from infra.bus.port import Transport
from infra.logging import configure_logging
from infra.runtime import make_transport
from infra.settings import CommonSettings
from services.ats_engine.cli import ats_app
from services.gateway.accounts.cli import users_app
from services.notifications.cli import notifications_app
from services.recruiting.cli import recruiting_app

app = typer.Typer(help="JAMS: Job Application Management System", no_args_is_help=True)
dlq_app = typer.Typer(help="Dead letters: events no handler could process", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")
app.add_typer(ats_app, name="ats")
app.add_typer(users_app, name="users")
app.add_typer(notifications_app, name="notifications")
app.add_typer(recruiting_app, name="recruiting")
jobs_app = typer.Typer(help="Canonical jobs: expiry and purge", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")
topics_app = typer.Typer(help="Kafka topics: retention and cleanup", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
console = Console()
T = TypeVar("T")


@app.command()
def run(
    port: int = typer.Option(8000, help="Gateway port (dashboard, API, WebSocket)"),
    sandbox: bool = typer.Option(
        False, "--sandbox", help="Also run the sandbox job portal and a local SMTP sink, and "
        "point JAMS at them: its seed boards, candidates and e-mail (what `make run` does)"),
    portal_port: int = typer.Option(0, help="The sandbox portal's port (0: a free one)"),
    data_dir: str = typer.Option(".jams", help="Where the embedded database and files live"),
    log_format: str = typer.Option(
        "console", help="console: one readable line an event; json: for a log pipeline"),
    ats_replicas: int = typer.Option(
        1, "--ats-replicas", min=1, max=16,
        help="ATS engine members of its consumer group, side by side on one model"),
) -> None:
    """Start every service in one process on the embedded default."""
    from infra.tracing import configure_tracing, shutdown_tracing
    from services.all_in_one import ensure_chromium, run_all_in_one

    if log_format not in ("console", "json"):
        raise typer.BadParameter("console or json", param_hint="--log-format")
    settings = CommonSettings()
    configure_logging(settings.log_level, "json" if log_format == "json" else "console")
    configure_tracing("jams", otlp_endpoint=settings.otlp_endpoint,
                      trace_file=settings.trace_file)
    ensure_chromium(console)
    try:
        asyncio.run(run_all_in_one(port=port, data=Path(data_dir).resolve(), console=console,
                                   sandbox_portal_port=portal_port if sandbox else None,
                                   ats_replicas=ats_replicas))
    finally:
        shutdown_tracing()


@app.command()
def migrate() -> None:
    """Bring the configured database to the newest schema."""
    from infra.migrate import upgrade

    upgrade(CommonSettings().database_url)
    console.print("[green]database is at the newest migration[/]")


@app.command()
def discover(
    source: str = typer.Argument(..., help="A configured source name (JAMS_SOURCES)"),
) -> None:
    """Scrape SOURCE once now, through the fleet's leases, with progress and a summary."""
    from services.job_discovery.discover_cli import run_discover

    raise typer.Exit(run_discover(source, console))


@jobs_app.command("purge-expired")
def jobs_purge_expired() -> None:
    """Expire jobs past their time and delete those expired longer than the retention."""
    from services.job_discovery.purge_cli import run_purge_expired

    raise typer.Exit(run_purge_expired(console))


@topics_app.command("apply")
def topics_apply(
    path: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="Topic settings, e.g. deploy/k8s/base/kafka/topics.yaml"),
) -> None:
    """Create every topic in use and its .dlq with PATH's configs; set them on existing ones."""
    from infra.bus.kafka import KafkaTransport
    from infra.bus.topic_settings import BadTopicSettings, read_topic_settings
    from schemas.events.registry import topics_in_use

    settings = CommonSettings()
    if settings.bus != "kafka":
        console.print("[red]Kafka only (JAMS_BUS=kafka)[/]; the embedded log keeps records "
                      "for JAMS_BUS_RETENTION_S")
        raise typer.Exit(2)
    try:
        configs = read_topic_settings(path.read_text(encoding="utf-8"), topics_in_use())
    except BadTopicSettings as exc:
        console.print(f"[red]{path}: {exc}[/]")
        raise typer.Exit(2) from None
    prefix = f"{settings.bus_namespace}." if settings.bus_namespace else ""

    async def apply() -> None:
        transport = KafkaTransport.from_settings(settings)
        await transport.start()
        try:
            await transport.configure_topics({prefix + t: c for t, c in configs.items()})
        finally:
            await transport.close()

    asyncio.run(apply())
    console.print(f"configured {len(configs)} topics")


@dlq_app.command("list")
def dlq_list(
    topic: str = typer.Argument(..., help="A topic (its .dlq is read) or a .dlq topic"),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line"),
) -> None:
    """Show the dead letters of TOPIC with why each failed."""
    letters = asyncio.run(_with_transport(lambda t: list_dead_letters(t, topic)))
    if as_json:
        for letter in letters:
            typer.echo(json.dumps(asdict(letter)))
        return
    table = Table(title=f"dead letters of {topic} ({len(letters)})")
    for column in ("offset", "event type", "event id", "from", "group", "attempts",
                   "reason", "exception"):
        table.add_column(column, overflow="fold")
    for letter in letters:
        table.add_row(
            str(letter.offset), letter.event_type, letter.event_id,
            f"{letter.original_topic}[{letter.original_partition}]@{letter.original_offset}",
            letter.consumer_group, str(letter.attempts), letter.reason, letter.exception,
        )
    console.print(table)


@dlq_app.command("replay")
def dlq_replay(
    topic: str = typer.Argument(..., help="A topic whose dead letters to replay"),
) -> None:
    """Publish TOPIC's dead letters back onto it (each one once; the API's replays and these
    share one consumer group, so each path sees what the other replayed)."""

    async def replay(transport: Transport) -> int:
        waiting = (await count_dead_letters(transport, [topic]))[topic].waiting
        with Progress(TextColumn("replaying"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console) as progress:
            task = progress.add_task("replay", total=waiting)
            return await replay_dead_letters(
                transport, topic,
                on_progress=lambda n: progress.advance(task, n),
            )

    replayed = asyncio.run(_with_transport(replay))
    console.print(f"replayed [bold]{replayed}[/] dead letter(s) onto {topic.removesuffix('.dlq')}")


async def _with_transport(action: Callable[[Transport], Awaitable[T]]) -> T:
    transport = make_transport(CommonSettings())
    await transport.start()
    try:
        return await action(transport)
    finally:
        await transport.close()

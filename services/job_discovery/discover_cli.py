"""`jams discover SOURCE`: one scrape run on demand, through the fleet's lease table."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
from redis.asyncio import Redis
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.clock import SystemClock
from infra.db import create_engine
from infra.documents import DocumentStore
from infra.logging import configure_logging
from infra.uow import UnitOfWork
from services.job_discovery.adapters.http import make_http_client
from services.job_discovery.fleet import FleetWorker, open_context, request_run
from services.job_discovery.fleet_run import RunSummary
from services.job_discovery.settings import JobDiscoverySettings


class UnknownSource(LookupError):
    """No configured source has that name."""


@contextlib.asynccontextmanager
async def _documents(settings: JobDiscoverySettings,
                     engine: AsyncEngine) -> AsyncIterator[DocumentStore]:
    store: DocumentStore
    if settings.mongo_url:
        from infra.documents.mongo import MongoDocumentStore

        store = MongoDocumentStore(settings.mongo_url)
    else:
        from infra.documents.postgres import PostgresDocumentStore

        store = PostgresDocumentStore(engine)
    try:
        yield store
    finally:
        await store.close()


async def discover(name: str, settings: JobDiscoverySettings,
                   console: Console) -> RunSummary | None:
    """Run source `name` once now; None if another worker took the run first."""
    source = next((s for s in settings.sources if s.name == name), None)
    if source is None:
        names = ", ".join(s.name for s in settings.sources) or "none"
        raise UnknownSource(f"no source named {name!r}; configured: {names}")
    clock = SystemClock()
    engine = create_engine(settings.database_url, pool_size=2)
    redis: Redis = Redis.from_url(settings.redis_url)
    progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                        TextColumn("{task.completed} requests"), TimeElapsedColumn(),
                        console=console, transient=True)
    task = progress.add_task(f"scraping {name}", total=None)

    async def count(response: httpx.Response) -> None:
        progress.advance(task)

    try:
        async with _documents(settings, engine) as documents, \
                make_http_client(settings.http_timeout_s, settings.allow_private_hosts) as http:
            http.event_hooks["response"].append(count)
            ctx = open_context(UnitOfWork(engine, clock, source="jams/job_discovery"),
                               documents, redis, clock, http, settings)
            worker = FleetWorker(ctx, [source], lease_s=settings.fleet_lease_s)
            run_id = await request_run(engine, name, clock.now())
            with progress:
                return await worker.work_once(only=run_id)
    finally:
        await redis.aclose()
        await engine.dispose()


def summary_table(summary: RunSummary) -> Table:
    """The run's counts, then each problem with its reason."""
    table = Table(title=f"{summary.source}: {summary.outcome} (run {summary.run_id})")
    for column in ("listed", "fetched", "new or changed", "skipped", "complete"):
        table.add_column(column, justify="right")
    table.add_row(str(summary.listed), str(summary.fetched), str(summary.new_or_changed),
                  str(summary.skipped), "yes" if summary.complete else "no")
    return table


def problems_table(summary: RunSummary) -> Table:
    table = Table(title="problems")
    table.add_column("reason")
    table.add_column("detail", overflow="fold")
    for problem in summary.problems:
        table.add_row(problem["reason"], problem["detail"])
    for retry in summary.retries:
        table.add_row(f"retry {retry['attempt']}: {retry['reason']}",
                      f"{retry['url']} (waited {retry['wait_s']}s)")
    return table


def run_discover(name: str, console: Console) -> int:
    """The command's body: an exit status."""
    configure_logging("WARNING")  # the progress bar and the tables say what happened
    try:
        summary = asyncio.run(discover(name, JobDiscoverySettings(), console))
    except UnknownSource as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    if summary is None:
        console.print("[yellow]another worker took this run; see the scrape_runs table[/]")
        return 1
    console.print(summary_table(summary))
    if summary.problems or summary.retries:
        console.print(problems_table(summary))
    return 0 if summary.outcome == "ok" else 1

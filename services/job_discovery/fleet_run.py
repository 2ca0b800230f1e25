"""One scrape run of one source: fetch since the cursor, keep raw payloads, emit what is news."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import insert

from infra import tracing
from infra.chromium import find_chromium
from infra.clock import Clock
from infra.documents import DocumentStore
from infra.politeness import Blocked, FetchError, PoliteClient, RateLimited, UnsafeUrl
from infra.politeness.client import Attempt
from infra.portal_automation import PortalSwitches
from infra.uow import Transaction, UnitOfWork
from schemas.events.discovery import ScrapeAnomalyDetected, SourceBlocked
from schemas.events.jobs import ScrapeRunCompleted
from services.job_discovery.adapters.base import (
    FetchedPosting,
    FetchResult,
    LayoutChanged,
    Problem,
    SourceAdapter,
)
from services.job_discovery.adapters.registry import make_adapter
from services.job_discovery.announce import announce, keep_raw
from services.job_discovery.fleet_tables import scrape_runs, source_state
from services.job_discovery.sources import SearchFilters, SourceConfig

log = structlog.get_logger(__name__)

# Weight of the newest run in a source's usual count (an exponential moving average).
USUAL_WEIGHT = 0.3
# Below this usual count a source is too small for "far fewer than usual" to mean anything.
MIN_USUAL_FOR_ANOMALY = 5


class LeaseLost(RuntimeError):
    """Another worker took this run over (our lease ended); our results are rolled back."""


@dataclass
class RunSummary:
    """What a run did: kept in scrape_runs and shown by `jams discover`."""

    source: str
    run_id: str
    outcome: str = "ok"  # ok | partial | failed
    listed: int = 0
    fetched: int = 0
    new_or_changed: int = 0
    skipped: int = 0
    complete: bool = False
    cursor: str | None = None
    problems: list[dict[str, str]] = field(default_factory=list)
    retries: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RunContext:
    """What a run needs, passed in by the composition root."""

    uow: UnitOfWork
    documents: DocumentStore
    client: PoliteClient
    clock: Clock
    chromium_path: str = field(default_factory=find_chromium)
    # Operators' automation switches per portal; the defaults unless given.
    switches: PortalSwitches = field(default_factory=PortalSwitches)


def apply_local_filters(result: FetchResult, filters: SearchFilters,
                        server_side: frozenset[str], source: str) -> None:
    """Filters the source cannot apply are applied here, and said so; never dropped."""
    local = {k: v.casefold() for k, v in filters.named().items() if k not in server_side}
    if not local:
        return
    for name in sorted(local):
        result.problems.append(Problem(
            "filter_not_supported",
            f"{source} cannot filter by {name}; applied to the fetched postings instead"))

    def keep(posting: FetchedPosting) -> bool:
        e = posting.event
        text = f"{e.title}\n{e.description}".casefold()
        if "keywords" in local and local["keywords"] not in text:
            return False
        return "location" not in local or local["location"] in e.location.casefold()

    result.postings = [p for p in result.postings if keep(p)]


async def _fetch(adapter: SourceAdapter, cursor: str | None) -> FetchResult:
    try:
        return await adapter.fetch(cursor)
    except Exception as exc:  # the run still ends, reports and keeps its cursor
        return FetchResult(cursor=cursor, error=exc)


def _problem_of(error: Exception) -> Problem:
    if isinstance(error, FetchError):
        return Problem(error.reason, str(error))
    if isinstance(error, LayoutChanged):
        return Problem(error.kind, str(error))
    if isinstance(error, UnsafeUrl):
        return Problem("unsafe_url", str(error))
    return Problem("error", f"{type(error).__name__}: {error}")


async def execute_run(ctx: RunContext, config: SourceConfig, run_id: str,
                      owner: str | None = None) -> RunSummary:
    """Run `config` once as `run_id`; with `owner`, only while that worker holds the lease.

    One span: each job the run announces starts its trace here, as that span's child.
    """
    attributes = {"jams.scrape.source": config.name, "jams.scrape.portal": config.kind,
                  "jams.scrape.run_id": run_id}
    with tracing.span(f"scrape {config.name}", service=tracing.service_of(ctx.uow.source),
                      attributes=attributes):
        summary = await _execute_run(ctx, config, run_id, owner)
        tracing.set_attributes({"jams.scrape.postings": summary.fetched,
                                "jams.scrape.new_or_changed": summary.new_or_changed,
                                "jams.scrape.outcome": summary.outcome})
        return summary


async def _execute_run(ctx: RunContext, config: SourceConfig, run_id: str,
                       owner: str | None) -> RunSummary:
    cursor, usual = await _source_state(ctx, config.name)
    attempts: list[Attempt] = []
    adapter = make_adapter(config, ctx.client, observer=attempts.append,
                           chromium_path=ctx.chromium_path)
    result = await _fetch(adapter, cursor)
    apply_local_filters(result, config.filters, adapter.server_filters, config.kind)
    summary = RunSummary(source=config.name, run_id=run_id, listed=result.listed)
    summary.retries = [{"url": a.url, "attempt": a.attempt, "reason": a.reason,
                        "status": a.status, "wait_s": a.wait_s} for a in attempts]
    problems = list(result.problems)
    if result.error is not None:
        problems.append(_problem_of(result.error))
        tracing.record_failure(result.error)
    postings = _of_run(result.postings, run_id)
    kept, not_kept = await keep_raw(ctx.uow, ctx.documents, postings, ctx.clock.now())
    problems += not_kept
    summary.fetched = len(postings)
    summary.skipped = sum(1 for p in problems if p.reason == "bad_posting")
    anomaly = _too_few(config.anomaly_ratio, usual, result)
    # A suspiciously short listing must not expire every job it left out.
    summary.complete = result.complete and result.error is None and anomaly is None
    summary.outcome = ("ok" if result.error is None
                       else "partial" if postings else "failed")
    if anomaly is not None:
        problems.append(Problem("too_few_jobs", anomaly))
    summary.problems = [asdict(p) for p in problems]
    async with ctx.uow.transaction() as tx:
        now = ctx.clock.now()
        summary.new_or_changed = await announce(tx, kept, [p.key for p in postings], now)
        summary.cursor = result.cursor if result.error is None else cursor
        await _save_state(tx, config.name, summary.cursor,
                          None if result.error else result.listed, usual, now)
        tx.emit(ScrapeRunCompleted(
            source=config.name, run_id=run_id,
            seen_source_job_keys=sorted(set(result.seen_keys)), complete=summary.complete,
            announced=summary.new_or_changed,
            errors=[f"{p.reason}: {p.detail}"[:2000] for p in problems]))
        _alerts(tx, config, adapter.portal, run_id, result, anomaly, usual)
        if owner is not None:
            await _finish(tx, run_id, owner, summary, now)
    log.info("scrape run done", **{k: v for k, v in summary.to_json().items()
                                   if k not in {"problems", "retries", "cursor"}},
             problems=len(problems), retries=len(attempts))
    return summary


def _of_run(fetched: list[FetchedPosting], run_id: str) -> list[FetchedPosting]:
    """Each posting once (a listing may repeat one; its last copy wins), tagged with the run."""
    latest = {p.key: p for p in fetched}
    return [dataclasses.replace(p, event=p.event.model_copy(update={"run_id": run_id}))
            for p in latest.values()]


def _too_few(ratio: float, usual: float | None, result: FetchResult) -> str | None:
    """Why this listing looks suspiciously short, or None."""
    if result.error is not None or usual is None or usual < MIN_USUAL_FOR_ANOMALY:
        return None
    if result.listed < ratio * usual:
        return (f"listed {result.listed} jobs; usually about {usual:.0f} "
                f"(alert below {ratio:.0%})")
    return None


def _alerts(tx: Transaction, config: SourceConfig, portal: str, run_id: str,
            result: FetchResult, anomaly: str | None, usual: float | None) -> None:
    error = result.error
    # Plain failures (5xx, timeouts) are in the run's problems; refusals are alerts.
    if isinstance(error, FetchError) and error.reason != "failed":
        tx.emit(SourceBlocked(
            source=config.name, portal=portal, run_id=run_id, reason=error.reason,
            kind=error.kind if isinstance(error, Blocked) else "",
            status=error.status, detail=str(error)[:2000],
            retry_after_s=error.retry_after_s if isinstance(error, RateLimited) else None))
    if isinstance(error, LayoutChanged):
        tx.emit(ScrapeAnomalyDetected(source=config.name, run_id=run_id, kind=error.kind,
                                      detail=str(error)[:2000]))
    drifted = [p.detail for p in result.problems if p.reason == "selector_drift"]
    if drifted:
        tx.emit(ScrapeAnomalyDetected(
            source=config.name, run_id=run_id, kind="selector_drift", observed=len(drifted),
            detail=f"{len(drifted)} pages miss configured fields, e.g. {drifted[0]}"[:2000]))
    if anomaly is not None:
        tx.emit(ScrapeAnomalyDetected(source=config.name, run_id=run_id, kind="too_few_jobs",
                                      detail=anomaly, observed=result.listed,
                                      expected=usual))


async def _source_state(ctx: RunContext, source: str) -> tuple[str | None, float | None]:
    async with ctx.uow.engine.connect() as conn:
        row = (await conn.execute(
            sa.select(source_state.c.cursor, source_state.c.usual_listed)
            .where(source_state.c.source == source))).first()
    return (row.cursor, row.usual_listed) if row else (None, None)


async def _save_state(tx: Transaction, source: str, cursor: str | None, listed: int | None,
                      usual: float | None, now: datetime) -> None:
    """Move the cursor; fold a clean run's count into the usual count."""
    if listed is None:
        new_usual = usual
    elif usual is None:
        new_usual = float(listed)
    else:
        new_usual = (1 - USUAL_WEIGHT) * usual + USUAL_WEIGHT * listed
    if new_usual is not None and not math.isfinite(new_usual):
        new_usual = None
    statement = insert(source_state).values(source=source, cursor=cursor,
                                            usual_listed=new_usual, runs=1, updated_at=now)
    await tx.conn.execute(statement.on_conflict_do_update(
        index_elements=[source_state.c.source],
        set_={"cursor": cursor, "usual_listed": new_usual,
              "runs": source_state.c.runs + 1, "updated_at": now}))


async def _finish(tx: Transaction, run_id: str, owner: str, summary: RunSummary,
                  now: datetime) -> None:
    done = await tx.conn.execute(
        scrape_runs.update()
        .where(scrape_runs.c.run_id == run_id, scrape_runs.c.lease_owner == owner,
               scrape_runs.c.state == "running")
        .values(state="done" if summary.outcome != "failed" else "failed",
                finished_at=now, lease_until=None, summary=summary.to_json()))
    if done.rowcount != 1:
        raise LeaseLost(f"run {run_id} is no longer leased to {owner}")

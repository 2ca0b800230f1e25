"""A run's completion waits for its postings before it expires anything.

`ScrapeRunCompleted` is keyed by source and each `JobDiscovered` by posting, so they travel on
different partitions and the completion may be handled first. It names how many postings the
run announced; until the job service has handled that many (the run's `fetched` count in the
sync log), the completion waits in `run_completions` and is applied by the handler of its
last posting, or by the check loop once `wait_s` has passed (logged and counted). A posting
that comes after that is still linked to its run when it does.

Locks, always in this order, so none deadlock: the run's (a completion and its postings
agree on whether it waits), then the source's (its completions apply one at a time, in order).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
import structlog
from prometheus_client import Counter
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.clock import sleep_unless_stopped
from infra.uow import Transaction, UnitOfWork
from schemas.events.jobs import ScrapeRunCompleted
from services.job_discovery.jobs.expiry import record_run
from services.job_discovery.tables import job_sightings, job_sync_log, run_completions

log = structlog.get_logger(__name__)

TIMEOUTS = Counter("jams_job_discovery_run_completion_timeouts",
                   "Run completions applied before every posting they announced was handled")
# How long an applied completion is kept for postings that come after it.
KEPT_AFTER_APPLIED = timedelta(days=1)

runs = run_completions
waiting = runs.c.applied_at.is_(None)


@dataclass(frozen=True)
class RunOfPosting:
    """The completion of a posting's run, as seen before the posting is handled."""

    run_id: str
    source: str
    applied: bool


async def _lock(conn: AsyncConnection, kind: str, name: str) -> None:
    """A transaction-scoped lock on one run or one source."""
    await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(
        sa.func.hashtextextended(f"jams.jobs.{kind}:{name}", 0))))


async def _handled(conn: AsyncConnection, run_id: str) -> int:
    """How many of the run's postings the job service has handled so far."""
    fetched = await conn.scalar(
        sa.select(job_sync_log.c.fetched).where(job_sync_log.c.run_id == run_id))
    return int(fetched or 0)


async def on_run_completed(tx: Transaction, run: ScrapeRunCompleted, wait_s: float) -> bool:
    """Apply `run` now if its postings are all handled; else keep it waiting. True if applied."""
    if run.announced is None:  # a producer that does not say: as before, at once
        await record_run(tx, run)
        return True
    conn = tx.conn
    await _lock(conn, "run", run.run_id)
    await _lock(conn, "source", run.source)
    now = tx.clock.now()
    await conn.execute(insert(runs).values(
        run_id=run.run_id, source=run.source, announced=run.announced,
        completion=run.model_dump(mode="json"), received_at=now,
        wait_until=now + timedelta(seconds=wait_s),
    ).on_conflict_do_nothing(index_elements=[runs.c.run_id]))
    await apply_ready(tx, run.source)
    still = await conn.scalar(sa.select(runs.c.seq).where(runs.c.run_id == run.run_id, waiting))
    if still is not None:
        log.info("run completion waits for its postings", run_id=run.run_id,
                 source=run.source, announced=run.announced,
                 handled=await _handled(conn, run.run_id))
    return still is None


async def before_posting(tx: Transaction, run_id: str | None) -> RunOfPosting | None:
    """Before a posting of `run_id` is handled: its run's completion, if one came already.

    Taken before the posting's own writes, so it never holds rows while it waits for a lock.
    """
    if run_id is None:
        return None
    conn = tx.conn
    await _lock(conn, "run", run_id)
    is_applied = runs.c.applied_at.is_not(None)
    row = (await conn.execute(sa.select(runs.c.source, is_applied.label("applied"))
                              .where(runs.c.run_id == run_id))).first()
    if row is None:
        return None
    applied = bool(row.applied)
    if not applied:
        await _lock(conn, "source", row.source)
        # Whoever held the source's lock may have applied this completion meanwhile.
        applied = bool(await conn.scalar(sa.select(is_applied).where(runs.c.run_id == run_id)))
    return RunOfPosting(run_id, row.source, applied=applied)


async def after_posting(tx: Transaction, run: RunOfPosting | None, source_job_key: str) -> None:
    """Release the run's completion if this was its last posting; or, when the completion
    went ahead without it, link the posting to the run as the completion would have."""
    if run is None:
        return
    if not run.applied:
        await apply_ready(tx, run.source)
        return
    listed = await tx.conn.scalar(sa.select(
        runs.c.completion["seen_source_job_keys"].contains([source_job_key]))
        .where(runs.c.run_id == run.run_id))
    if listed:
        # Only a sighting no run has claimed yet: a later run's word is newer than this one.
        await tx.conn.execute(
            job_sightings.update()
            .where(job_sightings.c.source_job_key == source_job_key,
                   job_sightings.c.run_id.is_(None))
            .values(feed=run.source, run_id=run.run_id, last_seen_at=tx.clock.now()))


async def apply_ready(tx: Transaction, source: str) -> int:
    """Apply the source's waiting completions in order while each is ready or overdue.

    The caller holds the source's lock. How many were applied.
    """
    conn = tx.conn
    now = tx.clock.now()
    rows = (await conn.execute(
        sa.select(runs).where(runs.c.source == source, waiting).order_by(runs.c.seq))).all()
    applied = 0
    for row in rows:
        missing = row.announced - await _handled(conn, row.run_id)
        if missing > 0 and row.wait_until > now:
            break  # later runs of this source wait behind it
        if missing > 0:
            TIMEOUTS.inc()
            log.warning("run completion applied without all its postings", run_id=row.run_id,
                        source=source, announced=row.announced, missing=missing,
                        waited_s=(now - row.received_at).total_seconds())
        await record_run(tx, ScrapeRunCompleted.model_validate(row.completion))
        await conn.execute(runs.update().where(runs.c.seq == row.seq).values(applied_at=now))
        applied += 1
    return applied


async def check_waiting(uow: UnitOfWork) -> int:
    """Apply every source's completions that are ready or overdue; how many were applied.

    Completions applied longer than `KEPT_AFTER_APPLIED` ago are forgotten.
    """
    async with uow.engine.connect() as conn:
        sources = list((await conn.scalars(
            sa.select(runs.c.source).where(waiting).distinct().order_by(runs.c.source))).all())
    applied = 0
    for source in sources:
        async with uow.transaction() as tx:
            await _lock(tx.conn, "source", source)
            applied += await apply_ready(tx, source)
    async with uow.transaction() as tx:
        await tx.conn.execute(runs.delete().where(
            runs.c.applied_at < tx.clock.now() - KEPT_AFTER_APPLIED))
    return applied


async def check_forever(stop: asyncio.Event, uow: UnitOfWork, *, interval_s: float) -> None:
    """`check_waiting` every `interval_s` seconds until `stop`."""
    while not await sleep_unless_stopped(uow.clock, interval_s, stop):
        try:
            await check_waiting(uow)
        except Exception as exc:  # the next round retries; the service must keep running
            log.warning("waiting run completions check failed", error=str(exc) or repr(exc))

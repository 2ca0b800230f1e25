"""A run's completion waits for its postings before it expires anything.

`ScrapeRunCompleted` is keyed by source and each `JobDiscovered` by posting, so they travel on
different partitions and the completion may be handled first. It names how many postings the
run announced; until the job service has handled that many (the run's `fetched` count in the
sync log), the completion waits in `waiting_run_completions` and is applied by the handler of
its last posting, or by the check loop once `wait_s` has passed (logged and counted).

Locks, always in this order, so none deadlock: the run's (a completion and its postings
agree on whether it waits), then the source's (its completions apply one at a time, in order).
"""

from __future__ import annotations

import asyncio
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
from services.job_discovery.tables import job_sync_log, waiting_run_completions

log = structlog.get_logger(__name__)

waiting = waiting_run_completions


TIMEOUTS = Counter("jams_job_discovery_run_completion_timeouts",
                   "Run completions applied before every posting they announced was handled")


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
    await conn.execute(insert(waiting).values(
        run_id=run.run_id, source=run.source, announced=run.announced,
        completion=run.model_dump(mode="json"), received_at=now,
        wait_until=now + timedelta(seconds=wait_s),
    ).on_conflict_do_nothing(index_elements=[waiting.c.run_id]))
    await apply_ready(tx, run.source)
    still = await conn.scalar(sa.select(waiting.c.seq).where(waiting.c.run_id == run.run_id))
    if still is not None:
        log.info("run completion waits for its postings", run_id=run.run_id,
                 source=run.source, announced=run.announced,
                 handled=await _handled(conn, run.run_id))
    return still is None


async def before_posting(tx: Transaction, run_id: str | None) -> str | None:
    """Before a posting of `run_id` is handled: the source whose completions it may release.

    Taken before the posting's own writes, so it never holds rows while it waits for a lock.
    """
    if run_id is None:
        return None
    conn = tx.conn
    await _lock(conn, "run", run_id)
    source = await conn.scalar(sa.select(waiting.c.source).where(waiting.c.run_id == run_id))
    if source is not None:
        await _lock(conn, "source", source)
    return source


async def apply_ready(tx: Transaction, source: str) -> int:
    """Apply the source's waiting completions in order while each is ready or overdue.

    The caller holds the source's lock. How many were applied.
    """
    conn = tx.conn
    now = tx.clock.now()
    rows = (await conn.execute(
        sa.select(waiting).where(waiting.c.source == source).order_by(waiting.c.seq))).all()
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
        await conn.execute(waiting.delete().where(waiting.c.seq == row.seq))
        applied += 1
    return applied


async def check_waiting(uow: UnitOfWork) -> int:
    """Apply every source's completions that are ready or overdue; how many were applied."""
    async with uow.engine.connect() as conn:
        sources = list((await conn.scalars(
            sa.select(waiting.c.source).distinct().order_by(waiting.c.source))).all())
    applied = 0
    for source in sources:
        async with uow.transaction() as tx:
            await _lock(tx.conn, "source", source)
            applied += await apply_ready(tx, source)
    return applied


async def check_forever(stop: asyncio.Event, uow: UnitOfWork, *, interval_s: float) -> None:
    """`check_waiting` every `interval_s` seconds until `stop`."""
    while not await sleep_unless_stopped(uow.clock, interval_s, stop):
        try:
            await check_waiting(uow)
        except Exception as exc:  # the next round retries; the service must keep running
            log.warning("waiting run completions check failed", error=str(exc) or repr(exc))

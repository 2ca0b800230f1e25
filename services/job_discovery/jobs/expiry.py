"""Closing jobs: gone from their source's complete runs, or past their expiry time; purging."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.clock import sleep_unless_stopped
from infra.uow import Transaction, UnitOfWork
from schemas.events.jobs import JobExpired, ScrapeRunCompleted
from services.job_discovery.jobs.synclog import RunCounts, add_counts
from services.job_discovery.tables import canonical_jobs, job_sightings

log = structlog.get_logger(__name__)

GONE = "no longer listed by any source"
PAST_EXPIRY = "expiry time passed"


def _any_key(values: Sequence[str]) -> sa.ColumnElement[Any]:
    return sa.any_(sa.bindparam("keys", list(values), type_=ARRAY(sa.Text)))


async def record_run(tx: Transaction, run: ScrapeRunCompleted) -> list[uuid.UUID]:
    """Note which postings `run` saw; after a complete run, expire jobs it no longer lists.

    A posting belongs to the source whose runs last listed it; only that source's complete
    runs can mark it gone. A job expires when every one of its sightings is gone.
    """
    now = tx.clock.now()
    seen = sorted(set(run.seen_source_job_keys))
    if seen:
        await tx.conn.execute(
            job_sightings.update()
            .where(job_sightings.c.source_job_key == _any_key(seen))
            .values(feed=run.source, run_id=run.run_id, last_seen_at=now, gone_at=None)
        )
    expired: list[uuid.UUID] = []
    if run.complete:
        gone = (await tx.conn.scalars(
            job_sightings.update()
            .where(job_sightings.c.feed == run.source, job_sightings.c.gone_at.is_(None),
                   sa.not_(job_sightings.c.source_job_key == _any_key(seen)))
            .values(gone_at=now)
            .returning(job_sightings.c.job_id)
        )).all()
        expired = await _expire_unlisted(tx, sorted(set(gone)), now)
    counts = RunCounts(source=run.source, expired=len(expired),
                       errors=[{"key": run.source, "reason": e[:500]} for e in run.errors])
    await add_counts(tx.conn, {run.run_id: counts}, now, completed=run.complete)
    return expired


async def _expire_unlisted(
    tx: Transaction, job_ids: list[uuid.UUID], now: datetime
) -> list[uuid.UUID]:
    if not job_ids:
        return []
    still_listed = (
        sa.select(job_sightings.c.job_id)
        .where(job_sightings.c.job_id == canonical_jobs.c.job_id,
               job_sightings.c.gone_at.is_(None))
        .exists()
    )
    ids = sa.bindparam("ids", job_ids, type_=ARRAY(sa.Uuid))
    return await _expire(tx, sa.and_(canonical_jobs.c.job_id == sa.any_(ids),
                                     sa.not_(still_listed)), GONE, now)


async def expire_due(tx: Transaction) -> list[uuid.UUID]:
    """Expire open jobs whose expiry time has passed."""
    now = tx.clock.now()
    return await _expire(tx, canonical_jobs.c.expires_at <= now, PAST_EXPIRY, now)


async def _expire(
    tx: Transaction, which: sa.ColumnElement[Any], reason: str, now: datetime
) -> list[uuid.UUID]:
    """Soft-delete the open jobs matching `which`; JobExpired for each, once."""
    ids = list((await tx.conn.scalars(
        canonical_jobs.update()
        .where(which, canonical_jobs.c.expired_at.is_(None))
        .values(expired_at=now, expiry_reason=reason, updated_at=now)
        .returning(canonical_jobs.c.job_id)
    )).all())
    for job_id in sorted(ids):
        tx.emit(JobExpired(job_id=job_id, expired_at=now, reason=reason))
    return ids


async def purge(conn: AsyncConnection, now: datetime, after: timedelta) -> int:
    """Delete jobs expired longer than `after` ago, with their sightings."""
    result = await conn.execute(
        canonical_jobs.delete().where(canonical_jobs.c.expired_at < now - after)
    )
    return int(result.rowcount)


async def sweep(uow: UnitOfWork, purge_after: timedelta) -> tuple[int, int]:
    """Expire jobs past their time, then purge long-expired ones: (expired, purged)."""
    async with uow.transaction() as tx:
        expired = await expire_due(tx)
        purged = await purge(tx.conn, tx.clock.now(), purge_after)
    return len(expired), purged


async def sweep_forever(
    stop: asyncio.Event, uow: UnitOfWork, *, interval_s: float, purge_after: timedelta
) -> None:
    """`sweep` every `interval_s` seconds (on the injected clock) until `stop`."""
    while not stop.is_set():
        try:
            expired, purged = await sweep(uow, purge_after)
            log.info("expiry sweep done", expired=expired, purged=purged)
        except Exception as exc:  # the next sweep retries; the service must keep running
            log.warning("expiry sweep failed", error=str(exc) or repr(exc))
        await sleep_unless_stopped(uow.clock, interval_s, stop)

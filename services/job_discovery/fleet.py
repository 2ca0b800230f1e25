"""The scrape fleet: runs scheduled per source, claimed by any number of workers through leases."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa
import structlog
from redis.asyncio import Redis
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.clock import Clock, sleep_unless_stopped
from infra.documents import DocumentStore
from infra.politeness import PoliteClient
from infra.portal_automation import PortalSwitches, StoredSwitches
from infra.uow import UnitOfWork
from services.job_discovery.adapters.http import make_http_client
from services.job_discovery.fleet_run import LeaseLost, RunContext, RunSummary, execute_run
from services.job_discovery.fleet_tables import scrape_runs
from services.job_discovery.settings import JobDiscoverySettings
from services.job_discovery.sources import BrowserSource, SourceConfig

log = structlog.get_logger(__name__)

# A run that took this many leases without finishing is poison: marked failed, not retried.
MAX_ATTEMPTS = 3
# Where discovery keeps the operators' automation switches it was told of.
SWITCHES = "discovery_portal_automation"


@dataclass(frozen=True)
class Claim:
    """A run this worker holds until `lease_until`."""

    run_id: str
    source: str
    attempts: int
    lease_until: datetime


def slot_start(now: datetime, interval_s: float, offset_s: float = 0.0) -> datetime:
    """The start of the schedule slot holding `now`: slots are aligned (to the interval, plus
    the source's offset), so workers agree."""
    seconds = now.timestamp() - offset_s
    return datetime.fromtimestamp(seconds - seconds % interval_s + offset_s, UTC)


async def schedule_due_runs(engine: AsyncEngine, sources: Sequence[SourceConfig],
                            now: datetime) -> int:
    """Add this slot's run for every enabled source that has none waiting; the count added.

    Many workers may call this at once: the (source, due_at) key admits one row per slot.
    """
    added = 0
    async with engine.begin() as conn:
        waiting = set((await conn.scalars(
            sa.select(scrape_runs.c.source).where(scrape_runs.c.state.in_(["pending", "running"]))
        )).all())
        for source in sources:
            if not source.enabled or source.name in waiting:
                continue
            due = slot_start(now, source.interval_s, source.offset_s)
            inserted = await conn.scalar(
                insert(scrape_runs)
                .values(run_id=uuid.uuid4().hex, source=source.name, due_at=due)
                .on_conflict_do_nothing(constraint="uq_scrape_runs_source_due_at")
                .returning(scrape_runs.c.run_id))
            added += inserted is not None
    return added


async def request_run(engine: AsyncEngine, source: str, now: datetime) -> str:
    """A run of `source` due now (on demand); its id."""
    run_id = uuid.uuid4().hex
    async with engine.begin() as conn:
        await conn.execute(insert(scrape_runs).values(run_id=run_id, source=source, due_at=now))
    return run_id


async def claim_run(engine: AsyncEngine, owner: str, now: datetime, lease_s: float,
                    only: str | None = None) -> Claim | None:
    """Lease the oldest due run, or one whose holder's lease ran out; None if there is none."""
    lease_until = now + timedelta(seconds=lease_s)
    claimable = sa.or_(
        sa.and_(scrape_runs.c.state == "pending", scrape_runs.c.due_at <= now),
        sa.and_(scrape_runs.c.state == "running", scrape_runs.c.lease_until < now),
    )
    if only is not None:
        claimable = sa.and_(claimable, scrape_runs.c.run_id == only)
    async with engine.begin() as conn:
        while True:
            row = (await conn.execute(
                sa.select(scrape_runs.c.run_id, scrape_runs.c.source, scrape_runs.c.attempts)
                .where(claimable).order_by(scrape_runs.c.due_at).limit(1)
                # Workers skip rows another is claiming instead of queueing behind it.
                .with_for_update(skip_locked=True))).first()
            if row is None:
                return None
            if row.attempts >= MAX_ATTEMPTS:
                await conn.execute(
                    scrape_runs.update().where(scrape_runs.c.run_id == row.run_id)
                    .values(state="failed", finished_at=now, lease_owner=None, lease_until=None,
                            summary={"abandoned": f"no result after {row.attempts} leases"}))
                continue
            await conn.execute(
                scrape_runs.update().where(scrape_runs.c.run_id == row.run_id)
                .values(state="running", lease_owner=owner, lease_until=lease_until,
                        attempts=row.attempts + 1, started_at=now))
            return Claim(row.run_id, row.source, row.attempts + 1, lease_until)


async def renew_lease(engine: AsyncEngine, run_id: str, owner: str, now: datetime,
                      lease_s: float) -> bool:
    """Extend our lease; False when the run is no longer ours."""
    async with engine.begin() as conn:
        renewed = await conn.execute(
            scrape_runs.update()
            .where(scrape_runs.c.run_id == run_id, scrape_runs.c.lease_owner == owner,
                   scrape_runs.c.state == "running")
            .values(lease_until=now + timedelta(seconds=lease_s)))
    return renewed.rowcount == 1


class FleetWorker:
    """Claims due runs and executes them; any number of these may run on any machines."""

    def __init__(self, ctx: RunContext, sources: Sequence[SourceConfig], *,
                 owner: str | None = None, lease_s: float = 300, poll_s: float = 5) -> None:
        self._ctx = ctx
        self._sources = {s.name: s for s in sources}
        self.owner = owner or f"worker-{uuid.uuid4().hex[:12]}"
        self._lease_s = lease_s
        self._poll_s = poll_s

    @property
    def _engine(self) -> AsyncEngine:
        return self._ctx.uow.engine

    async def run(self, stop: asyncio.Event) -> None:
        """Schedule and work until `stop`."""
        while not stop.is_set():
            await schedule_due_runs(self._engine, list(self._sources.values()),
                                    self._ctx.clock.now())
            if await self.work_once() is None:
                await sleep_unless_stopped(self._ctx.clock, self._poll_s, stop)

    async def work_once(self, only: str | None = None) -> RunSummary | None:
        """Claim one due run and execute it; None when nothing was due."""
        claim = await claim_run(self._engine, self.owner, self._ctx.clock.now(),
                                self._lease_s, only)
        if claim is None:
            return None
        source = self._sources.get(claim.source)
        if source is None:
            await self._abandon(claim, f"source {claim.source!r} is not configured here")
            return None
        if (off := await scraping_off(self._ctx.switches, source)) is not None:
            await self._abandon(claim, off)
            return None
        heartbeat = asyncio.create_task(self._heartbeat(claim))
        try:
            return await execute_run(self._ctx, source, claim.run_id, owner=self.owner)
        except LeaseLost:
            log.warning("run taken over by another worker; its results are rolled back",
                        run_id=claim.run_id, source=claim.source)
            return None
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _heartbeat(self, claim: Claim) -> None:
        while True:
            await self._ctx.clock.sleep(self._lease_s / 3)
            if not await renew_lease(self._engine, claim.run_id, self.owner,
                                     self._ctx.clock.now(), self._lease_s):
                return

    async def _abandon(self, claim: Claim, reason: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                scrape_runs.update()
                .where(scrape_runs.c.run_id == claim.run_id,
                       scrape_runs.c.lease_owner == self.owner)
                .values(state="failed", finished_at=self._ctx.clock.now(), lease_until=None,
                        summary={"abandoned": reason}))


async def scraping_off(switches: PortalSwitches, source: SourceConfig) -> str | None:
    """Why the source may not be scraped now, if it may not: its portal is switched off."""
    portal, url = ((source.site, source.search_url) if isinstance(source, BrowserSource)
                   else (source.kind, ""))
    if await switches.allowed(portal, "scraping", url):
        return None
    return f"scraping is switched off for {portal}"


def open_context(uow: UnitOfWork, documents: DocumentStore, redis: Redis, clock: Clock,
                 http: httpx.AsyncClient, settings: JobDiscoverySettings) -> RunContext:
    """What runs need, from the process's platform and the service's settings."""
    client = PoliteClient(http, redis, clock, allow_private=settings.allow_private_hosts)
    return RunContext(uow, documents, client, clock, chromium_path=str(settings.chromium_path),
                      switches=StoredSwitches(documents, SWITCHES))


async def serve_fleet(stop: asyncio.Event, uow: UnitOfWork, documents: DocumentStore,
                      redis: Redis, clock: Clock, settings: JobDiscoverySettings) -> None:
    """One fleet worker until `stop`; it owns its HTTP client."""
    async with make_http_client(settings.http_timeout_s, settings.allow_private_hosts) as http:
        ctx = open_context(uow, documents, redis, clock, http, settings)
        try:
            await FleetWorker(ctx, settings.sources, lease_s=settings.fleet_lease_s,
                              poll_s=settings.fleet_poll_s).run(stop)
        finally:
            await ctx.client.aclose()

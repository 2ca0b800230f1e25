"""`jams jobs purge-expired`: one expiry sweep now (the CronJob's body in Kubernetes)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from rich.console import Console

from infra.clock import Clock, SystemClock
from infra.db import create_engine
from infra.logging import configure_logging
from infra.uow import UnitOfWork
from services.job_discovery.jobs.expiry import sweep
from services.job_discovery.settings import JobDiscoverySettings


async def purge_expired(settings: JobDiscoverySettings,
                        clock: Clock | None = None) -> tuple[int, int]:
    """Expire jobs past their time and delete long-expired ones: (expired, purged)."""
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        uow = UnitOfWork(engine, clock or SystemClock(), source="jams/job_discovery")
        return await sweep(uow, timedelta(days=settings.job_purge_after_days))
    finally:
        await engine.dispose()


def run_purge_expired(console: Console) -> int:
    """The command's body: an exit status."""
    configure_logging("WARNING")
    settings = JobDiscoverySettings()
    expired, purged = asyncio.run(purge_expired(settings))
    console.print(f"expired {expired} job(s); purged {purged} expired more than "
                  f"{settings.job_purge_after_days:g} day(s) ago")
    return 0

"""`jams recruiting rescore-nightly`: the night's re-score of open employer jobs (the CronJob's
body in Kubernetes)."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from infra.clock import SystemClock
from infra.db import create_engine
from infra.logging import configure_logging
from infra.uow import UnitOfWork
from services.recruiting.rescoring import rescore_nightly
from services.recruiting.settings import RecruitingSettings

recruiting_app = typer.Typer(help="Employer jobs: re-scores", no_args_is_help=True)
console = Console(stderr=True)


async def _rescore_nightly(settings: RecruitingSettings) -> int:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        clock = SystemClock()
        # The outbox relay of the running service publishes what this transaction emits.
        uow = UnitOfWork(engine, clock, source="jams/recruiting")
        return await rescore_nightly(uow, clock.now().date())
    finally:
        await engine.dispose()


@recruiting_app.command("rescore-nightly")
def rescore_nightly_command() -> None:
    """Ask the ATS engine to score every published employer job again, once per job and day
    (a second run the same day asks nothing more)."""
    configure_logging("WARNING")
    asked = asyncio.run(_rescore_nightly(RecruitingSettings()))
    console.print(f"asked a re-score of {asked} open job(s)")

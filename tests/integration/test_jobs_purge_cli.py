"""`jams jobs purge-expired` (the purge CronJob) expires due jobs, then deletes old ones."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from infra.clock import SystemClock
from infra.db import create_engine
from infra.uow import UnitOfWork
from services.cli import app
from services.job_discovery.jobs.store import ingest
from services.job_discovery.tables import canonical_jobs

pytestmark = pytest.mark.integration


def posting(external_id: str, **overrides: object) -> dict[str, object]:
    key = f"greenhouse:{external_id}"
    return {
        "source_job_key": key, "source": "greenhouse", "external_id": external_id,
        "company": "Acme", "title": f"Engineer {external_id}", "location": "Berlin",
        "description": "Build payment services in Python.", "raw_document_id": key,
        "apply_url": f"https://jobs.example.com/{external_id}", "run_id": "run-1",
    } | overrides


async def job_titles(database_url: str) -> list[str]:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return list((await conn.scalars(
                sa.select(canonical_jobs.c.title).order_by(canonical_jobs.c.title))).all())
    finally:
        await engine.dispose()


async def add_jobs(database_url: str, *jobs: dict[str, object]) -> None:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with UnitOfWork(engine, SystemClock(), "jams/job_discovery").transaction() as tx:
            await ingest(tx, list(jobs))
    finally:
        await engine.dispose()


# Synchronous: the command runs its own event loop, as it does in the CronJob.
def test_purge_expired_expires_due_jobs_then_deletes_them_after_the_retention(
    database_url: str,
) -> None:
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    asyncio.run(add_jobs(database_url, posting("1", expires_at=past), posting("2")))
    # A retention of about 0.09 s so the second run finds the job old enough to delete.
    env = {"JAMS_DATABASE_URL": database_url, "JAMS_JOB_PURGE_AFTER_DAYS": "0.000001"}
    runner = CliRunner()

    first = runner.invoke(app, ["jobs", "purge-expired"], env=env)
    assert first.exit_code == 0, first.output
    assert "expired 1 job(s); purged 0" in first.output
    assert asyncio.run(job_titles(database_url)) == ["Engineer 1", "Engineer 2"]

    time.sleep(0.2)
    second = runner.invoke(app, ["jobs", "purge-expired"], env=env)
    assert second.exit_code == 0, second.output
    assert "expired 0 job(s); purged 1" in second.output
    assert asyncio.run(job_titles(database_url)) == ["Engineer 2"]


def test_purge_expired_rejects_a_nonsense_retention() -> None:
    result = CliRunner().invoke(app, ["jobs", "purge-expired"],
                                env={"JAMS_JOB_PURGE_AFTER_DAYS": "-3"})
    assert result.exit_code != 0
    assert "job_purge_after_days" in repr(result.exception) + result.output

"""What job discovery does on each event: fold postings into canonical jobs, close old ones."""

from __future__ import annotations

from infra.uow import Transaction
from schemas.events.jobs import JobDiscovered, ScrapeRunCompleted
from services.job_discovery.jobs.expiry import record_run
from services.job_discovery.jobs.store import ingest


async def on_job_discovered(event: JobDiscovered, tx: Transaction) -> None:
    """Publish a job the first time any source lists it; later sightings are only linked."""
    # The batch path with a batch of one: the bench and the bus share every rule.
    await ingest(tx, [event])


async def on_scrape_run_completed(event: ScrapeRunCompleted, tx: Transaction) -> None:
    """Record what a run saw; after a complete run, expire what its source no longer lists."""
    await record_run(tx, event)

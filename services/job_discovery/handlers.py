"""What job discovery does on each event: fold postings into canonical jobs, close old ones."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from infra.uow import Transaction
from schemas.events.jobs import JobDiscovered, ScrapeRunCompleted
from services.job_discovery.jobs.completion import after_posting, before_posting, on_run_completed
from services.job_discovery.jobs.store import ingest

# How long a run's completion waits for postings it announced that have not come.
DEFAULT_COMPLETION_WAIT_S = 300.0


async def on_job_discovered(event: JobDiscovered, tx: Transaction) -> None:
    """Publish a job the first time any source lists it; later sightings are only linked.

    The last posting of a run whose completion came first applies that completion.
    """
    run = await before_posting(tx, event.run_id)
    # The batch path with a batch of one: the bench and the bus share every rule.
    await ingest(tx, [event])
    await after_posting(tx, run, event.source_job_key)


def completion_handler(
    wait_s: float = DEFAULT_COMPLETION_WAIT_S,
) -> Callable[[ScrapeRunCompleted, Transaction], Awaitable[None]]:
    """The `ScrapeRunCompleted` handler, waiting up to `wait_s` for the run's postings."""

    async def on_scrape_run_completed(event: ScrapeRunCompleted, tx: Transaction) -> None:
        """Record what a run saw; after a complete run, expire what its source no longer lists."""
        await on_run_completed(tx, event, wait_s)

    return on_scrape_run_completed


on_scrape_run_completed = completion_handler()

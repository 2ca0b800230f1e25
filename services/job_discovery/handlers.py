"""What job discovery does on each event: fold postings into canonical jobs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from infra.uow import Transaction
from schemas.events.jobs import JobDiscovered, JobPublished
from services.job_discovery.domain import canonical_job_id, canonical_key
from services.job_discovery.tables import canonical_jobs


async def on_job_discovered(event: JobDiscovered, tx: Transaction) -> None:
    """Publish a job the first time any source lists it; later sources are only recorded."""
    key = canonical_key(event.company, event.title, event.location)
    job_id = canonical_job_id(key)
    # Insert-or-nothing decides who is first, even when two sources arrive concurrently.
    created = await tx.conn.scalar(
        insert(canonical_jobs)
        .values(job_id=job_id, canonical_key=key, company=event.company, title=event.title,
                location=event.location, apply_url=str(event.apply_url),
                sources=[event.source_job_key], published_at=tx.clock.now())
        .on_conflict_do_nothing()
        .returning(canonical_jobs.c.job_id)
    )
    if created is not None:
        tx.emit(JobPublished(
            job_id=job_id, company=event.company, title=event.title, location=event.location,
            description=event.description, apply_url=event.apply_url,
            sources=[event.source_job_key],
        ))
        return
    await tx.conn.execute(
        canonical_jobs.update()
        .where(canonical_jobs.c.canonical_key == key,
               sa.not_(canonical_jobs.c.sources.contains([event.source_job_key])))
        .values(sources=sa.func.array_append(canonical_jobs.c.sources, event.source_job_key))
    )

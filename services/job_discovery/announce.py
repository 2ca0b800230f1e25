"""A run's postings kept and announced: raw payloads first, then JobDiscovered for the news.

A posting is news when its raw payload differs from the one last recorded under its key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.documents import DocumentStore, InvalidDocument
from infra.uow import Transaction, UnitOfWork
from services.job_discovery.adapters.base import FetchedPosting, Problem
from services.job_discovery.tables import job_postings

RAW_COLLECTION = "raw_jobs"


def payload_hash(raw: Mapping[str, Any]) -> str:
    """SHA-256 of the raw payload in canonical JSON: it changes when the posting does."""
    encoded = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


async def keep_raw(
    uow: UnitOfWork, documents: DocumentStore, postings: Sequence[FetchedPosting],
    fetched_at: datetime,
) -> tuple[list[FetchedPosting], list[Problem]]:
    """The postings whose raw payload is stored or unchanged, and why any other is not.

    Stored before the events can commit, so whoever reads an event finds its document.
    """
    if not postings:
        return [], []
    async with uow.engine.connect() as conn:
        known = await _known_hashes(conn, [p.key for p in postings])
    kept: list[FetchedPosting] = []
    problems: list[Problem] = []
    for posting in postings:
        if known.get(posting.key) == payload_hash(posting.raw):
            kept.append(posting)  # unchanged: announce says so; nothing to write
            continue
        document = dict(posting.raw) | {"_fetch": {"source_url": posting.source_url,
                                                   "fetched_at": fetched_at.isoformat()}}
        try:
            await documents.put(RAW_COLLECTION, posting.key, document)
        except InvalidDocument as exc:
            problems.append(Problem("bad_posting", f"{posting.key}: not storable: {exc}"))
            continue
        kept.append(posting)
    return kept, problems


async def announce(tx: Transaction, kept: Sequence[FetchedPosting], seen_keys: Sequence[str],
                   now: datetime) -> int:
    """Emit JobDiscovered for each kept posting that is new or changed; how many were.

    Every key in `seen_keys` is marked seen now, whether or not its posting could be kept.
    """
    changed = await _record_hashes(tx.conn, kept, now)
    for posting in kept:
        if posting.key in changed:
            tx.emit(posting.event)
    if seen_keys:
        await tx.conn.execute(
            job_postings.update()
            .where(job_postings.c.source_job_key.in_(list(seen_keys)))
            .values(seen_at=now))
    return len(changed)


async def _known_hashes(conn: AsyncConnection, keys: list[str]) -> dict[str, str]:
    rows = await conn.execute(
        sa.select(job_postings.c.source_job_key, job_postings.c.payload_hash)
        .where(job_postings.c.source_job_key.in_(keys)))
    return {row.source_job_key: row.payload_hash for row in rows}


async def _record_hashes(conn: AsyncConnection, postings: Sequence[FetchedPosting],
                         now: datetime) -> set[str]:
    """Upsert payload hashes; the keys that were inserted or changed.

    The conditional upsert decides, so two workers racing on one source still emit once.
    """
    if not postings:
        return set()
    statement = insert(job_postings).values([
        {"source_job_key": p.key, "payload_hash": payload_hash(p.raw), "first_seen_at": now,
         "changed_at": now, "seen_at": now}
        for p in postings
    ])
    upsert = statement.on_conflict_do_update(
        index_elements=[job_postings.c.source_job_key],
        set_={"payload_hash": statement.excluded.payload_hash,
              "changed_at": statement.excluded.changed_at,
              "seen_at": statement.excluded.seen_at},
        where=job_postings.c.payload_hash != statement.excluded.payload_hash,
    ).returning(job_postings.c.source_job_key)
    return set((await conn.scalars(upsert)).all())

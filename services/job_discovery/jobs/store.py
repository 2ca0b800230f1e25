"""Ingest raw jobs in one transaction: normalise, deduplicate, upsert, publish what is new."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.uow import Transaction
from schemas.events.jobs import JobDiscovered, JobPublished
from services.job_discovery.jobs.bulk import insert_rows
from services.job_discovery.jobs.dedup import Profile, same_job
from services.job_discovery.jobs.normalise import parse_location, title_words
from services.job_discovery.jobs.posting import (
    BadPayload,
    Posting,
    normalise_posting,
    parse_payload,
)
from services.job_discovery.jobs.salary import Period, Salary
from services.job_discovery.jobs.synclog import (
    PostingCounts,
    RunCounts,
    add_counts,
    run_id_for,
)
from services.job_discovery.tables import canonical_jobs, job_sightings

RawJob = JobDiscovered | Mapping[str, Any]

# Fixed forever: canonical job ids are derived from it, so changing it renames every job.
CANONICAL_NAMESPACE = uuid.UUID("0b7f3c2e-5a41-4d8e-9c6a-7e2d1f4b8a90")


@dataclass
class IngestReport(PostingCounts):
    """What one batch did, and the canonical jobs it published."""

    published: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True)
class _Candidate:
    """An open job new postings may join."""

    job_id: uuid.UUID
    profile: Profile


def canonical_job_id(first_source_job_key: str) -> uuid.UUID:
    """A new canonical job's id, derived from the sighting that created it."""
    return uuid.uuid5(CANONICAL_NAMESPACE, f"job:{first_source_job_key}")


class _Runs:
    """Per-run counters of a batch, and the batch totals."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.by_run: dict[str, RunCounts] = {}
        self.report = IngestReport()

    def _both(self, run_id: str | None, source: str) -> tuple[PostingCounts, PostingCounts]:
        """The run's counts and the batch's, which every posting adds to alike."""
        key = run_id_for(run_id, source, self.now)
        return self.by_run.setdefault(key, RunCounts(source=source)), self.report

    def count(self, posting: Posting, what: str) -> None:
        for counts in self._both(posting.run_id, posting.source):
            setattr(counts, what, getattr(counts, what) + 1)

    def count_error(self, run_id: str | None, source: str, error: dict[str, str]) -> None:
        for counts in self._both(run_id, source):
            counts.fetched += 1
            counts.errors.append(error)


def _identity(item: object) -> tuple[str, str, str | None]:
    """(key, source, run id) of a payload too broken to read, as far as it says."""
    if isinstance(item, Mapping):
        key, source, run = item.get("source_job_key"), item.get("source"), item.get("run_id")
        return (str(key)[:200] if key else "?", str(source)[:100] if source else "unknown",
                str(run)[:200] if run else None)
    return "?", "unknown", None


def _read(items: Iterable[RawJob], runs: _Runs) -> dict[str, Posting]:
    postings: dict[str, Posting] = {}
    for item in items:
        try:
            posting = normalise_posting(parse_payload(item))
        except BadPayload as exc:
            key, source, run = _identity(item)
            runs.count_error(run, source, {"key": key, "reason": str(exc)[:500]})
            continue
        runs.count(posting, "fetched")
        postings[posting.source_job_key] = posting  # within one batch the last copy wins
    return postings


async def ingest(tx: Transaction, items: Sequence[RawJob]) -> IngestReport:
    """Fold `items` into canonical jobs in `tx`; JobPublished for each new canonical job.

    Set-based: a fixed number of statements per batch, whatever its size. A malformed item
    is logged in its run's sync log with the reason and skipped.
    """
    now = tx.clock.now()
    runs = _Runs(now)
    postings = _read(items, runs)
    if postings:
        conn = tx.conn
        await _lock_fingerprints(conn, {p.fingerprint for p in postings.values()})
        known = await _known_hashes(conn, list(postings))
        fresh = [p for p in postings.values() if p.source_job_key not in known]
        changed = [p for p in postings.values()
                   if p.source_job_key in known and known[p.source_job_key] != p.content_hash]
        for posting in postings.values():
            if known.get(posting.source_job_key) == posting.content_hash:
                runs.count(posting, "unchanged")
        candidates = await _candidates(conn, {p.fingerprint for p in fresh})
        creators, links = _assign(fresh, candidates)
        await _insert(conn, creators, links, now)
        await _update(conn, changed, now)
        for posting in changed:
            runs.count(posting, "updated")
        creator_keys = {p.source_job_key for p in creators}
        for posting, _ in links:
            runs.count(posting, "new" if posting.source_job_key in creator_keys else "duplicates")
        for posting in creators:
            job_id = canonical_job_id(posting.source_job_key)
            tx.emit(_published(posting, job_id))
            runs.report.published.append(job_id)
    await add_counts(tx.conn, runs.by_run, now)
    return runs.report


def _assign(
    fresh: Sequence[Posting], candidates: dict[str, list[_Candidate]]
) -> tuple[list[Posting], list[tuple[Posting, uuid.UUID]]]:
    """Which new postings create a canonical job, and the job each new posting joins."""
    creators: list[Posting] = []
    links: list[tuple[Posting, uuid.UUID]] = []
    for posting in fresh:
        group = candidates.setdefault(posting.fingerprint, [])
        profile = posting.profile()
        match = next((c for c in group if same_job(c.profile, profile)), None)
        if match is None:
            match = _Candidate(canonical_job_id(posting.source_job_key), profile)
            group.append(match)
            creators.append(posting)
        links.append((posting, match.job_id))
    return creators, links


async def _lock_fingerprints(conn: AsyncConnection, fingerprints: set[str]) -> None:
    """Serialise batches that could create one job twice; in key order, so none deadlock."""
    keys = sorted({int(fp[:15], 16) for fp in fingerprints})
    await conn.execute(
        sa.text("SELECT pg_advisory_xact_lock(k) FROM "
                "(SELECT unnest(CAST(:keys AS bigint[])) AS k ORDER BY 1) AS ordered"),
        {"keys": keys},
    )


def _any(values: Sequence[str]) -> sa.ColumnElement[Any]:
    return sa.any_(sa.bindparam("values", list(values), type_=ARRAY(sa.Text)))


async def _known_hashes(conn: AsyncConnection, keys: Sequence[str]) -> dict[str, str]:
    rows = await conn.execute(
        sa.select(job_sightings.c.source_job_key, job_sightings.c.content_hash)
        .where(job_sightings.c.source_job_key == _any(keys))
    )
    return {row.source_job_key: row.content_hash for row in rows}


async def _candidates(conn: AsyncConnection, fingerprints: set[str]) -> dict[str, list[_Candidate]]:
    """Open canonical jobs sharing a fingerprint with a new posting, with their text."""
    found: dict[str, list[_Candidate]] = {}
    if not fingerprints:
        return found
    jobs = canonical_jobs.c
    rows = await conn.execute(
        sa.select(jobs.job_id, jobs.canonical_key, jobs.description, jobs.title, jobs.location,
                  jobs.salary_min, jobs.salary_max, jobs.salary_currency, jobs.salary_period)
        .where(jobs.canonical_key == _any(sorted(fingerprints)), jobs.expired_at.is_(None))
        .order_by(jobs.published_at, jobs.job_id)
    )
    for row in rows:
        place = parse_location(row.location)
        pay = (None if row.salary_min is None and row.salary_max is None else Salary(
            row.salary_min, row.salary_max, row.salary_currency,
            row.salary_period and Period(row.salary_period)))
        found.setdefault(row.canonical_key, []).append(_Candidate(row.job_id, Profile(
            title_words(row.title, place.key), place, pay, row.description)))
    return found


def _job_fields(posting: Posting) -> dict[str, Any]:
    place, salary = posting.location_parts, posting.salary
    return {
        "canonical_key": posting.fingerprint, "company": posting.company,
        "title": posting.title, "location": posting.location, "apply_url": posting.apply_url,
        "description": posting.description, "city": place.city, "region": place.region,
        "country": place.country, "workplace": place.workplace and place.workplace.value,
        "employment_type": posting.employment_type and posting.employment_type.value,
        "salary_min": salary and salary.minimum, "salary_max": salary and salary.maximum,
        "salary_currency": salary and salary.currency,
        "salary_period": salary and salary.period and salary.period.value,
        "posted_at": posting.posted_at, "expires_at": posting.expires_at,
    }


async def _insert(
    conn: AsyncConnection, creators: Sequence[Posting],
    links: Sequence[tuple[Posting, uuid.UUID]], now: datetime,
) -> None:
    await insert_rows(conn, canonical_jobs, [
        {**_job_fields(p), "job_id": canonical_job_id(p.source_job_key),
         "primary_source_job_key": p.source_job_key, "published_at": now, "updated_at": now}
        for p in creators
    ])
    await insert_rows(conn, job_sightings, [
        {"source_job_key": p.source_job_key, "job_id": job_id, "source": p.source,
         "external_id": p.external_id, "content_hash": p.content_hash,
         "apply_url": p.apply_url, "notes": list(p.notes), "first_seen_at": now,
         "last_seen_at": now, "updated_at": now}
        for p, job_id in links
    ], skip_conflicts=True)


async def _update(conn: AsyncConnection, changed: Sequence[Posting], now: datetime) -> None:
    """A posting whose content changed: its sighting, and its job if it is the job's source."""
    if not changed:
        return
    key: sa.BindParameter[str] = sa.bindparam("key")
    await conn.execute(
        job_sightings.update().where(job_sightings.c.source_job_key == key).values(
            content_hash=sa.bindparam("content_hash"), apply_url=sa.bindparam("url"),
            notes=sa.bindparam("notes"), updated_at=now, last_seen_at=now),
        [{"key": p.source_job_key, "content_hash": p.content_hash, "url": p.apply_url,
          "notes": list(p.notes)} for p in changed],
    )
    fields = list(_job_fields(changed[0]))
    await conn.execute(
        canonical_jobs.update()
        .where(canonical_jobs.c.primary_source_job_key == key)
        .values({name: sa.bindparam(f"v_{name}") for name in fields} | {"updated_at": now}),
        [{"key": p.source_job_key} | {f"v_{k}": v for k, v in _job_fields(p).items()}
         for p in changed],
    )


def _published(posting: Posting, job_id: uuid.UUID) -> JobPublished:
    fields = _job_fields(posting)
    return JobPublished(
        job_id=job_id, company=posting.company, title=posting.title,
        location=posting.location, description=posting.description,
        apply_url=posting.apply_url,
        sources=[posting.source_job_key],
        **{name: fields[name] for name in (
            "city", "region", "country", "workplace", "employment_type", "salary_min",
            "salary_max", "salary_currency", "salary_period", "posted_at", "expires_at")},
    )

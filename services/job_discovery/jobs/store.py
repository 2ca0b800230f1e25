"""Ingest raw jobs in one transaction: normalise, deduplicate, upsert, publish what is new,
what changed materially and what came back."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.job_changes import JobChange, content_of, material_change
from infra.uow import Transaction
from schemas.events.jobs import JobDiscovered, JobPublished, JobReopened, JobUpdated
from services.job_discovery.jobs.bulk import insert_rows
from services.job_discovery.jobs.dedup import Profile, same_job
from services.job_discovery.jobs.normalise import parse_location, title_words
from services.job_discovery.jobs.posting import (
    BadPayload,
    Posting,
    fingerprint_of,
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
class _Known:
    """A posting seen before: its last content, its job, and how it stands with that job."""

    content_hash: str
    job_id: uuid.UUID
    primary: bool
    expired: bool


@dataclass(frozen=True)
class _Candidate:
    """A job new postings may join: an open one, or an expired one a repost brings back."""

    job_id: uuid.UUID
    profile: Profile
    expired: bool = False


# A batch asks for a new job's id up to three times (match, insert, announce).
@lru_cache(maxsize=4096)
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
    """Fold `items` into canonical jobs in `tx`: JobPublished for each new canonical job,
    JobUpdated for each job whose content changed materially, JobReopened for each expired
    job a posting brought back.

    Set-based: a fixed number of statements per batch, whatever its size. A malformed item
    is logged in its run's sync log with the reason and skipped.
    """
    now = tx.clock.now()
    runs = _Runs(now)
    postings = _read(items, runs)
    if postings:
        conn = tx.conn
        await _lock_fingerprints(conn, {p.fingerprint for p in postings.values()})
        known = await _known(conn, list(postings))
        fresh = [p for p in postings.values() if p.source_job_key not in known]
        seen = [p for p in postings.values() if p.source_job_key in known]
        changed = [p for p in seen if known[p.source_job_key].content_hash != p.content_hash]
        for posting in seen:
            if known[posting.source_job_key].content_hash == posting.content_hash:
                runs.count(posting, "unchanged")
        candidates = await _candidates(conn, {p.fingerprint for p in fresh})
        expired = {c.job_id for group in candidates.values() for c in group if c.expired}
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
        # A new posting of an expired job (a repost) becomes the job's source from now on.
        reposts: dict[uuid.UUID, Posting] = {}
        for posting, job_id in links:
            if job_id in expired:
                reposts.setdefault(job_id, posting)
        await _revise_jobs(tx, runs, known, seen, changed, reposts)
    await add_counts(tx.conn, runs.by_run, now)
    return runs.report


async def _revise_jobs(tx: Transaction, runs: _Runs, known: Mapping[str, _Known],
                       seen: Sequence[Posting], changed: Sequence[Posting],
                       reposts: Mapping[uuid.UUID, Posting]) -> None:
    """Known jobs as their postings now say: the content of the posting each job comes from
    (JobUpdated when it changed materially), and open again when expired (JobReopened)."""
    from_source = {known[p.source_job_key].job_id: p for p in changed
                   if known[p.source_job_key].primary}
    await _rewrite_jobs(tx, from_source, reposts, runs.now)
    back = {known[p.source_job_key].job_id: p for p in seen if known[p.source_job_key].expired}
    for posting in (await _reopen(tx, back | dict(reposts), runs.now)).values():
        runs.count(posting, "reopened")


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


async def _known(conn: AsyncConnection, keys: Sequence[str]) -> dict[str, _Known]:
    rows = await conn.execute(
        sa.select(job_sightings.c.source_job_key, job_sightings.c.content_hash,
                  job_sightings.c.job_id,
                  (canonical_jobs.c.primary_source_job_key
                   == job_sightings.c.source_job_key).label("primary"),
                  canonical_jobs.c.expired_at.is_not(None).label("expired"))
        .join(canonical_jobs, canonical_jobs.c.job_id == job_sightings.c.job_id)
        .where(job_sightings.c.source_job_key == _any(keys))
    )
    return {row.source_job_key: _Known(row.content_hash, row.job_id, row.primary, row.expired)
            for row in rows}


async def _candidates(conn: AsyncConnection, fingerprints: set[str]) -> dict[str, list[_Candidate]]:
    """Canonical jobs sharing a fingerprint with a new posting, with their text: open ones
    first, then expired ones a repost may bring back under the same id."""
    found: dict[str, list[_Candidate]] = {}
    if not fingerprints:
        return found
    jobs = canonical_jobs.c
    rows = await conn.execute(
        sa.select(jobs.job_id, jobs.canonical_key, jobs.description, jobs.title, jobs.location,
                  jobs.salary_min, jobs.salary_max, jobs.salary_currency, jobs.salary_period,
                  jobs.expired_at)
        .where(jobs.canonical_key == _any(sorted(fingerprints)))
        .order_by(jobs.expired_at.is_not(None), jobs.published_at, jobs.job_id)
    )
    for row in rows:
        place = parse_location(row.location)
        pay = (None if row.salary_min is None and row.salary_max is None else Salary(
            row.salary_min, row.salary_max, row.salary_currency,
            row.salary_period and Period(row.salary_period)))
        found.setdefault(row.canonical_key, []).append(_Candidate(row.job_id, Profile(
            title_words(row.title, place.key), place, pay, row.description),
            row.expired_at is not None))
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
    """The sightings of postings whose content changed."""
    if not changed:
        return
    await conn.execute(
        job_sightings.update()
        .where(job_sightings.c.source_job_key == sa.bindparam("key"))
        .values(content_hash=sa.bindparam("content_hash"), apply_url=sa.bindparam("url"),
                notes=sa.bindparam("notes"), updated_at=now, last_seen_at=now),
        [{"key": p.source_job_key, "content_hash": p.content_hash, "url": p.apply_url,
          "notes": list(p.notes)} for p in changed],
    )


async def _rewrite_jobs(tx: Transaction, from_source: Mapping[uuid.UUID, Posting],
                        reposts: Mapping[uuid.UUID, Posting], now: datetime) -> None:
    """Each job's fields from its source posting: `from_source` by the posting it came from,
    `reposts` by a repost that becomes its source. JobUpdated when the change is material."""
    sources = {**from_source, **reposts}
    if not sources:
        return
    ids = sa.bindparam("ids", sorted(sources), type_=ARRAY(sa.Uuid))
    # Locked before the revision is read: batches under other fingerprints' locks may revise
    # the same job (an edit that renames it, a repost), and each revision must be told once.
    # In id order, so none deadlock.
    old = {row.job_id: row for row in await tx.conn.execute(
        sa.select(canonical_jobs).where(canonical_jobs.c.job_id == sa.any_(ids))
        .order_by(canonical_jobs.c.job_id).with_for_update())}
    params: list[dict[str, Any]] = []
    for job_id in sorted(sources):
        posting, before = sources[job_id], old[job_id]
        fields = _job_fields(posting)
        change = material_change(content_of(dict(before._mapping)), content_of(fields))
        revision = before.revision + (change is not None)
        params.append({f"v_{k}": v for k, v in fields.items()} | {
            "id": job_id, "v_revision": revision,
            "v_primary_source_job_key": posting.source_job_key if job_id in reposts
            else before.primary_source_job_key})
        if change is not None:
            tx.emit(_updated(posting, job_id, revision, change))
    names = [*_job_fields(next(iter(sources.values()))), "revision", "primary_source_job_key"]
    await tx.conn.execute(
        canonical_jobs.update()
        .where(canonical_jobs.c.job_id == sa.bindparam("id"))
        .values({name: sa.bindparam(f"v_{name}") for name in names} | {"updated_at": now}),
        params,
    )


async def _reopen(tx: Transaction, back: Mapping[uuid.UUID, Posting],
                  now: datetime) -> dict[uuid.UUID, Posting]:
    """Open again the expired jobs a posting was seen of, unless their time is up (the
    posting's or the job's); JobReopened for each, once. The jobs reopened, by posting."""
    due = {job_id: p for job_id, p in back.items()
           if p.expires_at is None or p.expires_at > now}
    if not due:
        return {}
    ids = sa.bindparam("ids", sorted(due), type_=ARRAY(sa.Uuid))
    reopened = sorted((await tx.conn.scalars(
        canonical_jobs.update()
        .where(canonical_jobs.c.job_id == sa.any_(ids), canonical_jobs.c.expired_at.is_not(None),
               sa.or_(canonical_jobs.c.expires_at.is_(None), canonical_jobs.c.expires_at > now))
        .values(expired_at=None, expiry_reason=None, updated_at=now)
        .returning(canonical_jobs.c.job_id)
    )).all())
    if not reopened:
        return {}
    # Listed again: their source's next complete run decides afresh whether they are gone.
    await tx.conn.execute(
        job_sightings.update()
        .where(job_sightings.c.source_job_key == _any([due[j].source_job_key for j in reopened]))
        .values(gone_at=None, last_seen_at=now))
    for job_id in reopened:
        tx.emit(JobReopened(job_id=job_id, reopened_at=now,
                            source_job_key=due[job_id].source_job_key))
    return {job_id: due[job_id] for job_id in reopened}


def _content(posting: Posting) -> dict[str, Any]:
    """What JobPublished and JobUpdated say of a job's content."""
    fields = _job_fields(posting)
    return {"company": posting.company, "title": posting.title, "location": posting.location,
            "description": posting.description, "apply_url": posting.apply_url,
            **{name: fields[name] for name in (
                "city", "region", "country", "workplace", "employment_type", "salary_min",
                "salary_max", "salary_currency", "salary_period", "posted_at", "expires_at")}}


def _published(posting: Posting, job_id: uuid.UUID) -> JobPublished:
    return JobPublished(job_id=job_id, sources=[posting.source_job_key], **_content(posting))


def _updated(posting: Posting, job_id: uuid.UUID, revision: int,
             change: JobChange) -> JobUpdated:
    return JobUpdated(job_id=job_id, revision=revision, changed=list(change.changed),
                      previous=change.previous, description_diff=list(change.description_diff),
                      **_content(posting))


async def rekey_jobs(conn: AsyncConnection) -> int:
    """Key every stored job as dedup blocks now; the number rekeyed. Run at start: a job
    stored under a key an earlier rule computed would never meet a new sighting of itself,
    and would be published a second time."""
    jobs = canonical_jobs.c
    rows = await conn.execute(sa.select(jobs.job_id, jobs.canonical_key, jobs.company,
                                        jobs.title, jobs.location))
    stale = [{"job": row.job_id, "key": key} for row in rows
             if (key := fingerprint_of(row.company, row.title, parse_location(row.location)))
             != row.canonical_key]
    if stale:
        # Ingest of the same keys waits, then finds the job under its new key.
        await _lock_fingerprints(conn, {s["key"] for s in stale})
        await conn.execute(
            sa.update(canonical_jobs).where(jobs.job_id == sa.bindparam("job"))
            .values(canonical_key=sa.bindparam("key")), stale)
    return len(stale)

"""The scrape loop: read every board, keep raw postings, announce the new and the changed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from infra import tracing
from infra.clock import Clock, sleep_unless_stopped
from infra.documents import DocumentStore, InvalidDocument
from infra.uow import UnitOfWork
from schemas.events.jobs import JobDiscovered
from services.job_discovery.domain import (
    BadPosting,
    canonical_job_id,
    canonical_key,
    fingerprint,
    normalise_greenhouse_job,
)
from services.job_discovery.settings import GreenhouseBoard
from services.job_discovery.tables import job_postings

log = structlog.get_logger(__name__)

RAW_COLLECTION = "raw_jobs"


class BoardSource(Protocol):
    """Where a board's jobs come from (the Greenhouse adapter, or a fake in tests)."""

    async def board_jobs(self, board: GreenhouseBoard) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Posting:
    """A normalised posting with what decides whether it is news."""

    raw: dict[str, Any]
    event: JobDiscovered
    fingerprint: str
    canonical_job_id: uuid.UUID

    @property
    def key(self) -> str:
        return self.event.source_job_key


@dataclass
class RoundReport:
    """What one scrape round did, for logs and tests."""

    postings: int = 0
    skipped: int = 0
    emitted: int = 0
    failed_boards: list[str] = field(default_factory=list)


class Scraper:
    """Scrapes the configured boards; emits JobDiscovered only for new or changed postings."""

    def __init__(
        self,
        boards: Sequence[GreenhouseBoard],
        source: BoardSource,
        documents: DocumentStore,
        uow: UnitOfWork,
        clock: Clock,
    ) -> None:
        self._boards = boards
        self._source = source
        self._documents = documents
        self._uow = uow
        self._clock = clock

    async def run(self, stop: asyncio.Event, *, interval_s: float, on_start: bool) -> None:
        """Scrape every `interval_s` seconds until `stop`."""
        if not on_start:
            await sleep_unless_stopped(self._clock, interval_s, stop)
        while not stop.is_set():
            report = await self.scrape_round()
            log.info("scrape round done", postings=report.postings, emitted=report.emitted,
                     skipped=report.skipped, failed_boards=report.failed_boards)
            await sleep_unless_stopped(self._clock, interval_s, stop)

    async def scrape_round(self) -> RoundReport:
        """Scrape each board once; a board that fails is logged and retried next round."""
        report = RoundReport()
        for board in self._boards:
            try:
                await self.scrape_board(board, report)
            except Exception as exc:  # one bad board must not starve the others
                log.warning("board scrape failed; retrying next round",
                            board=board.board_token, error=str(exc) or repr(exc))
                report.failed_boards.append(board.board_token)
        return report

    async def scrape_board(self, board: GreenhouseBoard, report: RoundReport) -> None:
        """Fetch one board, store its new raw postings and record them with their events.

        One span: each job it announces starts its trace here, as that span's child.
        """
        attributes = {"jams.scrape.source": board.board_token, "jams.scrape.portal": "greenhouse",
                      "jams.scrape.company": board.company}
        with tracing.span(f"scrape {board.board_token}",
                          service=tracing.service_of(self._uow.source), attributes=attributes):
            await self._scrape_board(board, report)

    async def _scrape_board(self, board: GreenhouseBoard, report: RoundReport) -> None:
        postings = self._parse(board, await self._source.board_jobs(board), report)
        tracing.set_attributes({"jams.scrape.postings": len(postings)})
        known = await self._known_fingerprints([p.key for p in postings])
        fresh = [p for p in postings if known.get(p.key) != p.fingerprint]
        stored = []
        for posting in fresh:
            try:
                # Before the event commits, so whoever reads the event finds the document.
                await self._documents.put(RAW_COLLECTION, posting.key, posting.raw)
            except InvalidDocument as exc:
                log.warning("posting skipped", board=board.board_token, key=posting.key,
                            error=str(exc))
                report.skipped += 1
                continue
            stored.append(posting)
        now = self._clock.now()
        async with self._uow.transaction() as tx:
            changed = await record_fingerprints(tx.conn, stored, now)
            for posting in stored:
                if posting.key in changed:
                    tx.emit(posting.event)
            if postings:
                await tx.conn.execute(
                    job_postings.update()
                    .where(job_postings.c.source_job_key.in_([p.key for p in postings]))
                    .values(seen_at=now)
                )
        report.postings += len(postings)
        report.emitted += len(changed)
        tracing.set_attributes({"jams.scrape.new_or_changed": len(changed)})

    @staticmethod
    def _parse(
        board: GreenhouseBoard, jobs: list[dict[str, Any]], report: RoundReport
    ) -> list[Posting]:
        postings: dict[str, Posting] = {}
        for job in jobs:
            try:
                event = normalise_greenhouse_job(job, company=board.company)
            except BadPosting as exc:
                log.warning("posting skipped", board=board.board_token, error=str(exc))
                report.skipped += 1
                continue
            key = canonical_key(event.company, event.title, event.location)
            postings[event.source_job_key] = Posting(
                job, event, fingerprint(job), canonical_job_id(key)
            )
        return list(postings.values())

    async def _known_fingerprints(self, keys: list[str]) -> dict[str, str]:
        if not keys:
            return {}
        async with self._uow.engine.connect() as conn:
            rows = await conn.execute(
                sa.select(job_postings.c.source_job_key, job_postings.c.fingerprint)
                .where(job_postings.c.source_job_key.in_(keys))
            )
            return {row.source_job_key: row.fingerprint for row in rows}


async def record_fingerprints(
    conn: AsyncConnection, postings: list[Posting], now: datetime
) -> set[str]:
    """Upsert fingerprints; the keys that were inserted or changed.

    The conditional upsert decides, so two scrapers racing on one board still emit once.
    """
    if not postings:
        return set()
    statement = insert(job_postings).values([
        {"source_job_key": p.key, "fingerprint": p.fingerprint,
         "canonical_job_id": p.canonical_job_id, "first_seen_at": now, "changed_at": now,
         "seen_at": now}
        for p in postings
    ])
    upsert = statement.on_conflict_do_update(
        index_elements=[job_postings.c.source_job_key],
        set_={"fingerprint": statement.excluded.fingerprint,
              "canonical_job_id": statement.excluded.canonical_job_id,
              "changed_at": statement.excluded.changed_at,
              "seen_at": statement.excluded.seen_at},
        where=job_postings.c.fingerprint != statement.excluded.fingerprint,
    ).returning(job_postings.c.source_job_key)
    return set((await conn.scalars(upsert)).all())

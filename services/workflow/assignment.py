"""Assignment: offer queued tasks to eligible available reviewers, within their capacity."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import structlog

from infra.clock import Clock, sleep_unless_stopped
from infra.presence import PresenceEntry, PresenceReader, PresenceUnavailable
from infra.uow import Transaction, UnitOfWork
from services.workflow import messages, reviewer_store, timer_store
from services.workflow import repository as repo
from services.workflow.domain import Refused, ReviewTask, SlaPolicy, offer
from services.workflow.policy import (
    AssignmentPolicy,
    Candidate,
    available_reviewers,
    came_back,
    free_slot,
    is_available,
    order_candidates,
)
from services.workflow.timers import next_timer

log = structlog.get_logger(__name__)

# How many queued tasks one feed or sweep looks past (tasks nobody may take) before stopping.
_LOOKAHEAD = 50


@dataclass(frozen=True)
class Assigner:
    """Offers inside the caller's transaction; PostgreSQL referees concurrent attempts.

    Presence (the gateway's, read only) nominates reviewers, less those the workflow sent
    away who have not come back since; the task row lock (FOR UPDATE SKIP LOCKED) keeps a
    task from going to two reviewers, and the unique (reviewer, slot) index keeps a reviewer
    within capacity, however many handlers and replicas race.
    """

    presence: PresenceReader
    sla: SlaPolicy
    presence_ttl: timedelta
    policy: AssignmentPolicy = AssignmentPolicy.ROUND_ROBIN
    capacity: int = 1
    skills: Mapping[uuid.UUID, frozenset[str]] = field(default_factory=dict)

    async def offer(self, tx: Transaction, task: ReviewTask,
                    exclude: Collection[uuid.UUID] = ()) -> ReviewTask | None:
        """Offer a queued task (created or locked in `tx`) to the first eligible reviewer."""
        entries = await self._entries()
        present = available_reviewers(entries, tx.clock.now(), self.presence_ttl) - set(exclude)
        records = await reviewer_store.records(tx.conn, present)
        available = {rid for rid in present
                     if rid not in records or came_back(entries[rid], records[rid].sent_away_at)}
        if not available:
            return None
        slots = await repo.held_slots(tx.conn, available)
        candidates = [
            Candidate(rid, len(slots.get(rid, ())),
                      records[rid].last_offered_at if rid in records else None,
                      self.skills.get(rid, frozenset()))
            for rid in available
        ]
        barred = {rid for rid, rec in records.items() if rec.barred}
        for reviewer_id in order_candidates(candidates, self.policy, task.tags, self.capacity,
                                            task.barred, barred):
            if (done := await self._try(tx, task, reviewer_id, slots.get(reviewer_id, set()))):
                return done
        return None

    async def feed(self, tx: Transaction, reviewer_id: uuid.UUID) -> list[ReviewTask]:
        """Fill `reviewer_id`'s free capacity from the queue, if they are available."""
        entry = await self._entry(reviewer_id)
        record = (await reviewer_store.records(tx.conn, [reviewer_id])).get(reviewer_id)
        sent_away_at = None if record is None else record.sent_away_at
        if not is_available(entry, tx.clock.now(), self.presence_ttl, sent_away_at):
            return []
        if record is not None and record.barred:
            return []
        given: list[ReviewTask] = []
        skipped: set[uuid.UUID] = set()
        mine = self.skills.get(reviewer_id, frozenset())
        while len(skipped) < _LOOKAHEAD:
            used = (await repo.held_slots(tx.conn, [reviewer_id])).get(reviewer_id, set())
            if free_slot(used, self.capacity) is None:
                break
            task = await repo.lock_next_queued(tx.conn, skip=skipped)
            if task is None:
                break
            skipped.add(task.task_id)
            if reviewer_id in task.barred or (task.tags and mine and not task.tags <= mine):
                continue
            if (done := await self._try(tx, task, reviewer_id, used)) is None:
                break
            given.append(done)
        return given

    async def assign_next(
        self, tx: Transaction, skip: Collection[uuid.UUID]
    ) -> tuple[uuid.UUID, bool] | None:
        """Offer the first queued task not in `skip`: its id and whether it was offered."""
        task = await repo.lock_next_queued(tx.conn, skip=skip)
        if task is None:
            return None
        return task.task_id, await self.offer(tx, task) is not None

    # Redis down must not fail (and eventually dead-letter) a decision or a completion: the
    # task just stays queued, and the sweep assigns it once presence is readable again.
    async def _entries(self) -> dict[uuid.UUID, PresenceEntry]:
        try:
            return await self.presence.entries()
        except PresenceUnavailable as exc:
            log.warning("presence unreadable; no assignment now", error=str(exc))
            return {}

    async def _entry(self, reviewer_id: uuid.UUID) -> PresenceEntry | None:
        try:
            return await self.presence.get(reviewer_id)
        except PresenceUnavailable as exc:
            log.warning("presence unreadable; no assignment now", error=str(exc))
            return None

    async def _try(self, tx: Transaction, task: ReviewTask, reviewer_id: uuid.UUID,
                   used: Collection[int]) -> ReviewTask | None:
        slot = free_slot(used, self.capacity)
        if slot is None:
            return None
        try:
            offered = offer(task, reviewer_id, slot, tx.clock.now(), self.sla)
        except Refused:
            return None
        if not await repo.save_offer(tx.conn, offered):
            log.info("reviewer's slot filled meanwhile", task_id=str(task.task_id),
                     reviewer_id=str(reviewer_id))
            return None
        await reviewer_store.mark_offered(tx.conn, reviewer_id, tx.clock.now())
        await timer_store.put(tx.conn, offered.task_id, next_timer(offered))
        tx.emit(messages.offered(offered))
        log.info("task offered", task_id=str(task.task_id), reviewer_id=str(reviewer_id))
        return offered


@dataclass(frozen=True)
class Sweeper:
    """Periodically offers queued tasks to idle reviewers.

    Events trigger assignment at once; the sweep closes the gaps between them (a reviewer who
    came online while the task's own transaction was still uncommitted, a lost race).
    """

    assigner: Assigner
    uow: UnitOfWork
    clock: Clock
    interval_s: float

    async def sweep(self) -> int:
        """Offer queued tasks until none is left to try; how many were offered."""
        tried: set[uuid.UUID] = set()
        count = failures = 0
        # A run of tasks nobody can take means no reviewer is free: stop until the next sweep.
        while failures < 10:
            async with self.uow.transaction() as tx:
                attempt = await self.assigner.assign_next(tx, tried)
            if attempt is None:
                break
            task_id, offered = attempt
            tried.add(task_id)
            count += offered
            failures = 0 if offered else failures + 1
        return count

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.sweep()
            except Exception:  # a database or Redis outage: the next sweep tries again
                log.exception("assignment sweep failed")
            await sleep_unless_stopped(self.clock, self.interval_s, stop)

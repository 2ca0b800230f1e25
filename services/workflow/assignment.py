"""Assignment: match queued tasks with idle available reviewers, one task per reviewer."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta

import structlog

from infra.clock import Clock, sleep_unless_stopped
from infra.uow import Transaction, UnitOfWork
from services.workflow import messages
from services.workflow import repository as repo
from services.workflow.adapters.presence import Presence, PresenceUnavailable
from services.workflow.domain import (
    PresenceEntry,
    ReviewTask,
    assign,
    available_reviewers,
    choose_reviewer,
    is_available,
)

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Assigner:
    """Assigns inside the caller's transaction; PostgreSQL referees concurrent attempts.

    Presence (Redis) only nominates reviewers; the task row lock (FOR UPDATE SKIP LOCKED)
    keeps a task from going to two reviewers, and the partial unique index keeps a reviewer
    from holding two tasks, however many handlers and replicas race.
    """

    presence: Presence
    sla: timedelta
    presence_ttl: timedelta

    async def offer(self, tx: Transaction, task: ReviewTask) -> ReviewTask | None:
        """Give a queued task (created or locked in `tx`) to the idle reviewer waiting longest."""
        now = tx.clock.now()
        available = available_reviewers(await self._entries(), now, self.presence_ttl)
        busy = await repo.busy_reviewers(tx.conn, available)
        last = await repo.last_assigned(tx.conn, available)
        for reviewer_id in choose_reviewer(available, busy, last):
            if (done := await self._try(tx, task, reviewer_id)) is not None:
                return done
        return None

    async def feed(self, tx: Transaction, reviewer_id: uuid.UUID) -> ReviewTask | None:
        """Give `reviewer_id` the oldest queued task, if they are available and idle."""
        entry = await self._entry(reviewer_id)
        if not is_available(entry, tx.clock.now(), self.presence_ttl):
            return None
        if await repo.busy_reviewers(tx.conn, [reviewer_id]):
            return None
        task = await repo.lock_oldest_queued(tx.conn)
        return None if task is None else await self._try(tx, task, reviewer_id)

    async def assign_oldest(self, tx: Transaction) -> ReviewTask | None:
        """Offer the oldest queued task that no one else is assigning right now."""
        task = await repo.lock_oldest_queued(tx.conn)
        return None if task is None else await self.offer(tx, task)

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
            return await self.presence.entry(reviewer_id)
        except PresenceUnavailable as exc:
            log.warning("presence unreadable; no assignment now", error=str(exc))
            return None

    async def _try(
        self, tx: Transaction, task: ReviewTask, reviewer_id: uuid.UUID
    ) -> ReviewTask | None:
        assigned = assign(task, reviewer_id, tx.clock.now(), self.sla)
        if not await repo.save_assignment(tx.conn, assigned):
            log.info("reviewer took another task meanwhile", task_id=str(task.task_id),
                     reviewer_id=str(reviewer_id))
            return None
        tx.emit(messages.assigned(assigned))
        log.info("task assigned", task_id=str(task.task_id), reviewer_id=str(reviewer_id))
        return assigned


@dataclass(frozen=True)
class Sweeper:
    """Periodically assigns queued tasks to idle reviewers.

    Events trigger assignment at once; the sweep closes the gaps between them (a reviewer who
    came online while the task's own transaction was still uncommitted, a lost race).
    """

    assigner: Assigner
    uow: UnitOfWork
    clock: Clock
    interval_s: float

    async def sweep(self) -> int:
        """Assign until no queued task or no idle reviewer is left; how many were assigned."""
        count = 0
        while True:
            async with self.uow.transaction() as tx:
                if await self.assigner.assign_oldest(tx) is None:
                    return count
            count += 1

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.sweep()
            except Exception:  # a database or Redis outage: the next sweep tries again
                log.exception("assignment sweep failed")
            await sleep_unless_stopped(self.clock, self.interval_s, stop)

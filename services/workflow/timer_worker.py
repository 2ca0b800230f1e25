"""Fires due SLA timers from PostgreSQL; any number of replicas may run it side by side."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import structlog

from infra.clock import Clock, sleep_unless_stopped
from infra.uow import Transaction, UnitOfWork
from services.workflow import repository as repo
from services.workflow import timer_store
from services.workflow.lifecycle import Lifecycle
from services.workflow.timers import Timer

log = structlog.get_logger(__name__)

RETRY_AFTER = timedelta(seconds=5)


@dataclass(frozen=True)
class TimerWorker:
    """Claims due timers with SKIP LOCKED and fires each in the claiming transaction.

    A timer row is deleted in the same transaction that acts on it, so a replica killed
    mid-way leaves the timer to be fired again by whoever is alive; the task's revision
    makes a second firing of an acted-on timer a no-op.
    """

    uow: UnitOfWork
    lifecycle: Lifecycle
    clock: Clock
    poll_s: float
    batch: int = 100

    async def fire_due(self) -> int:
        """Fire every timer due now; how many were fired."""
        fired = 0
        while True:
            try:
                count = await self._fire_batch()
            except Exception:  # one bad timer must not hold up the rest: isolate it
                log.exception("timer batch failed; firing one by one")
                count = await self._fire_singly()
            fired += count
            # Firing can set the next timer already due (a warning and its deadline after a
            # stall), so go round until a pass fires nothing.
            if count == 0:
                return fired

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.fire_due()
                wait = await self._until_next()
            except Exception:  # database outage: try again after a poll interval
                log.exception("timer poll failed")
                wait = self.poll_s
            await sleep_unless_stopped(self.clock, wait, stop)

    async def _fire_batch(self) -> int:
        async with self.uow.transaction() as tx:
            timers = await timer_store.claim_due(tx.conn, self.clock.now(), self.batch)
            count = 0
            for timer in timers:
                count += await self._fire_one(tx, timer)
            return count

    async def _fire_singly(self) -> int:
        async with self.uow.transaction() as tx:
            timers = await timer_store.claim_due(tx.conn, self.clock.now(), self.batch)
        count = 0
        for timer in timers:
            try:
                async with self.uow.transaction() as tx:
                    if await timer_store.reclaim(tx.conn, timer):
                        count += await self._fire_one(tx, timer)
            except Exception:
                log.exception("timer failed; retrying later", task_id=str(timer.task_id),
                              kind=timer.kind.value)
                async with self.uow.transaction() as tx:
                    await timer_store.postpone(tx.conn, timer, self.clock.now() + RETRY_AFTER)
        return count

    async def _fire_one(self, tx: Transaction, timer: Timer) -> int:
        # Never wait for a task row: a command holding it may itself wait for this timer row.
        task = await repo.lock_task_if_free(tx.conn, timer.task_id)
        if task is None:
            return 0
        if not await self.lifecycle.fire(tx, timer, task):
            await timer_store.delete(tx.conn, timer)
        return 1

    async def _until_next(self) -> float:
        async with self.uow.engine.connect() as conn:
            at = await timer_store.next_fire_at(conn)
        if at is None:
            return self.poll_s
        return min(self.poll_s, max(0.0, (at - self.clock.now()).total_seconds()))

"""Re-score tasks: queued on RescoreRequested, run one at a time per replica, told back as
RescoreProgressed; and the announcement of a new weights version.

Priority: the request event only queues the task (a row), so a high-priority request behind
normal ones on the topic is queued at once, and each replica claims the next task highest
priority first, then oldest (FOR UPDATE SKIP LOCKED): a high one waits only for the tasks
already running.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import insert

from infra.clock import sleep_unless_stopped
from infra.uow import Transaction, UnitOfWork
from schemas.events.rescoring import RescoreProgressed, RescoreRequested, ScoringWeightsChanged
from services.ats_engine.tables import rescore_queue, weights_state
from services.ats_engine.weights import WeightsSource

log = structlog.get_logger(__name__)
PRIORITY = {"normal": 0, "high": 1}
_ACTIVE = ("queued", "running")


class NotScorable(Exception):
    """A job that cannot be scored now; `retry`: it may be, later."""

    def __init__(self, reason: str, *, retry: bool) -> None:
        super().__init__(reason)
        self.retry = retry


class JobRescorer(Protocol):
    async def rescore_job(self, tx: Transaction, job_id: uuid.UUID) -> int:
        """The job scored again: the number of pairs; NotScorable when it cannot be."""


async def on_rescore_requested(event: RescoreRequested, tx: Transaction) -> None:
    """Queued, to be claimed by the next free replica in priority order."""
    await tx.conn.execute(insert(rescore_queue).values(
        task_id=event.task_id, job_id=event.job_id, priority=PRIORITY[event.priority],
        requested_at=event.requested_at, status="queued", not_before=event.requested_at,
    ).on_conflict_do_nothing())


async def claim_next(tx: Transaction, lease_s: float) -> dict[str, Any] | None:
    """The next task, highest priority first then oldest, leased to this caller: queued, or
    running under a lease that ran out (its replica died); None when there is none."""
    now = tx.clock.now()
    row = (await tx.conn.execute(
        sa.select(rescore_queue).where(rescore_queue.c.status.in_(_ACTIVE),
                                       rescore_queue.c.not_before <= now)
        .order_by(rescore_queue.c.priority.desc(), rescore_queue.c.requested_at,
                  rescore_queue.c.task_id)
        .limit(1).with_for_update(skip_locked=True))).mappings().first()
    if row is None:
        return None
    lease = now + timedelta(seconds=lease_s)
    await tx.conn.execute(rescore_queue.update().where(
        rescore_queue.c.task_id == row["task_id"]).values(
        status="running", not_before=lease, attempts=rescore_queue.c.attempts + 1))
    if row["status"] == "queued":
        tx.emit(RescoreProgressed(task_id=row["task_id"], job_id=row["job_id"],
                                  status="running", at=now))
    return {**row, "status": "running", "not_before": lease, "attempts": row["attempts"] + 1}


@dataclass
class RescoreWorker:
    """Claims and runs re-score tasks until stopped."""

    uow: UnitOfWork
    rescorer: JobRescorer
    weights: WeightsSource
    poll_interval_s: float = 1.0
    lease_s: float = 900.0
    retry_after_s: float = 3.0
    max_attempts: int = 40

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except Exception as exc:  # a database hiccup must not end the loop
                log.warning("re-score task loop failed", error=str(exc))
                busy = False
            if not busy and await sleep_unless_stopped(self.uow.clock, self.poll_interval_s,
                                                       stop):
                return

    async def run_once(self) -> bool:
        """One task claimed and run; False when none was due."""
        async with self.uow.transaction() as tx:
            task = await claim_next(tx, self.lease_s)
        if task is None:
            return False
        if task["attempts"] > self.max_attempts:
            # Claimed again and again because its runs never end (each took its replica
            # down): failed rather than taking the next one down too.
            async with self.uow.transaction() as tx:
                if await self._still_ours(tx, task):
                    await self._finish(tx, task, "failed", error="its runs never finished")
            return True
        try:
            async with self.uow.transaction() as tx:
                if not await self._still_ours(tx, task):
                    return True
                # Read before scoring: weights that change during the run make the task end
                # with the older version, so the job is asked again under the newer one.
                version = self.weights.current().version
                pairs = await self.rescorer.rescore_job(tx, task["job_id"])
                await self._finish(tx, task, "done", pairs=pairs, weights_version=version)
        except NotScorable as exc:
            await self._not_now(task, str(exc), exc.retry)
        except Exception as exc:
            log.exception("re-score task failed", task_id=str(task["task_id"]))
            await self._not_now(task, f"scoring failed: {type(exc).__name__}", retry=True)
        return True

    async def _still_ours(self, tx: Transaction, task: dict[str, Any]) -> bool:
        """The task's row locked while it runs, if no replica claimed it since (each claim
        counts an attempt)."""
        return await tx.conn.scalar(sa.select(rescore_queue.c.task_id).where(
            rescore_queue.c.task_id == task["task_id"], rescore_queue.c.status == "running",
            rescore_queue.c.attempts == task["attempts"]).with_for_update()) is not None

    async def _not_now(self, task: dict[str, Any], reason: str, retry: bool) -> None:
        """Queued again a little later, or failed once it was tried enough."""
        async with self.uow.transaction() as tx:
            if not await self._still_ours(tx, task):
                return
            if retry and task["attempts"] < self.max_attempts:
                await tx.conn.execute(rescore_queue.update().where(
                    rescore_queue.c.task_id == task["task_id"]).values(
                    not_before=tx.clock.now() + timedelta(seconds=self.retry_after_s)))
                return
            log.warning("re-score task failed", task_id=str(task["task_id"]), reason=reason)
            await self._finish(tx, task, "failed", error=reason)

    @staticmethod
    async def _finish(tx: Transaction, task: dict[str, Any], status: str, *, pairs: int = 0,
                      weights_version: str | None = None, error: str | None = None) -> None:
        now = tx.clock.now()
        await tx.conn.execute(rescore_queue.update().where(
            rescore_queue.c.task_id == task["task_id"]).values(status=status, finished_at=now))
        tx.emit(RescoreProgressed(task_id=task["task_id"], job_id=task["job_id"],
                                  status=status, pairs=pairs, weights_version=weights_version,
                                  error=error, at=now))


@dataclass
class WeightsWatch:
    """Announces the weights version the engine scores with when it is another than before,
    once whichever replica notices first."""

    uow: UnitOfWork
    weights: WeightsSource
    poll_interval_s: float = 5.0
    name: str = "scoring"

    async def run(self, stop: asyncio.Event) -> None:
        seen: str | None = None
        while not stop.is_set():
            version = self.weights.current().version
            if version != seen:
                try:
                    await self.record(version)
                    seen = version
                except Exception as exc:  # tried again on the next tick
                    log.warning("could not record the weights version", error=str(exc))
            if await sleep_unless_stopped(self.uow.clock, self.poll_interval_s, stop):
                return

    async def record(self, version: str) -> bool:
        """The version stored as the one scored with; True when it changed (announced)."""
        async with self.uow.transaction() as tx:
            now = tx.clock.now()
            await tx.conn.execute(insert(weights_state).values(
                name=self.name, version=version, changed_at=now).on_conflict_do_nothing())
            previous = await tx.conn.scalar(sa.select(weights_state.c.version).where(
                weights_state.c.name == self.name).with_for_update())
            if previous == version:
                return False
            await tx.conn.execute(weights_state.update().where(
                weights_state.c.name == self.name).values(version=version, changed_at=now))
            tx.emit(ScoringWeightsChanged(name=self.name, version=version,
                                          previous=str(previous), changed_at=now))
            log.info("weights version changed", version=version, previous=previous)
            return True


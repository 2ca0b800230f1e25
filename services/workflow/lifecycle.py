"""Task transitions after the offer: accept, hand back, close, and what SLA timers do."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from infra.uow import Transaction
from schemas.events import review
from schemas.events.envelope import EventData
from services.workflow import domain, messages, reviewer_store, timer_store
from services.workflow import repository as repo
from services.workflow.assignment import Assigner
from services.workflow.domain import Refused, ReviewTask, TaskState
from services.workflow.strikes import StrikeOutcome, StrikeRules, outcome, strikes_in_window
from services.workflow.timers import Timer, TimerKind, is_current, next_timer

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Lifecycle:
    """Every transition of a held task, each in the caller's transaction with its events."""

    assigner: Assigner
    strike_rules: StrikeRules = field(default_factory=StrikeRules)
    supervisors: Mapping[uuid.UUID, uuid.UUID] = field(default_factory=dict)

    async def accept(self, tx: Transaction, task_id: uuid.UUID, reviewer_id: uuid.UUID) -> None:
        task = await self._locked(tx, task_id)
        if task is None:
            return
        try:
            taken = domain.accept(task, reviewer_id, tx.clock.now(), self.assigner.sla)
        except Refused as refusal:
            return _ignored("acceptance", refusal, task, reviewer_id)
        await self._save(tx, taken)
        tx.emit(messages.assigned(taken))

    async def complete(self, tx: Transaction, task_id: uuid.UUID, reviewer_id: uuid.UUID,
                       resume_version_id: uuid.UUID | None) -> None:
        await self._close(tx, task_id, reviewer_id, "completion", messages.completed,
                          lambda task, now: domain.complete(task, reviewer_id,
                                                            resume_version_id, now))

    async def reject(self, tx: Transaction, task_id: uuid.UUID, reviewer_id: uuid.UUID,
                     reason: str) -> None:
        await self._close(tx, task_id, reviewer_id, "rejection", messages.rejected,
                          lambda task, now: domain.reject(task, reviewer_id, reason, now))

    async def _close(self, tx: Transaction, task_id: uuid.UUID, reviewer_id: uuid.UUID,
                     what: str, announce: Callable[[ReviewTask], EventData],
                     close: Callable[[ReviewTask, datetime], ReviewTask]) -> None:
        """Close the reviewer's task as `close` does, announce it and feed them the next one;
        a refused `what` is logged and changes nothing."""
        task = await self._locked(tx, task_id)
        if task is None:
            return
        try:
            done = close(task, tx.clock.now())
        except Refused as refusal:
            return _ignored(what, refusal, task, reviewer_id)
        await self._save(tx, done)
        tx.emit(announce(done))
        await self.assigner.feed(tx, reviewer_id)

    async def hand_back(self, tx: Transaction, task_id: uuid.UUID,
                        reviewer_id: uuid.UUID) -> None:
        """Back to the queue; free before the warning, a strike after it; a declined offer
        sets the reviewer away, as an unanswered one does."""
        task = await self._locked(tx, task_id)
        if task is None:
            return
        try:
            outcome = domain.hand_back(task, reviewer_id, tx.clock.now())
        except Refused as refusal:
            return _ignored("hand-back", refusal, task, reviewer_id)
        await self._save(tx, outcome.task)
        tx.emit(messages.handed_back(task, outcome.struck, outcome.declined_offer))
        if outcome.declined_offer:
            # Away first, so neither the re-offer below nor a sweep offers them the next task.
            await self._set_away(tx, reviewer_id)
        if outcome.struck:
            await self.strike(tx, reviewer_id, task)
        await self.assigner.offer(tx, outcome.task, exclude={reviewer_id})

    async def fire(self, tx: Transaction, timer: Timer, task: ReviewTask | None) -> bool:
        """Act on a due timer whose task the caller has locked; False if it was stale.

        Acting replaces the task's timer row (with the next one, or none), so only a stale
        timer is left for the caller to delete.
        """
        if task is None or not is_current(timer, task):
            return False  # the task moved on
        if timer.kind is TimerKind.OFFER_EXPIRY and task.state is TaskState.OFFERED:
            await self._requeue_from_absent(tx, task, missed=False)
        elif (timer.kind is TimerKind.WARNING and task.state is TaskState.ASSIGNED
              and not task.warned):
            warned = domain.warn(task)
            await self._save(tx, warned)
            tx.emit(messages.warning(warned))
        elif timer.kind is TimerKind.DEADLINE and task.state is TaskState.ASSIGNED:
            await self._requeue_from_absent(tx, task, missed=True)
        else:
            return False
        return True

    async def strike(self, tx: Transaction, reviewer_id: uuid.UUID, task: ReviewTask) -> None:
        """Record a strike and warn or lock when the count calls for it."""
        record = await reviewer_store.lock_reviewer_row(tx.conn, reviewer_id)
        now = tx.clock.now()
        if not await reviewer_store.add_strike(tx.conn, reviewer_id, task.task_id,
                                               task.revision, now):
            return
        count = strikes_in_window(await reviewer_store.strike_times(tx.conn, reviewer_id), now,
                                  self.strike_rules, record.strikes_cleared_at)
        tx.emit(review.ReviewerStruck(reviewer_id=reviewer_id, task_id=task.task_id, strikes=count))
        result = outcome(count, self.strike_rules)
        if result is StrikeOutcome.WARNED:
            tx.emit(review.ReviewerStrikeWarning(reviewer_id=reviewer_id, strikes=count,
                                          supervisor_id=self.supervisors.get(reviewer_id)))
        elif result is StrikeOutcome.LOCKED and record.locked_at is None:
            await reviewer_store.set_locked(tx.conn, reviewer_id, now)
            tx.emit(review.ReviewerLocked(reviewer_id=reviewer_id, strikes=count))
            log.warning("reviewer locked", reviewer_id=str(reviewer_id), strikes=count)

    async def unlock(self, tx: Transaction, reviewer_id: uuid.UUID, admin_id: str,
                     reason: str) -> bool:
        """An admin's unlock, with the reason kept; False if the reviewer was not locked."""
        record = await reviewer_store.lock_reviewer_row(tx.conn, reviewer_id)
        if record.locked_at is None:
            log.info("unlock of a reviewer who is not locked ignored",
                     reviewer_id=str(reviewer_id))
            return False
        await reviewer_store.set_unlocked(tx.conn, reviewer_id, tx.clock.now(), admin_id, reason)
        tx.emit(review.ReviewerUnlocked(reviewer_id=reviewer_id, admin_id=admin_id, reason=reason))
        await self.assigner.feed(tx, reviewer_id)
        return True

    async def access_changed(self, tx: Transaction, reviewer_id: uuid.UUID,
                             may_review: bool) -> None:
        """An account that may no longer review is offered nothing more, and every task it
        holds goes back to the queue (no strike: it is not the reviewer's doing) and on to
        someone else; one that may again is fed from the queue."""
        await reviewer_store.lock_reviewer_row(tx.conn, reviewer_id)
        if may_review:
            await reviewer_store.set_disabled(tx.conn, reviewer_id, None)
            await self.assigner.feed(tx, reviewer_id)
            return
        await reviewer_store.set_disabled(tx.conn, reviewer_id, tx.clock.now())
        for task in await repo.lock_held_by(tx.conn, reviewer_id):
            back = domain.requeue(task, missed=False)
            await self._save(tx, back)
            tx.emit(review.ReviewTaskWithdrawn(task_id=task.task_id, reviewer_id=reviewer_id))
            log.info("task withdrawn: the reviewer may no longer review",
                     task_id=str(task.task_id), reviewer_id=str(reviewer_id))
            await self.assigner.offer(tx, back, exclude={reviewer_id})

    async def _requeue_from_absent(self, tx: Transaction, task: ReviewTask,
                                   missed: bool) -> None:
        """Back to the queue from a reviewer who let an offer expire or (`missed`) the SLA
        run out, who is set away; a missed SLA is also a strike."""
        absent = task.reviewer_id
        assert absent is not None  # an offered or assigned task has one (check constraint)
        back = domain.requeue(task, missed=missed)
        await self._save(tx, back)
        tx.emit(messages.missed(task) if missed else messages.offer_expired(task))
        # Away first, so the re-offer below (and any other) skips someone who is not there.
        await self._set_away(tx, absent)
        if missed:
            await self.strike(tx, absent, task)
        await self.assigner.offer(tx, back, exclude={absent})

    async def _set_away(self, tx: Transaction, reviewer_id: uuid.UUID) -> None:
        # Kept here and announced; the gateway, which owns presence, marks the reviewer away
        # when the event reaches it, and until then the mark keeps offers from them.
        await reviewer_store.mark_sent_away(tx.conn, reviewer_id, tx.clock.now())
        tx.emit(review.ReviewerPresenceChanged(reviewer_id=reviewer_id, status="away"))

    async def _locked(self, tx: Transaction, task_id: uuid.UUID) -> ReviewTask | None:
        task = await repo.lock_task(tx.conn, task_id)
        if task is None:
            log.warning("command for an unknown task ignored", task_id=str(task_id))
        return task

    async def _save(self, tx: Transaction, task: ReviewTask) -> None:
        await repo.save(tx.conn, task)
        await timer_store.put(tx.conn, task.task_id, next_timer(task))


def _ignored(what: str, refusal: Refused, task: ReviewTask, reviewer_id: uuid.UUID) -> None:
    log.warning(f"{what} ignored", reason=str(refusal), task_id=str(task.task_id),
                reviewer_id=str(reviewer_id))

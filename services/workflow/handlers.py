"""What the workflow does on each event; every handler runs in one transaction with its events."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from infra.uow import Transaction
from schemas.events.matching import ManualReviewRequired
from schemas.events.review import CompleteReviewTask, RejectReviewTask, ReviewerPresenceChanged
from services.workflow import messages
from services.workflow import repository as repo
from services.workflow.assignment import Assigner
from services.workflow.domain import Refused, complete, new_task, reject

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class WorkflowHandlers:
    """The handlers, bound to the ports they need."""

    assigner: Assigner

    async def on_manual_review_required(self, event: ManualReviewRequired, tx: Transaction) -> None:
        """Queue a task for the match and offer it to an idle reviewer at once."""
        task = new_task(event, tx.clock.now())
        if not await repo.insert_task(tx.conn, task):
            log.info("task for this match exists already", task_id=str(task.task_id))
            return
        tx.emit(messages.created(task))
        await self.assigner.offer(tx, task)

    async def on_presence_changed(self, event: ReviewerPresenceChanged, tx: Transaction) -> None:
        """A reviewer who became available gets the oldest queued task."""
        # Other statuses need no action yet: an assigned task stays with its reviewer until
        # the SLA timers (a later issue) revoke it.
        if event.status == "available":
            await self.assigner.feed(tx, event.reviewer_id)

    async def on_complete(self, command: CompleteReviewTask, tx: Transaction) -> None:
        """The assigned reviewer approves; anyone else is ignored."""
        task = await repo.lock_task(tx.conn, command.task_id)
        if task is None:
            log.warning("completion of an unknown task ignored", task_id=str(command.task_id))
            return
        try:
            done = complete(task, command.reviewer_id, command.resume_version_id, tx.clock.now())
        except Refused as refusal:
            log.warning("completion ignored", reason=str(refusal), task_id=str(task.task_id),
                        reviewer_id=str(command.reviewer_id))
            return
        await repo.save_closed(tx.conn, done)
        tx.emit(messages.completed(done))
        await self.assigner.feed(tx, command.reviewer_id)

    async def on_reject(self, command: RejectReviewTask, tx: Transaction) -> None:
        """The assigned reviewer declines to apply; anyone else is ignored."""
        task = await repo.lock_task(tx.conn, command.task_id)
        if task is None:
            log.warning("rejection of an unknown task ignored", task_id=str(command.task_id))
            return
        try:
            done = reject(task, command.reviewer_id, command.reason, tx.clock.now())
        except Refused as refusal:
            log.warning("rejection ignored", reason=str(refusal), task_id=str(task.task_id),
                        reviewer_id=str(command.reviewer_id))
            return
        await repo.save_closed(tx.conn, done)
        tx.emit(messages.rejected(done))
        await self.assigner.feed(tx, command.reviewer_id)

"""What the workflow does on each event; every handler runs in one transaction with its events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import structlog

from infra.uow import Transaction
from schemas.events import review
from schemas.events.applications import ApplicationNeedsReview
from schemas.events.jobs import JobUpdated
from schemas.events.matching import ManualReviewRequired
from services.workflow import messages
from services.workflow import repository as repo
from services.workflow.assignment import Assigner
from services.workflow.domain import ReviewTask, escalated_task, new_task
from services.workflow.job_changes import with_job_change
from services.workflow.lifecycle import Lifecycle
from services.workflow.priority import PriorityWeights, priority

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class WorkflowHandlers:
    """The handlers, bound to the ports they need."""

    assigner: Assigner
    lifecycle: Lifecycle
    weights: PriorityWeights = field(default_factory=PriorityWeights)
    boost: timedelta = timedelta(hours=1)

    async def on_manual_review_required(self, event: ManualReviewRequired, tx: Transaction) -> None:
        """Queue a task for the match, ranked by priority, and offer it at once."""
        now = tx.clock.now()
        value = priority(event.score, now, self.weights, event.job_posted_at,
                         event.candidate_plan)
        task = new_task(event, now, priority=value, boost=self.boost,
                        tags=frozenset(event.review_tags))
        await self._queue(tx, task)

    async def on_application_needs_review(self, event: ApplicationNeedsReview,
                                          tx: Transaction) -> None:
        """The bot met a question the candidate's verified facts cannot answer: a person
        decides. The match was approved already, so it ranks as one at the auto threshold."""
        assert tx.cause is not None, "handlers run inside UnitOfWork.handling, which sets it"
        now = tx.clock.now()
        score = event.score if event.score is not None else self.weights.auto_threshold
        task = escalated_task(event, tx.cause.id, now,
                              priority=priority(score, now, self.weights), boost=self.boost)
        await self._queue(tx, task)

    async def _queue(self, tx: Transaction, task: ReviewTask) -> None:
        if not await repo.insert_task(tx.conn, task):
            log.info("task exists already", task_id=str(task.task_id))
            return
        tx.emit(messages.created(task))
        await self.assigner.offer(tx, task)

    async def on_job_updated(self, event: JobUpdated, tx: Transaction) -> None:
        """The job's open tasks show its new title and apply URL, and say what changed; the
        ATS engine scores the match again on its own (a flipped decision is a new task)."""
        for task in await repo.lock_open_of_job(tx.conn, event.job_id):
            changed = with_job_change(task, event)
            if changed is not None:
                await repo.save(tx.conn, changed)
                tx.emit(messages.job_changed(changed))

    async def on_presence_changed(self, event: review.ReviewerPresenceChanged,
                                  tx: Transaction) -> None:
        """A reviewer who became available is offered queued tasks up to their capacity."""
        # Away and offline need no action: a held task runs out through its timers.
        if event.status == "available":
            await self.assigner.feed(tx, event.reviewer_id)

    async def on_accept(self, command: review.AcceptReviewTask, tx: Transaction) -> None:
        await self.lifecycle.accept(tx, command.task_id, command.reviewer_id)

    async def on_complete(self, command: review.CompleteReviewTask, tx: Transaction) -> None:
        await self.lifecycle.complete(tx, command.task_id, command.reviewer_id,
                                      command.resume_version_id)

    async def on_reject(self, command: review.RejectReviewTask, tx: Transaction) -> None:
        await self.lifecycle.reject(tx, command.task_id, command.reviewer_id, command.reason)

    async def on_hand_back(self, command: review.HandBackReviewTask, tx: Transaction) -> None:
        await self.lifecycle.hand_back(tx, command.task_id, command.reviewer_id)

    async def on_access_changed(self, event: review.ReviewerAccessChanged, tx: Transaction) -> None:
        await self.lifecycle.access_changed(tx, event.reviewer_id, event.may_review)

    async def on_unlock(self, command: review.UnlockReviewer, tx: Transaction) -> None:
        await self.lifecycle.unlock(tx, command.reviewer_id, command.admin_id, command.reason)

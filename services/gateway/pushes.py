"""Raw handlers that turn task events into messages on the assigned reviewer's socket."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from schemas.events.envelope import Envelope
from schemas.events.review import ReviewTaskAssigned, ReviewTaskMissed, TaskCompleted, TaskRejected
from services.gateway import protocol
from services.gateway.adapters.fanout import RedisFanout
from services.gateway.adapters.offers import RedisOfferBook


@dataclass(frozen=True)
class TaskPushes:
    """Raw handlers (no database): redelivery only repeats a push the page already dedups."""

    offers: RedisOfferBook
    fanout: RedisFanout

    async def on_assigned(self, event: ReviewTaskAssigned, envelope: Envelope) -> None:
        message = protocol.task_offered(event)
        # Stored before pushing, so a page connecting in between still sees the offer.
        await self.offers.put(event.reviewer_id, event.task_id, message)
        await self.fanout.push(event.reviewer_id, message)

    async def on_completed(self, event: TaskCompleted, envelope: Envelope) -> None:
        await self._close(event.reviewer_id, event.task_id, "completed")

    async def on_rejected(self, event: TaskRejected, envelope: Envelope) -> None:
        await self._close(event.reviewer_id, event.task_id, "rejected")

    async def on_missed(self, event: ReviewTaskMissed, envelope: Envelope) -> None:
        await self._close(event.reviewer_id, event.task_id, "missed")

    async def _close(self, reviewer_id: uuid.UUID, task_id: uuid.UUID, outcome: str) -> None:
        await self.offers.remove(reviewer_id, task_id)
        await self.fanout.push(reviewer_id, protocol.task_closed(task_id, outcome))

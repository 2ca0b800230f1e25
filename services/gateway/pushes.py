"""Raw handlers that turn task and reviewer events into messages on the reviewer's socket."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from infra.presence import Presence
from schemas.events import review
from schemas.events.envelope import Envelope
from schemas.events.notifications import NotificationDelivered
from services.gateway import protocol
from services.gateway.adapters.fanout import RedisFanout
from services.gateway.adapters.offers import RedisOfferBook, RedisReviewerBoard
from services.gateway.adapters.resume_text import BlobResumeText
from services.gateway.publisher import SOURCE


@dataclass(frozen=True)
class TaskPushes:
    """Raw handlers (no database): redelivery only repeats a push the page already dedups."""

    offers: RedisOfferBook
    fanout: RedisFanout
    board: RedisReviewerBoard
    presence: Presence
    resumes: BlobResumeText | None = None

    async def on_offered(self, event: review.ReviewTaskOffered, envelope: Envelope) -> None:
        message = protocol.task_offered(event, await self._resume_text(event.resume_blob_key))
        # Stored before pushing, so a page connecting in between still sees the offer.
        await self.offers.put(event.reviewer_id, event.task_id, message)
        await self.fanout.push(event.reviewer_id, message)

    async def on_assigned(self, event: review.ReviewTaskAssigned, envelope: Envelope) -> None:
        # The offer stored earlier holds the resume text; only the acceptance changes.
        if await self.offers.get(event.reviewer_id, event.task_id) is None:
            base = protocol.task_assigned(event, await self._resume_text(event.resume_blob_key))
        else:
            base = protocol.task_assigned(event)
        patch = {key: base[key] for key in ("type", "state", "due_at")}
        stored = await self.offers.update(event.reviewer_id, event.task_id, patch, base)
        await self.fanout.push(event.reviewer_id, stored)

    async def on_job_changed(self, event: review.ReviewTaskJobChanged,
                             envelope: Envelope) -> None:
        """The holder's task card shows the job's new title and what changed."""
        if event.reviewer_id is None:
            return  # queued: the offer will carry it
        stored = await self.offers.get(event.reviewer_id, event.task_id)
        if stored is None:
            return  # closed meanwhile, or never pushed: nothing on the page to change
        message = await self.offers.update(event.reviewer_id, event.task_id,
                                           protocol.job_changed(event))
        await self.fanout.push(event.reviewer_id, message)

    async def on_notification(self, event: NotificationDelivered, envelope: Envelope) -> None:
        """An in-app message reaches the recipient's open pages, on whichever replica."""
        if event.channel == "in_app" and event.body:
            await self.fanout.push(event.recipient_id, protocol.notification(event))

    async def on_warning(self, event: review.ReviewTaskWarning, envelope: Envelope) -> None:
        await self.offers.update(event.reviewer_id, event.task_id, {"warned": True})
        await self.fanout.push(event.reviewer_id, protocol.task_warning(event))

    async def on_completed(self, event: review.TaskCompleted, envelope: Envelope) -> None:
        await self._close(event.reviewer_id, event.task_id, "completed")

    async def on_rejected(self, event: review.TaskRejected, envelope: Envelope) -> None:
        await self._close(event.reviewer_id, event.task_id, "rejected")

    async def on_missed(self, event: review.ReviewTaskMissed, envelope: Envelope) -> None:
        await self.board.update(event.reviewer_id, {}, add_miss=True)
        await self._close(event.reviewer_id, event.task_id, "missed")

    async def on_offer_expired(self, event: review.ReviewTaskOfferExpired,
                               envelope: Envelope) -> None:
        await self._close(event.reviewer_id, event.task_id, "offer_expired")

    async def on_handed_back(self, event: review.ReviewTaskHandedBack, envelope: Envelope) -> None:
        await self._close(event.reviewer_id, event.task_id, "handed_back")

    async def on_withdrawn(self, event: review.ReviewTaskWithdrawn, envelope: Envelope) -> None:
        await self._close(event.reviewer_id, event.task_id, "withdrawn")

    async def on_presence(self, event: review.ReviewerPresenceChanged, envelope: Envelope) -> None:
        """The workflow's "away" is recorded here, where presence is kept, and shown on the
        page; the other changes come from the page itself."""
        if event.status != "away" or envelope.source == SOURCE:
            return
        # As of the decision: a reviewer who said "available" since then stays available.
        if await self.presence.away_as_of(event.reviewer_id, envelope.time):
            await self.fanout.push(event.reviewer_id, protocol.reviewer_update(status="away"))

    async def on_struck(self, event: review.ReviewerStruck, envelope: Envelope) -> None:
        await self._reviewer(event.reviewer_id, strikes=event.strikes)

    async def on_strike_warning(self, event: review.ReviewerStrikeWarning,
                                envelope: Envelope) -> None:
        await self._reviewer(event.reviewer_id, strikes=event.strikes, strike_warning=True)

    async def on_locked(self, event: review.ReviewerLocked, envelope: Envelope) -> None:
        await self._reviewer(event.reviewer_id, strikes=event.strikes, locked=True)

    async def on_unlocked(self, event: review.ReviewerUnlocked, envelope: Envelope) -> None:
        # Strikes count afresh after an unlock (the workflow's rule).
        await self._reviewer(event.reviewer_id, strikes=0, locked=False, strike_warning=False)

    async def _reviewer(self, reviewer_id: uuid.UUID, **patch: object) -> None:
        state = await self.board.update(reviewer_id, dict(patch))
        await self.fanout.push(reviewer_id, protocol.reviewer_update(**state))

    async def _close(self, reviewer_id: uuid.UUID, task_id: uuid.UUID, outcome: str) -> None:
        await self.offers.remove(reviewer_id, task_id)
        await self.fanout.push(reviewer_id, protocol.task_closed(task_id, outcome))

    async def _resume_text(self, blob_key: str | None) -> str | None:
        return None if self.resumes is None else await self.resumes.text(blob_key)

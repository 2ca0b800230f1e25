"""What notifications does on each event: a message per recipient and channel, once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import structlog

from infra.uow import Transaction
from schemas.events.envelope import EventData
from services.notifications import repository
from services.notifications.domain import Notice, digest_window, messages_for, notices_for
from services.notifications.outgoing import post
from services.notifications.templates import Templates

log = structlog.get_logger(__name__)


class NotifyHandler:
    """One handler for every notified event type: notices, preferences, messages."""

    def __init__(self, templates: Templates, supervisors: Sequence[uuid.UUID]) -> None:
        self._templates = templates
        self._supervisors = tuple(supervisors)

    async def __call__(self, event: EventData, tx: Transaction) -> None:
        assert tx.cause is not None, "handlers run inside UnitOfWork.handling, which sets it"
        await self.tell(tx, notices_for(event, self._supervisors), tx.cause.id)

    async def tell(self, tx: Transaction, notices: Sequence[Notice],
                   about_event_id: uuid.UUID) -> None:
        """Each notice on its recipient's channels (or held for their digest), once."""
        for notice in notices:
            prefs = await repository.preferences(tx.conn, notice.recipient_id)
            if prefs.digest_interval_s and prefs.digests(notice.template):
                await self._hold(tx, notice, prefs.digest_interval_s, about_event_id)
                continue
            for message in messages_for(notice, prefs, about_event_id, self._templates.render):
                await post(tx, message, prefs)

    async def _hold(self, tx: Transaction, notice: Notice, interval_s: int,
                    about_event_id: uuid.UUID) -> None:
        """High-volume news waits for the recipient's digest: one line, sent with the rest."""
        now = tx.clock.now()
        line = self._templates.render(notice.template, {**notice.values, "role": notice.role})
        if await repository.hold_for_digest(tx.conn, about_event_id, notice.recipient_id,
                                            notice.template, line.subject,
                                            digest_window(now, interval_s), now):
            log.info("notification held for a digest", template=notice.template)

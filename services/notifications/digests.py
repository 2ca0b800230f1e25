"""The digest loop: when a person's window ends, one message carries every line held for it.

Exactly once per (person, window): the lines are locked (SKIP LOCKED), the digest's row is
inserted under a unique key, and the message is kept under its unique notification id, all in
one transaction with marking the lines sent. Lines that arrive after their window's digest went
out (a handler that committed late) move to the next window rather than being lost.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import structlog

from infra.uow import Transaction, UnitOfWork
from services.notifications import repository
from services.notifications.domain import (
    digest_id,
    digest_notice,
    digest_window,
    messages_for,
)
from services.notifications.outgoing import post
from services.notifications.rounds import every
from services.notifications.templates import Templates

log = structlog.get_logger(__name__)


class Digester:
    """Sends the digests whose windows have ended."""

    def __init__(self, uow: UnitOfWork, templates: Templates) -> None:
        self._uow = uow
        self._templates = templates

    async def run_once(self, limit: int = 200) -> int:
        """Send every due digest; how many were sent."""
        async with self._uow.transaction() as tx:
            due = await repository.due_digests(tx.conn, tx.clock.now(), limit)
        sent = 0
        for recipient_id, window_start in due:
            async with self._uow.transaction() as tx:
                sent += await self._send(tx, recipient_id, window_start)
        return sent

    async def run(self, stop: asyncio.Event, interval_s: float) -> None:
        """Until `stop`: a round every `interval_s` on the service's clock."""
        await every(self._uow.clock, interval_s, stop, self.run_once, "digest")

    async def _send(self, tx: Transaction, recipient_id: uuid.UUID,
                    window_start: datetime) -> int:
        items = await repository.claim_digest_items(tx.conn, recipient_id, window_start)
        if not items:
            return 0  # sent meanwhile, or another loop holds them
        ids = [item["about_event_id"] for item in items]
        prefs = await repository.preferences(tx.conn, recipient_id)
        now = tx.clock.now()
        window = (window_start, items[0]["window_end"])
        the_digest = digest_id(recipient_id, window_start)
        if not await repository.record_digest(tx.conn, recipient_id, window_start, the_digest,
                                              len(items), now):
            # Committed after this window's digest went out: they join the next one.
            later = digest_window(now, prefs.digest_interval_s or
                                  int((window[1] - window[0]).total_seconds()))
            await repository.move_to_window(tx.conn, ids, recipient_id, later)
            return 0
        notice = digest_notice(recipient_id, [item["line"] for item in items], window)
        for message in messages_for(notice, prefs, the_digest, self._templates.render):
            await post(tx, message, prefs)
        await repository.mark_digested(tx.conn, ids, recipient_id, the_digest)
        log.info("digest sent", digest_id=str(the_digest), items=len(items))
        return 1

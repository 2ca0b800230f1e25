"""The delivery loop: send due e-mails, webhooks and text messages, retry with backoff,
dead-letter the rest.

Each delivery is sent inside the transaction that holds its row (SKIP LOCKED), so two loops
never send one message at once. A crash between sending and committing sends it again on the
next round: receivers drop repeats by the notification id (Message-ID, X-JAMS-Delivery), and
the SMS sender looks for the message at the provider before sending it again.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import structlog

from infra.uow import UnitOfWork
from schemas.events.notifications import NotificationDelivered
from services.notifications import repository
from services.notifications.adapters.channels import DeliveryFailed, Sender
from services.notifications.rounds import every

log = structlog.get_logger(__name__)


class Deliverer:
    """Sends what is due through the channel's sender."""

    def __init__(self, uow: UnitOfWork, senders: Mapping[str, Sender], *, max_attempts: int,
                 initial_backoff_s: float, max_backoff_s: float) -> None:
        self._uow = uow
        self._senders = dict(senders)
        self._max_attempts = max_attempts
        self._initial_backoff_s = initial_backoff_s
        self._max_backoff_s = max_backoff_s

    def backoff_s(self, failed_attempts: int) -> float:
        return float(min(self._initial_backoff_s * 2.0 ** (failed_attempts - 1),
                         self._max_backoff_s))

    def retry_delay_s(self, failed_attempts: int, retry_after_s: float | None) -> float:
        """The backoff, or longer when the channel said how long to wait, but never past the
        longest backoff: a receiver's `Retry-After` must not park a message for years."""
        return min(max(self.backoff_s(failed_attempts), retry_after_s or 0.0),
                   self._max_backoff_s)

    async def run_once(self, limit: int = 100) -> int:
        """Try every delivery due now once; how many were delivered."""
        async with self._uow.transaction() as tx:
            due = await repository.due(tx.conn, tx.clock.now(), limit)
        delivered = 0
        for notification_id in due:
            delivered += await self._deliver(notification_id)
        return delivered

    async def run(self, stop: asyncio.Event, interval_s: float) -> None:
        """Until `stop`: a round every `interval_s` on the service's clock."""
        await every(self._uow.clock, interval_s, stop, self.run_once, "delivery")

    async def _deliver(self, notification_id: uuid.UUID) -> int:
        async with self._uow.transaction() as tx:
            row = await repository.claim(tx.conn, notification_id)
            if row is None:
                return 0  # delivered meanwhile, or another loop holds it
            now, attempts = tx.clock.now(), row["attempts"] + 1
            context = {"notification_id": str(notification_id), "channel": row["channel"],
                       "attempt": attempts}
            try:
                payload = await self._payload(tx.conn, row)
                await self._senders[row["channel"]].send(payload)
            except DeliveryFailed as exc:
                if exc.permanent or attempts >= self._max_attempts:
                    await repository.settle(tx.conn, notification_id, status="dead",
                                            attempts=attempts, last_error=exc.reason[:2000])
                    log.warning("notification dead-lettered", **context,
                                permanent=exc.permanent)
                else:
                    delay = self.retry_delay_s(attempts, exc.retry_after_s)
                    await repository.settle(tx.conn, notification_id, attempts=attempts,
                                            last_error=exc.reason[:2000],
                                            next_attempt_at=now + timedelta(seconds=delay))
                    log.info("notification delivery failed; retrying", **context, delay_s=delay)
                return 0
            await repository.settle(tx.conn, notification_id, status="delivered",
                                    attempts=attempts, delivered_at=now, last_error=None)
            tx.emit(NotificationDelivered(
                notification_id=notification_id, recipient_id=row["recipient_id"],
                channel=row["channel"], template=row["template"],
                about_event_id=row["about_event_id"]))
            log.info("notification delivered", **context)
            return 1

    async def _payload(self, conn: Any, row: dict[str, Any]) -> dict[str, Any]:
        payload = dict(row["payload"])
        if row["channel"] == "webhook":
            prefs = await repository.preferences(conn, row["recipient_id"])
            if not prefs.webhook_secret:
                raise DeliveryFailed("the recipient has no webhook secret", permanent=True)
            payload["secret"] = prefs.webhook_secret
        return payload

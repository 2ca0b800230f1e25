"""Interviews: the invitations on each change, and the reminders before each interview.

Each interview event tells the candidate and the interviewers (the e-mail with its .ics) and
plans the interview's reminders, one row per lead time at the newest sequence: an older event
arriving late changes nothing, a move re-arms a reminder already sent, a cancellation settles
them. The reminder loop sends each due reminder once: the row is locked (SKIP LOCKED), its
messages kept under ids unique to (interview version, lead time, recipient, channel), and the
row settled, all in one transaction.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.uow import Transaction, UnitOfWork
from schemas.events.envelope import EventData
from schemas.events.interviews import InterviewDetails
from services.notifications.handlers import NotifyHandler
from services.notifications.interviews import (
    interview_notices,
    reminder_id,
    reminder_notices,
    reminder_rows,
)
from services.notifications.rounds import every
from services.notifications.tables import notification_interview_reminders as reminders

log = structlog.get_logger(__name__)


class InterviewHandler:
    """Tells of an interview's change and plans its reminders, in the event's transaction."""

    def __init__(self, notify: NotifyHandler, organizer: str, leads_s: Sequence[int]) -> None:
        self._notify = notify
        self._organizer = organizer
        self._leads_s = tuple(leads_s)

    async def __call__(self, event: EventData, tx: Transaction) -> None:
        assert isinstance(event, InterviewDetails) and tx.cause is not None
        await self._notify.tell(tx, interview_notices(event, self._organizer, tx.cause.time),
                                tx.cause.id)
        await plan(tx.conn, reminder_rows(event, self._leads_s, tx.clock.now()))


async def plan(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Keep the reminders of the interview's newest version. One still pending, or already
    sent for the same time, stays as it is; moved to another time, it is due anew."""
    if not rows:
        return
    statement = insert(reminders)
    new = statement.excluded
    await conn.execute(statement.on_conflict_do_update(
        index_elements=[reminders.c.interview_id, reminders.c.lead_s],
        set_={"sequence": new.sequence, "starts_at": new.starts_at, "due_at": new.due_at,
              "recipient_ids": new.recipient_ids, "details": new.details,
              "settled_at": sa.func.coalesce(new.settled_at, sa.case(
                  (reminders.c.due_at == new.due_at, reminders.c.settled_at)))},
        where=reminders.c.sequence < new.sequence), rows)


class Reminders:
    """Sends the reminders that are due."""

    def __init__(self, uow: UnitOfWork, notify: NotifyHandler) -> None:
        self._uow = uow
        self._notify = notify

    async def run_once(self, limit: int = 200) -> int:
        """Send every due reminder; how many were sent."""
        async with self._uow.transaction() as tx:
            due = (await tx.conn.execute(
                sa.select(reminders.c.interview_id, reminders.c.lead_s)
                .where(reminders.c.settled_at.is_(None), reminders.c.due_at <= tx.clock.now())
                .order_by(reminders.c.due_at).limit(limit))).all()
        sent = 0
        for interview_id, lead_s in due:
            async with self._uow.transaction() as tx:
                sent += await self._send(tx, interview_id, lead_s)
        return sent

    async def run(self, stop: asyncio.Event, interval_s: float) -> None:
        """Until `stop`: a round every `interval_s` on the service's clock."""
        await every(self._uow.clock, interval_s, stop, self.run_once, "reminder")

    async def _send(self, tx: Transaction, interview_id: uuid.UUID, lead_s: int) -> int:
        row = (await tx.conn.execute(sa.select(reminders).where(
            reminders.c.interview_id == interview_id, reminders.c.lead_s == lead_s,
            reminders.c.settled_at.is_(None)).with_for_update(skip_locked=True))
        ).mappings().first()
        if row is None:
            return 0  # sent meanwhile, or another loop holds it
        now = tx.clock.now()
        # A reminder the loop reaches only once the interview has begun would be noise.
        late = now >= row["starts_at"]
        if not late:
            await self._notify.tell(tx, reminder_notices(dict(row)), reminder_id(
                interview_id, row["sequence"], lead_s))
        await tx.conn.execute(reminders.update().where(
            reminders.c.interview_id == interview_id, reminders.c.lead_s == lead_s)
            .values(settled_at=now))
        log.info("interview reminder settled", interview_id=str(interview_id), lead_s=lead_s,
                 sent=not late)
        return 0 if late else 1

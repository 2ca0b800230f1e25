"""Erasure of a person's personal data from notifications: their channels (e-mail address,
phone number, webhook), their messages, pending deliveries, held digest lines and the reminders
of their interviews."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from infra.service import ServiceSpec
from infra.uow import Transaction
from schemas.events.candidates import CandidateErased
from services.notifications.tables import (
    notification_deliveries,
    notification_digest_items,
    notification_interview_reminders,
    notification_preferences,
    notifications,
)


async def on_candidate_erased(event: CandidateErased, tx: Transaction) -> None:
    who = event.candidate_id
    for table in (notification_preferences, notifications, notification_deliveries,
                  notification_digest_items):
        await tx.conn.execute(sa.delete(table).where(table.c.recipient_id == who))
    # Their interviews' reminders: nobody is reminded of an interview with no one.
    await tx.conn.execute(sa.delete(notification_interview_reminders).where(
        notification_interview_reminders.c.candidate_id == who))


def with_erasure(spec: ServiceSpec) -> ServiceSpec:
    """`spec` also erasing candidates."""
    return dataclasses.replace(spec, handlers={**spec.handlers,
                                               CandidateErased: on_candidate_erased})

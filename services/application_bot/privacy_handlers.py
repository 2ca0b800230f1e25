"""Erasure of a candidate's personal data from the bot's tables; ids and states stay, so the
at-most-once guarantee per (candidate, job) still holds."""

from __future__ import annotations

import sqlalchemy as sa

from infra.uow import Transaction
from schemas.events.candidates import CandidateErased
from services.application_bot.tables import applications, bot_resume_versions


async def on_candidate_erased(event: CandidateErased, tx: Transaction) -> None:
    who = event.candidate_id
    await tx.conn.execute(sa.delete(bot_resume_versions)
                          .where(bot_resume_versions.c.candidate_id == who))
    await tx.conn.execute(sa.update(applications).where(applications.c.candidate_id == who)
                          .values(confirmation=None, evidence_key=None, reason=None,
                                  apply_url="", updated_at=tx.clock.now()))


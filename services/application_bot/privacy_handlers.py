"""Erasure of a candidate's personal data from the bot's tables and its evidence files; ids
and states stay, so the at-most-once guarantee per (candidate, job) still holds."""

from __future__ import annotations

import sqlalchemy as sa

from infra.blobs import BlobStore
from infra.uow import Transaction
from schemas.events.candidates import CandidateErased
from services.application_bot.evidence import evidence_prefix
from services.application_bot.tables import applications, bot_resume_versions


async def erase_evidence(event: CandidateErased, tx: Transaction, blobs: BlobStore) -> None:
    """Every evidence file of the candidate's applications: confirmations, and the pages of
    failed visits, which hold what was typed into the forms."""
    for application_id in await tx.conn.scalars(
            sa.select(applications.c.application_id)
            .where(applications.c.candidate_id == event.candidate_id)):
        await blobs.delete_folder(f"{evidence_prefix(application_id)}/")


async def on_candidate_erased(event: CandidateErased, tx: Transaction) -> None:
    who = event.candidate_id
    await tx.conn.execute(sa.delete(bot_resume_versions)
                          .where(bot_resume_versions.c.candidate_id == who))
    await tx.conn.execute(sa.update(applications).where(applications.c.candidate_id == who)
                          .values(confirmation=None, evidence_key=None, reason=None,
                                  apply_url="", updated_at=tx.clock.now()))


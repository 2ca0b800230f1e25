"""Erasure of a candidate's personal data from review tasks: what a reviewer reads (the
explanation quoting the resume, hints, the form's question, the resume file's key) and the
reason a reviewer wrote; ids, states and times stay."""

from __future__ import annotations

import sqlalchemy as sa

from infra.uow import Transaction
from schemas.events.candidates import CandidateErased
from services.workflow.tables import review_tasks


async def on_candidate_erased(event: CandidateErased, tx: Transaction) -> None:
    await tx.conn.execute(
        sa.update(review_tasks).where(review_tasks.c.candidate_id == event.candidate_id)
        .values(explanation=[], details={}, reject_reason=None))

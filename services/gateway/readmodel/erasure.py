"""Erasing a candidate's personal data from the read model; ids and statuses stay."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.gateway.readmodel import tables as t


async def blob_keys(conn: AsyncConnection, candidate_id: uuid.UUID) -> list[str]:
    """Keys of the candidate's resume files and application evidence."""
    resumes = sa.select(t.resume_versions.c.blob_key).where(
        t.resume_versions.c.candidate_id == candidate_id)
    evidence = sa.select(t.applications.c.evidence_key).where(
        t.applications.c.candidate_id == candidate_id,
        t.applications.c.evidence_key.is_not(None))
    return [key for key in (await conn.scalars(resumes.union_all(evidence))) if key]


async def erase_rows(conn: AsyncConnection, candidate_id: uuid.UUID, at: datetime) -> None:
    """Forget the candidate's personal data and mark them erased (idempotent)."""
    await conn.execute(insert(t.candidates).values(
        candidate_id=candidate_id, created_at=at, updated_at=at, erased_at=at,
    ).on_conflict_do_update(index_elements=[t.candidates.c.candidate_id], set_={
        "preferences": None, "answer_bank": None, "updated_at": at,
        "erased_at": sa.func.coalesce(t.candidates.c.erased_at, at)}))
    await conn.execute(sa.delete(t.resume_versions)
                       .where(t.resume_versions.c.candidate_id == candidate_id))
    await conn.execute(sa.update(t.applications)
                       .where(t.applications.c.candidate_id == candidate_id)
                       .values(evidence_key=None, confirmation=None, question=None,
                               reason=None, resume_version_id=None, updated_at=at))
    await conn.execute(sa.update(t.matches).where(t.matches.c.candidate_id == candidate_id)
                       .values(explanation=[], resume_version_id=None, updated_at=at))
    await conn.execute(sa.update(t.review_tasks)
                       .where(t.review_tasks.c.candidate_id == candidate_id)
                       .values(explanation=None, resume_version_id=None, updated_at=at))

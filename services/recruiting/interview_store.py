"""Reading and writing interviews and their interviewers' bookings, in the caller's
transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.uow import Transaction
from services.recruiting import interviews as rules
from services.recruiting.interviews import InterviewStatus, Plan
from services.recruiting.tables import companies, interview_slots, interviews, jobs


def during(plan: Plan) -> Range[datetime]:
    return Range(plan.starts_at, plan.ends_at, bounds="[)")


async def book(tx: Transaction, interview_id: uuid.UUID, plan: Plan) -> None:
    """The interviewers' bookings, replacing any the interview had; the exclusion constraint
    refuses one that overlaps another booking of the same interviewer."""
    await release(tx, interview_id)
    await tx.conn.execute(interview_slots.insert(), [
        {"interview_id": interview_id, "interviewer_id": who, "during": during(plan)}
        for who in plan.interviewer_ids])


async def release(tx: Transaction, interview_id: uuid.UUID) -> None:
    await tx.conn.execute(interview_slots.delete().where(
        interview_slots.c.interview_id == interview_id))


async def busy(conn: AsyncConnection, plan: Plan, interview_id: uuid.UUID) -> list[uuid.UUID]:
    """The plan's interviewers booked for another interview at its time."""
    return sorted((await conn.execute(
        sa.select(interview_slots.c.interviewer_id).distinct().where(
            interview_slots.c.interviewer_id.in_(plan.interviewer_ids),
            interview_slots.c.during.overlaps(during(plan)),
            interview_slots.c.interview_id != interview_id))).scalars(), key=str)


async def save(tx: Transaction, row: dict[str, Any]) -> None:
    await tx.conn.execute(interviews.update().where(
        interviews.c.interview_id == row["interview_id"]).values(
        {k: v for k, v in row.items() if k != "interview_id"}))


async def company_name(tx: Transaction, company_id: uuid.UUID) -> str:
    return str(await tx.conn.scalar(sa.select(companies.c.name).where(
        companies.c.company_id == company_id)))


async def job_row(tx: Transaction, job_id: uuid.UUID) -> dict[str, Any]:
    return dict((await tx.conn.execute(sa.select(jobs).where(jobs.c.job_id == job_id)))
                .mappings().one())


async def cancel(tx: Transaction, row: dict[str, Any], reason: str = "cancelled") -> None:
    """Cancel the (locked, scheduled) interview: its interviewers are free again, and the
    cancellation is announced at the next sequence."""
    row.update(status=InterviewStatus.CANCELLED.value, sequence=row["sequence"] + 1,
               updated_at=tx.clock.now())
    await save(tx, row)
    await release(tx, row["interview_id"])
    tx.emit(rules.cancelled(row, await job_row(tx, row["job_id"]),
                            await company_name(tx, row["company_id"]), reason=reason))


async def cancel_scheduled(tx: Transaction, candidate_id: uuid.UUID, reason: str,
                           job_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    """Cancel the candidate's scheduled interviews (for one job, or all); those cancelled."""
    query = sa.select(interviews).where(
        interviews.c.candidate_id == candidate_id,
        interviews.c.status == InterviewStatus.SCHEDULED.value)
    if job_id is not None:
        query = query.where(interviews.c.job_id == job_id)
    rows = [dict(r) for r in (await tx.conn.execute(
        query.order_by(interviews.c.interview_id).with_for_update())).mappings()]
    for row in rows:
        await cancel(tx, row, reason)
    return rows

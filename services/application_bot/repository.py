"""Reading and writing the bot's tables; every function runs in the caller's transaction."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.application_bot.domain import Application, ApplicationState
from services.application_bot.tables import applications, bot_resume_versions


@dataclass(frozen=True)
class ResumeFile:
    """Where a resume version's file is in the blob store."""

    resume_version_id: uuid.UUID
    candidate_id: uuid.UUID
    blob_key: str


async def remember_resume_version(
    conn: AsyncConnection, resume: ResumeFile, content_sha256: str, now: datetime
) -> None:
    """Record a resume version once (versions are immutable, so a repeat changes nothing)."""
    await conn.execute(
        insert(bot_resume_versions)
        .values(resume_version_id=resume.resume_version_id, candidate_id=resume.candidate_id,
                blob_key=resume.blob_key, content_sha256=content_sha256, created_at=now)
        .on_conflict_do_nothing()
    )


async def resume_file(conn: AsyncConnection, resume_version_id: uuid.UUID) -> ResumeFile | None:
    row = (await conn.execute(
        sa.select(bot_resume_versions.c.resume_version_id, bot_resume_versions.c.candidate_id,
                  bot_resume_versions.c.blob_key)
        .where(bot_resume_versions.c.resume_version_id == resume_version_id)
    )).first()
    return None if row is None else ResumeFile(row.resume_version_id, row.candidate_id,
                                               row.blob_key)


async def insert_if_absent(conn: AsyncConnection, application: Application, now: datetime,
                           portal: str | None = None) -> bool:
    """Store a new application; False if one exists for its (candidate, job) already."""
    result = await conn.execute(
        insert(applications)
        .values(**_columns(application), portal=portal, created_at=now, updated_at=now)
        .on_conflict_do_nothing()
        .returning(applications.c.application_id)
    )
    return result.first() is not None


async def load_for_update(conn: AsyncConnection, application_id: uuid.UUID) -> Application | None:
    """The stored application, row-locked until the transaction ends."""
    row = (await conn.execute(
        sa.select(applications)
        .where(applications.c.application_id == application_id)
        .with_for_update()
    )).mappings().first()
    if row is None:
        return None
    return Application(
        application_id=row["application_id"], candidate_id=row["candidate_id"],
        job_id=row["job_id"], resume_version_id=row["resume_version_id"],
        apply_url=row["apply_url"], state=ApplicationState(row["state"]),
        attempts=row["attempts"], confirmation=row["confirmation"],
        evidence_key=row["evidence_key"], reason=row["reason"], retryable=row["retryable"],
        unsettled_since=row["updated_at"], review_asked=row["review_asked_at"] is not None,
    )


async def save(
    conn: AsyncConnection, application: Application, *, expected: Application, now: datetime
) -> bool:
    """Store `application` if the row is still as `expected`; False if someone moved it."""
    result = await conn.execute(
        applications.update()
        .where(applications.c.application_id == application.application_id,
               applications.c.state == expected.state.value,
               applications.c.attempts == expected.attempts)
        .values(**_columns(application), updated_at=now,
                **({} if application.review_asked else {"review_asked_at": None,
                                                        "review_task_id": None}))
    )
    return result.rowcount == 1


async def mark_review_asked(conn: AsyncConnection, application_id: uuid.UUID,
                            now: datetime) -> None:
    """Note that a person was asked about the orphan (its age, `updated_at`, is kept)."""
    await conn.execute(applications.update()
                       .where(applications.c.application_id == application_id)
                       .values(review_asked_at=now))


async def note_review_task(conn: AsyncConnection, application_id: uuid.UUID,
                           task_id: uuid.UUID) -> bool:
    """Remember which review task asks about an orphan; False if none is asked about."""
    result = await conn.execute(
        applications.update()
        .where(applications.c.application_id == application_id,
               applications.c.review_asked_at.is_not(None))
        .values(review_task_id=task_id))
    return result.rowcount == 1


async def asked_in_task(conn: AsyncConnection, task_id: uuid.UUID) -> uuid.UUID | None:
    """The orphan a review task asks about, if it still waits for the answer."""
    return await conn.scalar(
        sa.select(applications.c.application_id)
        .where(applications.c.review_task_id == task_id,
               applications.c.review_asked_at.is_not(None)))


@dataclass(frozen=True)
class Orphans:
    """Applications left `submitting` or `unknown`: how many, and the oldest one's age."""

    count: int
    oldest_since: datetime | None


async def orphans(conn: AsyncConnection) -> Orphans:
    row = (await conn.execute(
        sa.select(sa.func.count(), sa.func.min(applications.c.updated_at))
        .where(applications.c.state.in_((ApplicationState.SUBMITTING.value,
                                          ApplicationState.UNKNOWN.value)))
    )).one()
    return Orphans(int(row[0]), row[1])


async def unsettled_before(conn: AsyncConnection, before: datetime) -> list[uuid.UUID]:
    """Applications left `submitting` or `unknown` since before `before`, oldest first."""
    rows = await conn.execute(
        sa.select(applications.c.application_id)
        .where(applications.c.state.in_((ApplicationState.SUBMITTING.value,
                                          ApplicationState.UNKNOWN.value)),
               applications.c.updated_at < before,
               # Waiting for a person's answer: the task's completion settles it.
               applications.c.review_asked_at.is_(None))
        .order_by(applications.c.updated_at)
        .limit(500)
    )
    return list(rows.scalars())


async def waiting_on(conn: AsyncConnection, candidate_id: uuid.UUID,
                     portal: str) -> list[uuid.UUID]:
    """The candidate's applications on `portal` that a new session may let go on: waiting for
    it, or released with nothing sent while their order is retried."""
    rows = await conn.execute(
        sa.select(applications.c.application_id)
        .where(applications.c.candidate_id == candidate_id, applications.c.portal == portal,
               applications.c.state.in_((ApplicationState.WAITING.value,
                                         ApplicationState.PENDING.value)))
        .order_by(applications.c.updated_at)
    )
    return list(rows.scalars())


async def waiting_since(conn: AsyncConnection, before: datetime) -> list[uuid.UUID]:
    """Applications waiting for a session since before `before`, oldest first."""
    rows = await conn.execute(
        sa.select(applications.c.application_id)
        .where(applications.c.state == ApplicationState.WAITING.value,
               applications.c.updated_at < before)
        .order_by(applications.c.updated_at)
        .limit(500)
    )
    return list(rows.scalars())


async def lock_candidate(conn: AsyncConnection, candidate_id: uuid.UUID) -> None:
    """Serialise claims of one candidate until the transaction ends, so caps are not raced."""
    digest = hashlib.blake2b(f"application_bot.candidate\x1f{candidate_id}".encode(),
                             digest_size=8).digest()
    key = int.from_bytes(digest, "big") >> 1
    await conn.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))


async def claimed_since(conn: AsyncConnection, candidate_id: uuid.UUID, since: datetime,
                        portal: str | None = None) -> int:
    """Applications of the candidate begun since `since` (on `portal`, if given), not refused."""
    query = (sa.select(sa.func.count()).select_from(applications)
             .where(applications.c.candidate_id == candidate_id,
                    applications.c.created_at >= since,
                    applications.c.state != ApplicationState.FAILED.value))
    if portal is not None:
        query = query.where(applications.c.portal == portal)
    return int(await conn.scalar(query) or 0)


def _columns(application: Application) -> dict[str, object]:
    return {
        "application_id": application.application_id,
        "candidate_id": application.candidate_id,
        "job_id": application.job_id,
        "resume_version_id": application.resume_version_id,
        "apply_url": application.apply_url,
        "state": application.state.value,
        "attempts": application.attempts,
        "confirmation": application.confirmation,
        "evidence_key": application.evidence_key,
        "reason": application.reason,
        "retryable": application.retryable,
    }


def _lock_key(application_id: uuid.UUID) -> int:
    """A 63-bit advisory lock key for one application (non-negative, like the bus's keys)."""
    digest = hashlib.blake2b(f"application_bot\x1f{application_id}".encode(),
                             digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


@asynccontextmanager
async def exclusive(engine: AsyncEngine, application_id: uuid.UUID) -> AsyncIterator[bool]:
    """Whether this worker alone may work on the application until the block ends.

    A transaction-scoped advisory lock on a connection of its own: if the process dies, the
    connection drops and the lock with it, so a row left in `submitting` with no holder is
    known to be a crash leftover, never a colleague still at the form.
    """
    async with engine.connect() as conn, conn.begin():
        held = await conn.scalar(
            sa.select(sa.func.pg_try_advisory_xact_lock(_lock_key(application_id)))
        )
        yield bool(held)

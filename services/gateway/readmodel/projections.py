"""Event handlers that keep the gateway's read model: one upsert per event, in the inbox's
transaction, so a redelivered event changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.service import TransactionalHandler
from infra.uow import Transaction
from schemas.events import applications, jobs, matching, review
from schemas.events.candidates import CandidateErased, UpdateAnswerBank, UpdateCandidatePreferences
from schemas.events.config import ScoringConfigChanged
from schemas.events.discovery import ScrapeAnomalyDetected, SourceBlocked
from schemas.events.envelope import EventData
from schemas.events.resumes import ResumeVersionCreated
from services.gateway.readmodel import tables as t
from services.gateway.readmodel.erasure import erase_rows

TERMINAL_TASK_STATES = ("completed", "rejected")


def _at(tx: Transaction) -> datetime:
    return tx.cause.time if tx.cause is not None else tx.clock.now()


async def _upsert(conn: AsyncConnection, table: sa.Table, key: str,
                  values: Mapping[str, Any], update: Mapping[str, Any],
                  where: sa.ColumnElement[bool] | None = None) -> None:
    statement = insert(table).values(**values)
    await conn.execute(statement.on_conflict_do_update(
        index_elements=[table.c[key]], set_=dict(update), where=where))


async def _candidate_seen(tx: Transaction, candidate_id: uuid.UUID) -> bool:
    """Record the candidate; False when they were erased and the event must be dropped."""
    return candidate_id in await _candidates_seen(tx, {candidate_id})


# --- candidates and resumes ---------------------------------------------------------------

async def on_resume_version_created(event: ResumeVersionCreated, tx: Transaction) -> None:
    if not await _candidate_seen(tx, event.candidate_id):
        return
    await tx.conn.execute(insert(t.resume_versions).values(
        resume_version_id=event.resume_version_id, candidate_id=event.candidate_id,
        blob_key=event.blob_key, content_sha256=event.content_sha256,
        created_by=event.created_by, task_id=event.task_id, created_at=_at(tx),
    ).on_conflict_do_nothing())


async def on_preferences(event: UpdateCandidatePreferences, tx: Transaction) -> None:
    if await _candidate_seen(tx, event.candidate_id):
        await tx.conn.execute(sa.update(t.candidates)
                              .where(t.candidates.c.candidate_id == event.candidate_id)
                              .values(preferences=event.preferences, updated_at=_at(tx)))


async def on_answer_bank(event: UpdateAnswerBank, tx: Transaction) -> None:
    if await _candidate_seen(tx, event.candidate_id):
        await tx.conn.execute(sa.update(t.candidates)
                              .where(t.candidates.c.candidate_id == event.candidate_id)
                              .values(answer_bank=event.answers, updated_at=_at(tx)))


async def on_candidate_erased(event: CandidateErased, tx: Transaction) -> None:
    """The API erased the rows already; this covers an erasure ordered elsewhere."""
    await erase_rows(tx.conn, event.candidate_id, _at(tx))


# --- jobs ---------------------------------------------------------------------------------

def _job_values(event: jobs.JobPublished | jobs.JobUpdated, at: datetime) -> dict[str, Any]:
    return {
        "company": event.company, "title": event.title, "location": event.location,
        "description": event.description, "apply_url": str(event.apply_url),
        "city": event.city, "region": event.region, "country": event.country,
        "workplace": event.workplace, "employment_type": event.employment_type,
        "salary_min": event.salary_min, "salary_max": event.salary_max,
        "salary_currency": event.salary_currency, "posted_at": event.posted_at,
        "expires_at": event.expires_at, "updated_at": at,
    }


async def on_job_published(event: jobs.JobPublished, tx: Transaction) -> None:
    at = _at(tx)
    values = _job_values(event, at)
    await _upsert(tx.conn, t.jobs, "job_id",
                  {**values, "job_id": event.job_id, "open": True, "created_at": at}, values)


async def on_job_updated(event: jobs.JobUpdated, tx: Transaction) -> None:
    await tx.conn.execute(sa.update(t.jobs).where(t.jobs.c.job_id == event.job_id)
                          .values(_job_values(event, _at(tx))))


async def on_job_reopened(event: jobs.JobReopened, tx: Transaction) -> None:
    await tx.conn.execute(sa.update(t.jobs).where(t.jobs.c.job_id == event.job_id).values(
        open=True, expired_at=None, updated_at=_at(tx)))


async def on_job_expired(event: jobs.JobExpired, tx: Transaction) -> None:
    await tx.conn.execute(sa.update(t.jobs).where(t.jobs.c.job_id == event.job_id).values(
        open=False, expired_at=event.expired_at, updated_at=_at(tx)))


# --- matches ------------------------------------------------------------------------------

async def _match(tx: Transaction, event: matching.MatchScored | matching.ApplicationApproved
                 | matching.ManualReviewRequired | matching.MatchRejected, decision: str | None,
                 **extra: Any) -> None:
    if not await _candidate_seen(tx, event.candidate_id):
        return
    at = _at(tx)
    update: dict[str, Any] = {"score": event.score, "updated_at": at, **extra}
    if decision is not None:
        update["decision"] = decision
    await _upsert(tx.conn, t.matches, "match_id", {
        "match_id": event.match_id, "candidate_id": event.candidate_id, "job_id": event.job_id,
        "decision": decision or "scored", "explanation": [], "created_at": at, **update,
    }, update)


async def on_match_scored(event: matching.MatchScored, tx: Transaction) -> None:
    await _match(tx, event, None, resume_version_id=event.resume_version_id,
                 explanation=event.explanation)


async def on_application_approved(event: matching.ApplicationApproved, tx: Transaction) -> None:
    await _match(tx, event, "approved", resume_version_id=event.resume_version_id,
                 company=event.company)


async def on_manual_review_required(event: matching.ManualReviewRequired, tx: Transaction) -> None:
    await _match(tx, event, "review", resume_version_id=event.resume_version_id,
                 job_title=event.job_title, company=event.company,
                 explanation=event.explanation)


async def on_match_rejected(event: matching.MatchRejected, tx: Transaction) -> None:
    await _match(tx, event, "rejected")


async def _candidates_seen(tx: Transaction, candidate_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Record each candidate; those not erased, whose events are kept."""
    at = _at(tx)
    # Sorted, so two batches recording the same candidates lock them in the same order.
    ordered = sorted(candidate_ids)
    await tx.conn.execute(insert(t.candidates).values([
        {"candidate_id": c, "created_at": at, "updated_at": at} for c in ordered
    ]).on_conflict_do_nothing())
    erased_ids = set(await tx.conn.scalars(sa.select(t.candidates.c.candidate_id).where(
        t.candidates.c.candidate_id.in_(ordered), t.candidates.c.erased_at.is_not(None))))
    return candidate_ids - erased_ids


def _batch_decision(pair: matching.ScoredPair) -> str:
    """The row a pair leaves, as MatchScored and (when it acted) MatchRejected left it."""
    return "rejected" if pair.decision == "reject" and pair.acted else "scored"


async def on_matches_scored(event: matching.MatchesScored, tx: Transaction) -> None:
    """Every pair of the batch in one upsert; approvals and reviews are their own events and
    may land before or after it, so a rejection only replaces a bare score."""
    kept = await _candidates_seen(tx, {p.candidate_id for p in event.pairs})
    # One row per match (a repeated pair would make the upsert touch a row twice), in key
    # order so concurrent batches lock rows alike.
    pairs = sorted({p.match_id: p for p in event.pairs if p.candidate_id in kept}.values(),
                   key=lambda p: p.match_id)
    if not pairs:
        return
    at = _at(tx)
    statement = insert(t.matches).values([{
        "match_id": p.match_id, "candidate_id": p.candidate_id, "job_id": p.job_id,
        "resume_version_id": p.resume_version_id, "score": p.score,
        "decision": _batch_decision(p), "explanation": p.explanation,
        "created_at": at, "updated_at": at,
    } for p in pairs])
    new, stored = statement.excluded, t.matches.c.decision
    await tx.conn.execute(statement.on_conflict_do_update(
        index_elements=[t.matches.c.match_id], set_={
            "score": new.score, "explanation": new.explanation,
            "resume_version_id": new.resume_version_id, "updated_at": new.updated_at,
            "decision": sa.case((sa.and_(new.decision == "rejected",
                                         stored.in_(("scored", "rejected"))), "rejected"),
                                else_=stored),
        }))


# --- applications -------------------------------------------------------------------------

async def _application(tx: Transaction,
                       event: applications.ApplicationSubmitted | applications.ApplicationFailed
                       | applications.ApplicationNeedsReview, status: str, **extra: Any) -> None:
    if not await _candidate_seen(tx, event.candidate_id):
        return
    at = _at(tx)
    update = {"status": status, "updated_at": at, **extra}
    await _upsert(tx.conn, t.applications, "application_id", {
        "application_id": event.application_id, "candidate_id": event.candidate_id,
        "job_id": event.job_id, "created_at": at, **update,
    }, update,
        # A submitted application stays submitted whatever a late failure says.
        where=t.applications.c.status != "submitted")


async def on_application_submitted(event: applications.ApplicationSubmitted,
                                   tx: Transaction) -> None:
    await _application(tx, event, "submitted", resume_version_id=event.resume_version_id,
                       confirmation=event.confirmation, evidence_key=event.evidence_key,
                       reason=None)


async def on_application_failed(event: applications.ApplicationFailed, tx: Transaction) -> None:
    await _application(tx, event, "failed", reason=event.reason)


async def on_application_needs_review(event: applications.ApplicationNeedsReview,
                                      tx: Transaction) -> None:
    await _application(tx, event, "needs_review", question=event.question,
                       resume_version_id=event.resume_version_id)


# --- review tasks -------------------------------------------------------------------------

async def _task(tx: Transaction, task_id: uuid.UUID, status: str | None,
                candidate_id: uuid.UUID | None = None, **fields: Any) -> None:
    if candidate_id is not None and not await _candidate_seen(tx, candidate_id):
        return
    at = _at(tx)
    update: dict[str, Any] = {"updated_at": at, **fields}
    if status is not None:
        update["status"] = status
    insert_values = {"task_id": task_id, "status": status or "queued", "created_at": at,
                     **update}
    if candidate_id is not None:
        insert_values["candidate_id"] = update["candidate_id"] = candidate_id
    # Terminal states are final; a stray late event does not reopen a task.
    await _upsert(tx.conn, t.review_tasks, "task_id", insert_values, update,
                  where=t.review_tasks.c.status.not_in(TERMINAL_TASK_STATES))


async def on_task_created(event: review.ReviewTaskCreated, tx: Transaction) -> None:
    await _task(tx, event.task_id, "queued", event.candidate_id, match_id=event.match_id,
                job_id=event.job_id, score=event.score, priority=event.priority)


async def on_task_offered(event: review.ReviewTaskOffered, tx: Transaction) -> None:
    await _task(tx, event.task_id, "offered", event.candidate_id, match_id=event.match_id,
                job_id=event.job_id, reviewer_id=event.reviewer_id, score=event.score,
                priority=event.priority, job_title=event.job_title, company=event.company,
                explanation=event.explanation, resume_version_id=event.resume_version_id,
                job_changes=event.job_changes)


async def on_task_assigned(event: review.ReviewTaskAssigned, tx: Transaction) -> None:
    await _task(tx, event.task_id, "assigned", event.candidate_id, match_id=event.match_id,
                job_id=event.job_id, reviewer_id=event.reviewer_id, due_at=event.due_at,
                job_title=event.job_title, company=event.company, score=event.score,
                explanation=event.explanation)


async def on_task_job_changed(event: review.ReviewTaskJobChanged, tx: Transaction) -> None:
    await _task(tx, event.task_id, None, job_title=event.job_title,
                job_changes=event.job_changes)


async def on_task_warning(event: review.ReviewTaskWarning, tx: Transaction) -> None:
    await _task(tx, event.task_id, None, due_at=event.due_at)


async def _back_to_queue(event: review.ReviewTaskMissed | review.ReviewTaskOfferExpired
                         | review.ReviewTaskHandedBack | review.ReviewTaskWithdrawn,
                         tx: Transaction) -> None:
    await _task(tx, event.task_id, "queued", reviewer_id=None, due_at=None)


on_task_missed = on_offer_expired = on_handed_back = on_task_withdrawn = _back_to_queue


async def on_task_completed(event: review.TaskCompleted, tx: Transaction) -> None:
    await _task(tx, event.task_id, "completed", event.candidate_id,
                reviewer_id=event.reviewer_id, resume_version_id=event.resume_version_id)


async def on_task_rejected(event: review.TaskRejected, tx: Transaction) -> None:
    await _task(tx, event.task_id, "rejected", reviewer_id=event.reviewer_id,
                reason=event.reason)


# --- reviewers ----------------------------------------------------------------------------

async def _reviewer(tx: Transaction, reviewer_id: uuid.UUID, **update: Any) -> None:
    at = _at(tx)
    update["updated_at"] = at
    await _upsert(tx.conn, t.reviewers, "reviewer_id",
                  {"reviewer_id": reviewer_id, "created_at": at, **update}, update)


async def on_reviewer_struck(event: review.ReviewerStruck, tx: Transaction) -> None:
    await _reviewer(tx, event.reviewer_id, strikes=event.strikes)
    assert tx.cause is not None  # handlers always run for a delivered envelope
    await tx.conn.execute(insert(t.strikes).values(
        strike_id=tx.cause.id, reviewer_id=event.reviewer_id, task_id=event.task_id,
        strikes=event.strikes, created_at=_at(tx)).on_conflict_do_nothing())


async def on_reviewer_locked(event: review.ReviewerLocked, tx: Transaction) -> None:
    await _reviewer(tx, event.reviewer_id, locked=True, strikes=event.strikes)


async def on_reviewer_unlocked(event: review.ReviewerUnlocked, tx: Transaction) -> None:
    await _reviewer(tx, event.reviewer_id, locked=False)


async def on_presence(event: review.ReviewerPresenceChanged, tx: Transaction) -> None:
    await _reviewer(tx, event.reviewer_id, presence=event.status)


# --- sources and scrape runs --------------------------------------------------------------

async def _source(tx: Transaction, source: str, fresh: Mapping[str, Any],
                  update: Mapping[str, Any]) -> None:
    """Upsert a source: `fresh` are a new row's values, `update` an existing row's."""
    at = _at(tx)
    await _upsert(tx.conn, t.sources, "source",
                  {"source": source, "created_at": at, "updated_at": at, **fresh},
                  {"updated_at": at, **update})


async def on_scrape_run_completed(event: jobs.ScrapeRunCompleted, tx: Transaction) -> None:
    at = _at(tx)
    await tx.conn.execute(insert(t.scrape_runs).values(
        run_id=event.run_id, source=event.source, complete=event.complete,
        seen=len(event.seen_source_job_keys), errors=event.errors, created_at=at,
    ).on_conflict_do_nothing())
    last = {"last_run_id": event.run_id, "last_run_at": at}
    await _source(tx, event.source, {"runs": 1, **last},
                  {"runs": t.sources.c.runs + 1, **last})


async def on_source_blocked(event: SourceBlocked, tx: Transaction) -> None:
    blocked = {"blocked_at": _at(tx), "blocked_reason": event.reason}
    await _source(tx, event.source, blocked, blocked)


async def on_scrape_anomaly(event: ScrapeAnomalyDetected, tx: Transaction) -> None:
    await _source(tx, event.source, {"anomalies": 1},
                  {"anomalies": t.sources.c.anomalies + 1})
    alert = {"kind": event.kind, "detail": event.detail, "expected": event.expected,
             "observed": event.observed}
    alerts = t.scrape_runs.c.alerts
    await tx.conn.execute(sa.update(t.scrape_runs).where(t.scrape_runs.c.run_id == event.run_id)
                          .values(alerts=alerts.op("||", return_type=JSONB)(
                              sa.literal([alert], type_=JSONB))))


# --- scoring config -----------------------------------------------------------------------

async def on_scoring_config_changed(event: ScoringConfigChanged, tx: Transaction) -> None:
    await tx.conn.execute(insert(t.scoring_configs).values(
        version=event.version, config=event.config, actor_id=event.actor_id,
        created_at=_at(tx)).on_conflict_do_nothing())


PROJECTIONS: Mapping[type[EventData], TransactionalHandler] = {
    ResumeVersionCreated: on_resume_version_created,
    UpdateCandidatePreferences: on_preferences,
    UpdateAnswerBank: on_answer_bank,
    CandidateErased: on_candidate_erased,
    jobs.JobPublished: on_job_published,
    jobs.JobUpdated: on_job_updated,
    jobs.JobExpired: on_job_expired,
    jobs.JobReopened: on_job_reopened,
    matching.MatchScored: on_match_scored,
    matching.ApplicationApproved: on_application_approved,
    matching.ManualReviewRequired: on_manual_review_required,
    matching.MatchRejected: on_match_rejected,
    matching.MatchesScored: on_matches_scored,
    applications.ApplicationSubmitted: on_application_submitted,
    applications.ApplicationFailed: on_application_failed,
    applications.ApplicationNeedsReview: on_application_needs_review,
    review.ReviewTaskCreated: on_task_created,
    review.ReviewTaskOffered: on_task_offered,
    review.ReviewTaskAssigned: on_task_assigned,
    review.ReviewTaskJobChanged: on_task_job_changed,
    review.ReviewTaskWarning: on_task_warning,
    review.ReviewTaskMissed: on_task_missed,
    review.ReviewTaskOfferExpired: on_offer_expired,
    review.ReviewTaskHandedBack: on_handed_back,
    review.ReviewTaskWithdrawn: on_task_withdrawn,
    review.TaskCompleted: on_task_completed,
    review.TaskRejected: on_task_rejected,
    review.ReviewerStruck: on_reviewer_struck,
    review.ReviewerLocked: on_reviewer_locked,
    review.ReviewerUnlocked: on_reviewer_unlocked,
    review.ReviewerPresenceChanged: on_presence,
    jobs.ScrapeRunCompleted: on_scrape_run_completed,
    SourceBlocked: on_source_blocked,
    ScrapeAnomalyDetected: on_scrape_anomaly,
    ScoringConfigChanged: on_scoring_config_changed,
}

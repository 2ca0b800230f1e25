"""What the recruiting service does on each event: keep the scores of its jobs' candidates."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from infra.uow import Transaction
from schemas.events.applications import ApplicationSubmitted
from schemas.events.candidates import CandidateErased
from schemas.events.matching import MatchesScored
from services.recruiting.interview_store import cancel_scheduled
from services.recruiting.tables import (
    answers,
    applications,
    candidates,
    erased_candidates,
    jobs,
    note_revisions,
    notes,
    shared_links,
)


async def _erased(tx: Transaction, candidate_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Those of the candidates who were erased: an event about them may come after the
    erasure, on another topic."""
    return set((await tx.conn.execute(sa.select(erased_candidates.c.candidate_id).where(
        erased_candidates.c.candidate_id.in_(candidate_ids)))).scalars())


async def on_matches_scored(event: MatchesScored, tx: Transaction) -> None:
    """The pairs of employer jobs join their job's ranked list; a newer score of a candidate
    (another resume version) replaces the older one and keeps their pipeline status."""
    job_ids = sorted({pair.job_id for pair in event.pairs})
    ours = {row.job_id: row.company_id for row in await tx.conn.execute(
        sa.select(jobs.c.job_id, jobs.c.company_id).where(jobs.c.job_id.in_(job_ids)))}
    if not ours:
        return  # a scraped job's pairs: not ours to rank
    # A pair the candidate's preferences ruled out would tell the employer that preference
    # (their blacklist, their minimum pay): it leaves the list, with any earlier score.
    ruled_out = [(p.job_id, p.candidate_id) for p in event.pairs
                 if p.filtered and p.job_id in ours]
    if ruled_out:
        await tx.conn.execute(candidates.delete().where(
            sa.tuple_(candidates.c.job_id, candidates.c.candidate_id).in_(ruled_out)))
    erased = await _erased(tx, sorted({p.candidate_id for p in event.pairs}))
    kept = [p for p in event.pairs
            if p.job_id in ours and not p.filtered and p.candidate_id not in erased]
    at = tx.cause.time if tx.cause is not None else tx.clock.now()
    # One row per (job, candidate): a row updated twice in one statement is an error.
    rows = list({(p.job_id, p.candidate_id): {
        "job_id": p.job_id, "candidate_id": p.candidate_id, "company_id": ours[p.job_id],
        "match_id": p.match_id, "resume_version_id": p.resume_version_id, "score": p.score,
        "decision": p.decision, "breakdown": p.breakdown, "matched_skills": p.matched_skills,
        "missing_skills": p.missing_skills, "explanation": p.explanation, "scored_at": at,
        "weights_version": p.weights_version or None,
        "question_score": p.question_score,
        "questions": [q.model_dump(mode="json") for q in p.questions]}
        for p in kept}.values())
    if not rows:
        return
    statement = insert(candidates)
    scored = {name: statement.excluded[name] for name in (
        "match_id", "resume_version_id", "score", "decision", "breakdown", "matched_skills",
        "missing_skills", "explanation", "scored_at", "weights_version", "question_score",
        "questions")}
    await tx.conn.execute(statement.on_conflict_do_update(
        index_elements=[candidates.c.job_id, candidates.c.candidate_id], set_=scored,
        where=candidates.c.scored_at <= statement.excluded.scored_at), rows)


async def on_application_submitted(event: ApplicationSubmitted, tx: Transaction) -> None:
    """A candidate applied to one of our jobs: their row in its ranked list says so."""
    if await tx.conn.scalar(sa.select(jobs.c.job_id).where(jobs.c.job_id == event.job_id)) \
            is None:
        return  # an application to a scraped job
    if await _erased(tx, [event.candidate_id]):
        return
    at = tx.cause.time if tx.cause is not None else tx.clock.now()
    await tx.conn.execute(insert(applications).values(
        job_id=event.job_id, candidate_id=event.candidate_id,
        application_id=event.application_id, applied_at=at).on_conflict_do_nothing())


async def on_candidate_erased(event: CandidateErased, tx: Transaction) -> None:
    """Their scores and what the explanations quote of their resume go; the audit log keeps
    ids only. Their id stays, so that a score or application arriving later is dropped. The
    companies' notes on them go with every revision; links to their view are revoked."""
    at = tx.cause.time if tx.cause is not None else tx.clock.now()
    await tx.conn.execute(insert(erased_candidates).values(
        candidate_id=event.candidate_id, erased_at=at).on_conflict_do_nothing())
    for table in (candidates, applications, answers, notes, note_revisions):
        await tx.conn.execute(table.delete().where(table.c.candidate_id == event.candidate_id))
    await tx.conn.execute(shared_links.update().where(
        shared_links.c.candidate_id == event.candidate_id, shared_links.c.revoked_at.is_(None))
        .values(revoked_at=at))
    # Their interviewers are freed and told; the candidate is no one to tell any more.
    await cancel_scheduled(tx, event.candidate_id, "candidate_erased")

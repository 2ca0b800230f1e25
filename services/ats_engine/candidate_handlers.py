"""Candidates' orders from the API: new preferences, and erasure of their personal data."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
import structlog
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert

from infra.uow import Transaction
from schemas.events.candidates import CandidateErased, UpdateCandidatePreferences
from services.ats_engine.filters import Preferences
from services.ats_engine.tables import (
    candidate_vectors,
    candidates,
    matches,
    preferences,
    question_answers,
    resume_versions,
)

log = structlog.get_logger(__name__)


async def on_update_preferences(event: UpdateCandidatePreferences, tx: Transaction) -> None:
    """Replace the candidate's hard filters; an invalid document changes nothing.

    A tolerant reader: fields this version does not know (a newer API's) are left out."""
    known = {k: v for k, v in event.preferences.items() if k in Preferences.model_fields}
    if unknown := sorted(set(event.preferences) - set(known)):
        log.info("preference fields not known here are ignored", fields=unknown)
    try:
        prefs = Preferences.model_validate(known)
    except ValidationError as exc:
        log.error("preferences rejected", error=str(exc))
        return
    document = prefs.model_dump(mode="json")
    await tx.conn.execute(insert(preferences).values(
        candidate_id=event.candidate_id, preferences=document,
    ).on_conflict_do_update(index_elements=[preferences.c.candidate_id],
                            set_={"preferences": document}))


# The resume version of an erased candidate the engine never saw a resume of.
NO_VERSION = uuid.UUID(int=0)


async def on_candidate_erased(event: CandidateErased, tx: Transaction) -> None:
    """Forget the resume text, skills, file names, vectors and preferences; keep only ids.

    The candidate's row stays, inactive, as the mark that drops their late events."""
    who = event.candidate_id
    erased: dict[str, object] = {"active": False, "resume_text": None, "gates": None,
                                 "skills": []}
    await tx.conn.execute(insert(candidates).values(
        candidate_id=who, resume_version_id=NO_VERSION, **erased,
    ).on_conflict_do_update(index_elements=[candidates.c.candidate_id], set_=erased))
    await tx.conn.execute(sa.update(resume_versions).where(resume_versions.c.candidate_id == who)
                          .values(filename="", skills=None))
    await tx.conn.execute(sa.update(matches).where(matches.c.candidate_id == who)
                          .values(explanation=[], details=None))
    await tx.conn.execute(sa.delete(candidate_vectors)
                          .where(candidate_vectors.c.candidate_id == who))
    await tx.conn.execute(sa.delete(preferences).where(preferences.c.candidate_id == who))
    await tx.conn.execute(sa.delete(question_answers)
                          .where(question_answers.c.candidate_id == who))


async def is_erased(tx: Transaction, candidate_id: uuid.UUID) -> bool:
    """Whether the candidate was erased: their later events are dropped."""
    return bool(await tx.conn.scalar(sa.select(sa.exists().where(
        candidates.c.candidate_id == candidate_id, sa.not_(candidates.c.active)))))

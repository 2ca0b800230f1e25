"""Match rows written as one fixed statement of arrays, whatever their number.

A multi-row VALUES list is a new and long statement text for every batch (200 rows make some
70 kB), and the driver splits a text that long afresh on each call: it caches only short ones.
`unnest` over one array a column keeps the text short and the same, so it is parsed once."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ats_engine.tables import matches


@dataclass(frozen=True)
class MatchRow:
    """One scored pair as stored."""

    match_id: uuid.UUID
    candidate_id: uuid.UUID
    job_id: uuid.UUID
    resume_version_id: uuid.UUID
    job_revision: int
    answers_revision: int
    score: float
    decision: str
    explanation: list[str]
    details: dict[str, object]


_INSERT = f"""
INSERT INTO {matches.name} (match_id, candidate_id, job_id, resume_version_id, job_revision,
    answers_revision, score, decision, explanation, details, scored_at, weights_version)
SELECT m, c, j, r, jr, ar, s, d,
    ARRAY(SELECT line FROM jsonb_array_elements_text(e) WITH ORDINALITY AS l(line, n) ORDER BY n),
    dt, :scored_at, :weights_version
FROM unnest(CAST(:match_id AS uuid[]), CAST(:candidate_id AS uuid[]), CAST(:job_id AS uuid[]),
    CAST(:resume_version_id AS uuid[]), CAST(:job_revision AS integer[]),
    CAST(:answers_revision AS integer[]), CAST(:score AS double precision[]),
    CAST(:decision AS text[]), CAST(:explanation AS jsonb[]), CAST(:details AS jsonb[]))
    AS t(m, c, j, r, jr, ar, s, d, e, dt)
"""
# A pair already stored for these versions keeps its row; scoring it again (a new weights
# version asked for every job, or a re-score) replaces the score of this weights version.
_KEEP = sa.text(_INSERT + "ON CONFLICT DO NOTHING RETURNING match_id")
_REPLACE = sa.text(_INSERT + """ON CONFLICT ON CONSTRAINT uq_ats_matches_pair_revision_weights
DO UPDATE SET score = EXCLUDED.score, decision = EXCLUDED.decision,
    explanation = EXCLUDED.explanation, scored_at = EXCLUDED.scored_at,
    details = EXCLUDED.details
RETURNING match_id""")


async def write_matches(conn: AsyncConnection, rows: Sequence[MatchRow], *, scored_at: datetime,
                        weights_version: str, replace: bool) -> set[uuid.UUID]:
    """Store `rows` scored at `scored_at` with `weights_version`: the ids of the rows written
    (new ones, and with `replace` also those replaced)."""
    if not rows:
        return set()
    result = await conn.execute(_REPLACE if replace else _KEEP, {
        "match_id": [r.match_id for r in rows],
        "candidate_id": [r.candidate_id for r in rows],
        "job_id": [r.job_id for r in rows],
        "resume_version_id": [r.resume_version_id for r in rows],
        "job_revision": [r.job_revision for r in rows],
        "answers_revision": [r.answers_revision for r in rows],
        "score": [float(r.score) for r in rows],
        "decision": [r.decision for r in rows],
        "explanation": [json.dumps(r.explanation) for r in rows],
        "details": [json.dumps(r.details) for r in rows],
        "scored_at": scored_at, "weights_version": weights_version})
    return set(result.scalars())

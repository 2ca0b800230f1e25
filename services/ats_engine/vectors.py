"""Candidate vectors in pgvector: upsert one per candidate, preselect a job's nearest ones."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ats_engine.tables import candidate_vectors

# Candidates the HNSW search keeps in view; more finds more of the true nearest, slower
# (bench-ats prints recall and latency for several values).
DEFAULT_EF_SEARCH = 400


async def store_candidate_vector(conn: AsyncConnection, candidate_id: uuid.UUID,
                                 resume_version_id: uuid.UUID, vector: Sequence[float]) -> None:
    statement = insert(candidate_vectors).values(
        candidate_id=candidate_id, resume_version_id=resume_version_id, embedding=list(vector))
    await conn.execute(statement.on_conflict_do_update(
        index_elements=[candidate_vectors.c.candidate_id],
        set_={"resume_version_id": statement.excluded.resume_version_id,
              "embedding": statement.excluded.embedding}))


async def nearest_candidates(conn: AsyncConnection, vector: Sequence[float], limit: int,
                             ef_search: int = DEFAULT_EF_SEARCH) -> list[tuple[uuid.UUID, float]]:
    """(candidate id, cosine similarity) of the `limit` nearest: through the HNSW index, or by
    an exact scan when there are no more candidates than `limit` (then every one is kept)."""
    few = await conn.scalar(sa.select(sa.func.count()).select_from(
        sa.select(candidate_vectors.c.candidate_id).limit(limit + 1).subquery()))
    if (few or 0) <= limit:
        # An approximate index may drop a neighbour even then; a scan of so few costs nothing.
        await conn.execute(sa.text("SET LOCAL enable_indexscan = off"))
    else:
        # ef_search bounds how many the index returns: it must be at least `limit`.
        await conn.execute(sa.text(f"SET LOCAL hnsw.ef_search = {max(ef_search, limit):d}"))
    distance = candidate_vectors.c.embedding.cosine_distance(list(vector))
    rows = await conn.execute(
        sa.select(candidate_vectors.c.candidate_id, distance.label("distance"))
        .order_by(distance).limit(limit))
    return [(row.candidate_id, 1.0 - float(row.distance)) for row in rows]

"""Match rows written as one statement of arrays, on a real database: every column read back
as given (explanation lines with the characters an array literal escapes), a pair stored
before kept or replaced, and the ids written returned."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.db import create_engine
from services.ats_engine.match_rows import MatchRow, write_matches
from services.ats_engine.tables import matches

pytestmark = pytest.mark.integration

AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
AWKWARD_LINES = ['score 42 (reject): must skills 0%, title "lead", {braces}',
                 "back\\slash, comma; NULL", "", "Zürich: 5 ans d'expérience"]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=2)
    try:
        yield engine
    finally:
        await engine.dispose()


def row(job_id: uuid.UUID, *, score: float = 42.5, lines: list[str] | None = None,
        revision: int = 0) -> MatchRow:
    return MatchRow(uuid.uuid4(), uuid.uuid4(), job_id, uuid.uuid4(), revision, 0, score,
                    "reject", AWKWARD_LINES if lines is None else lines,
                    {"breakdown": {"title": 0.5}, "stage": "one", "notes": ["a", "b"]})


Stored = dict[uuid.UUID, sa.Row[tuple[object, ...]]]


async def stored(engine: AsyncEngine, job_id: uuid.UUID) -> Stored:
    async with engine.connect() as conn:
        return {r.match_id: r for r in await conn.execute(
            sa.select(matches).where(matches.c.job_id == job_id))}


async def test_every_column_is_read_back_as_written(engine: AsyncEngine) -> None:
    job_id = uuid.uuid4()
    rows = [row(job_id, score=10.25 * i, revision=i) for i in range(5)]
    rows.append(row(job_id, lines=[]))
    rows.append(row(job_id, lines=[f"line {i}" for i in range(60, 0, -1)]))  # kept in order
    async with engine.begin() as conn:
        written = await write_matches(conn, rows, scored_at=AT, weights_version="w1",
                                      replace=False)
    assert written == {r.match_id for r in rows}
    found = await stored(engine, job_id)
    for r in rows:
        got = found[r.match_id]
        assert (got.candidate_id, got.resume_version_id, got.job_revision, got.answers_revision,
                got.score, got.decision, got.explanation, got.details, got.scored_at,
                got.weights_version) == (r.candidate_id, r.resume_version_id, r.job_revision,
                                         0, r.score, "reject", r.explanation, r.details, AT, "w1")


async def test_a_pair_stored_before_is_kept_or_replaced(engine: AsyncEngine) -> None:
    job_id = uuid.uuid4()
    first = row(job_id, score=40.0)
    async with engine.begin() as conn:
        await write_matches(conn, [first], scored_at=AT, weights_version="w1", replace=False)
    # The same pair and versions under a new id: the stored row stands, nothing returned.
    again = MatchRow(uuid.uuid4(), first.candidate_id, job_id, first.resume_version_id, 0, 0,
                     95.0, "apply", ["changed"], {})
    later = AT + timedelta(hours=1)
    async with engine.begin() as conn:
        kept = await write_matches(conn, [again], scored_at=later, weights_version="w1",
                                   replace=False)
    assert kept == set()
    [only] = (await stored(engine, job_id)).values()
    assert (only.match_id, only.score, only.explanation) == (first.match_id, 40.0,
                                                             first.explanation)
    async with engine.begin() as conn:
        replaced = await write_matches(conn, [again], scored_at=later, weights_version="w1",
                                       replace=True)
    assert replaced == {first.match_id}  # the stored row's id: the pair keeps its match
    [only] = (await stored(engine, job_id)).values()
    assert (only.score, only.decision, only.explanation, only.details, only.scored_at) == \
        (95.0, "apply", ["changed"], {}, later)
    # Another weights version is a row of its own.
    async with engine.begin() as conn:
        other = await write_matches(conn, [again], scored_at=later, weights_version="w2",
                                    replace=False)
    assert other == {again.match_id}
    assert len(await stored(engine, job_id)) == 2


async def test_nothing_to_write_sends_nothing(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        assert await write_matches(conn, [], scored_at=AT, weights_version="w1",
                                   replace=False) == set()

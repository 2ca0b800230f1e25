"""pgvector preselection through the HNSW index, and the real model loaded offline."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.db import create_engine
from services.ats_engine.embeddings import Embedder
from services.ats_engine.jd import parse_job
from services.ats_engine.resume import parse_resume
from services.ats_engine.semantic import Semantic
from services.ats_engine.skills import default_taxonomy
from tests.unit.test_ats_embeddings import BagOfWords

pytestmark = pytest.mark.integration
RESUMES = {
    "backend": "Backend engineer\nExperience\n2019 - 2024 Python services on Kafka and "
               "PostgreSQL\n- event streams and schema design",
    "nurse": "Registered nurse\nExperience\n2019 - 2024 Patient care on a surgical ward\n"
             "- medication administration and triage",
    "teacher": "Math teacher\nExperience\n2019 - 2024 Teaching grades 6-8\n"
               "- lesson planning and classroom management",
}


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[AsyncConnection]:
    engine = create_engine(database_url, pool_size=1)
    async with engine.begin() as connection:
        yield connection
    await engine.dispose()


async def index_every_resume(conn: AsyncConnection, semantic: Semantic) -> dict[str, uuid.UUID]:
    """Each resume of RESUMES indexed as a candidate of its own; their ids by name."""
    ids = {name: uuid.uuid4() for name in RESUMES}
    for name, text in RESUMES.items():
        await semantic.index_resume(conn, ids[name], uuid.uuid4(),
                                    parse_resume(text, default_taxonomy(), date(2026, 1, 1)))
    return ids


async def test_preselect_returns_the_nearest_candidates(conn: AsyncConnection) -> None:
    taxonomy = default_taxonomy()
    semantic = Semantic(lambda: Embedder(BagOfWords()), preselect_limit=1)
    ids = await index_every_resume(conn, semantic)
    job = parse_job("Registered Nurse", "Requirements:\n- patient care on a surgical ward\n"
                    "- medication administration and triage", "Boston", taxonomy)
    assert await semantic.preselect(conn, job) == [ids["nurse"]]
    fit_nurse = await semantic.fit(conn, job, parse_resume(RESUMES["nurse"], taxonomy,
                                                     date(2026, 1, 1)))
    fit_teacher = await semantic.fit(conn, job, parse_resume(RESUMES["teacher"], taxonomy,
                                                       date(2026, 1, 1)))
    assert fit_nurse.fit > fit_teacher.fit
    closest = fit_nurse.closest["medication administration and triage"]
    assert closest.text == "medication administration and triage"
    assert closest.similarity is not None and closest.similarity > 0.99


async def test_with_no_more_candidates_than_the_limit_every_one_comes_back_in_order(
        conn: AsyncConnection) -> None:
    taxonomy = default_taxonomy()
    semantic = Semantic(lambda: Embedder(BagOfWords()), preselect_limit=len(RESUMES))
    ids = await index_every_resume(conn, semantic)
    job = parse_job("Math Teacher", "Requirements:\n- lesson planning and classroom "
                    "management\n- teaching grades 6-8", "Boston", taxonomy)
    found = await semantic.preselect(conn, job)
    assert found[0] == ids["teacher"]
    assert set(found) == set(ids.values())


@pytest.mark.slow
def test_the_real_model_loads_offline_and_ranks_meaning() -> None:
    pytest.importorskip("sentence_transformers")
    from services.ats_engine.embeddings import cosine, load_encoder

    encoder, _ = load_encoder()
    embedder = Embedder(encoder)
    job, close, far = embedder.embed(["operating Kubernetes clusters in production",
                                      "ran container orchestration on k8s for 40 services",
                                      "taught algebra to seventh graders"])
    assert cosine(job, close) > cosine(job, far) + 0.2
    assert embedder.encoded == 3


async def test_embeddings_survive_a_restart_in_the_table(conn: AsyncConnection) -> None:
    taxonomy = default_taxonomy()
    profile = parse_resume(RESUMES["backend"], taxonomy, date(2026, 1, 1))
    first_model = BagOfWords()
    await Semantic(lambda: Embedder(first_model)).index_resume(conn, uuid.uuid4(), uuid.uuid4(),
                                                               profile)
    assert sum(len(batch) for batch in first_model.batches) == len(profile.chunks)
    restarted = BagOfWords()  # a new process: empty memory, same database
    await Semantic(lambda: Embedder(restarted)).index_resume(conn, uuid.uuid4(), uuid.uuid4(),
                                                             profile)
    assert restarted.batches == [], "nothing embedded twice"

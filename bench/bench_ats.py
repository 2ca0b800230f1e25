"""ATS engine benchmark: embedding throughput (ours vs raw SentenceTransformer.encode) and
matching one job against 100,000 candidate vectors (pgvector HNSW preselect + full score of the
top 200, vs numpy brute force). Progress on stderr; the last stdout line is one JSON object."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from rich.console import Console
from rich.table import Table

from infra.db import create_engine, libpq_conninfo
from infra.migrate import upgrade
from services.ats_engine.embeddings import DIMENSIONS, Embedder, embed_documents, load_encoder
from services.ats_engine.engine import Engine, ParsedResume
from services.ats_engine.evaluate import DEFAULT_SET, load_pairs
from services.ats_engine.filters import Preferences, blocked
from services.ats_engine.jd import JobRequirements
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.vectors import nearest_candidates
from services.ats_engine.weights import DEFAULT_FILE, load_weights
from tests.servers import scratch_database

ENV_FILE = Path(__file__).resolve().parents[1] / ".dev" / "services.env"
console = Console(stderr=True)
TODAY = date(2026, 11, 26)


def load_env() -> None:
    if ENV_FILE.exists():
        for line in ENV_FILE.read_text().splitlines():
            name, _, value = line.partition("=")
            if name and value:
                os.environ.setdefault(name.strip(), value.strip())


def job_documents(engine: Engine, count: int) -> list[tuple[JobRequirements, list[str]]]:
    """`count` job descriptions from the labelled set's jobs, each made distinct, chunked."""
    jobs = {pair.job.title: pair.job for pair in load_pairs(DEFAULT_SET)}
    bases = sorted(jobs.values(), key=lambda j: j.title)
    out = []
    for i in range(count):
        base = bases[i % len(bases)]
        description = (f"{base.description}\nAbout team {i}: you will join squad {i % 13} "
                       f"working on project {i}.\nThis posting is number {i} of our hiring round.")
        requirements = engine.parse_job(base.title, description, base.location)
        out.append((requirements, [requirements.title, *requirements.chunks]))
    return out


def bench_encode(jobs: list[tuple[JobRequirements, list[str]]]) -> dict[str, float]:
    model, device = load_encoder()
    console.print(f"model on {device}")
    chunks = [list(c) for _, c in jobs]
    flat = [c for cs in chunks for c in cs]
    model.encode(flat[:64], batch_size=64, normalize_embeddings=True)  # warm up
    started = time.perf_counter()
    model.encode(flat, batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                 show_progress_bar=False)
    raw = time.perf_counter() - started
    console.print(f"raw encode: {len(flat)} chunks in {raw:.1f}s")
    embedder = Embedder(model, batch_size=64)
    started = time.perf_counter()
    embed_documents(embedder, chunks)
    ours = time.perf_counter() - started
    console.print(f"ours: {embedder.encoded} distinct of {len(flat)} chunks in {ours:.1f}s")
    return {"encode_docs_per_s": round(len(jobs) / ours, 2),
            "raw_encode_docs_per_s": round(len(jobs) / raw, 2),
            "encode_ratio": round(raw / ours, 3), "chunks": len(flat),
            "distinct_chunks": embedder.encoded}


def full_score(engine: Engine, candidates: list[int], pool: list[ParsedResume],
               job: JobRequirements, company: str) -> int:
    """Hard filters and the full requirement-by-requirement score of each preselected one."""
    prefs = Preferences()
    scored = 0
    for index in candidates:
        if blocked(prefs, job, company) is None:
            engine.score(pool[index % len(pool)], job, WEIGHTS)
            scored += 1
    return scored


WEIGHTS = load_weights(DEFAULT_FILE)


async def bench_match(database_url: str, engine: Engine, jobs: list[JobRequirements],
                      size: int, top: int, rounds: int) -> dict[str, float]:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((size, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [uuid.UUID(int=i + 1) for i in range(size)]
    pool = [engine.parse_text(p.resume_text, TODAY) for p in load_pairs(DEFAULT_SET)]
    with psycopg.connect(libpq_conninfo(database_url), autocommit=True) as conn:
        register_vector(conn)
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("DROP INDEX IF EXISTS ix_ats_candidate_vectors_embedding")
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy(
                "COPY ats_candidate_vectors (candidate_id, resume_version_id, embedding) "
                "FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["uuid", "uuid", "vector"])
            for i in range(size):
                copy.write_row((ids[i], ids[i], vectors[i]))
        console.print(f"loaded {size:,} vectors in {time.perf_counter() - started:.1f}s")
        started = time.perf_counter()
        conn.execute("CREATE INDEX ix_ats_candidate_vectors_embedding ON ats_candidate_vectors "
                     "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)")
        console.print(f"HNSW index built in {time.perf_counter() - started:.1f}s")
        conn.execute("ANALYZE ats_candidate_vectors")
    index_of = {candidate: i for i, candidate in enumerate(ids)}
    db = create_engine(database_url, pool_size=1)
    ours: list[float] = []
    brute: list[float] = []
    recall: list[float] = []
    try:
        for r in range(rounds):
            job = jobs[r % len(jobs)]
            query = rng.standard_normal(DIMENSIONS).astype(np.float32)
            query /= np.linalg.norm(query)
            started = time.perf_counter()
            async with db.connect() as aconn, aconn.begin():
                nearest = await nearest_candidates(aconn, query.tolist(), top)
            chosen = [index_of[c] for c, _ in nearest]
            full_score(engine, chosen, pool, job, "Acme")
            ours.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            similarities = vectors @ query
            best = np.argpartition(-similarities, top)[:top]
            exact = best[np.argsort(-similarities[best])]
            full_score(engine, [int(i) for i in exact], pool, job, "Acme")
            brute.append((time.perf_counter() - started) * 1000)
            recall.append(len(set(chosen) & {int(i) for i in exact}) / top)
    finally:
        await db.dispose()
    return {"match_ms_p50": round(statistics.median(ours), 2),
            "brute_force_ms_p50": round(statistics.median(brute), 2),
            "preselect_recall_at_200": round(statistics.mean(recall), 3)}


def main() -> None:
    load_env()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--top", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--database-url", default=os.environ.get("JAMS_DATABASE_URL"))
    parser.add_argument("--skip-encode", action="store_true")
    args = parser.parse_args()
    if not args.database_url:
        sys.exit("error: no JAMS_DATABASE_URL (run `make services-up`)")
    random.seed(7)
    engine = Engine(default_taxonomy())
    jobs = job_documents(engine, args.jobs)
    results: dict[str, Any] = {}
    if not args.skip_encode:
        results.update(bench_encode(jobs))
    with scratch_database(args.database_url) as url:
        upgrade(url)
        results.update(asyncio.run(bench_match(url, engine, [j for j, _ in jobs],
                                               args.candidates, args.top, args.rounds)))
    results.update({"jobs": args.jobs, "candidate_vectors": args.candidates, "top": args.top})
    table = Table("figure", "value")
    for name, value in results.items():
        table.add_row(name, str(value))
    console.print(table)
    print(json.dumps(results))


if __name__ == "__main__":
    main()

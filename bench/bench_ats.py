"""ATS engine benchmark.

1. Embedding throughput: our pipeline (chunking as production does, the content-hash cache,
   batches) on 300 different job descriptions built from O*NET occupations, against plain
   SentenceTransformer.encode on the same chunks in the same run.
2. Matching one new job against 100,000 candidate vectors: pgvector HNSW preselection of the
   nearest 200 plus the full score of each (rules and semantic fit), against numpy brute force
   over all 100,000 with the same scoring. Candidate vectors are clustered like real ones: the
   embedded resumes of 600 O*NET occupations, mixed and jittered; queries are the jobs' own
   vectors. Recall@200 of the index against the exact neighbours is reported for each
   ef_search tried.

Progress on stderr; the last stdout line is one JSON object."""

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
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from rich.console import Console
from rich.table import Table

from bench.ats_corpus import job_posting, occupations, resume_text
from infra.db import create_engine, libpq_conninfo
from infra.migrate import upgrade
from services.ats_engine.embeddings import (
    DIMENSIONS,
    VECTOR_CACHE,
    Embedder,
    embed_documents,
    load_encoder,
    load_vector_file,
    mean_vector,
    save_vector_file,
    semantic_fit,
)
from services.ats_engine.engine import Engine, ParsedResume
from services.ats_engine.filters import Preferences, blocked
from services.ats_engine.jd import JobRequirements
from services.ats_engine.scoring import SemanticMatch
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.vectors import DEFAULT_EF_SEARCH, nearest_candidates
from services.ats_engine.weights import DEFAULT_FILE, load_weights
from tests.servers import load_dev_env, scratch_database

console = Console(stderr=True)
TODAY = date(2026, 11, 26)
WEIGHTS = load_weights(DEFAULT_FILE)
SEED = 7


@dataclass
class Job:
    requirements: JobRequirements
    chunks: list[str]  # what production embeds for a job: its title and each line
    vectors: np.ndarray | None = None


@dataclass
class Resume:
    parsed: ParsedResume
    vectors: np.ndarray  # its chunks'
    mean: np.ndarray  # the candidate vector production stores


def job_documents(engine: Engine, count: int) -> list[Job]:
    rng = random.Random(SEED)
    chosen = rng.sample(occupations(), k=count)
    jobs = []
    for occupation in chosen:
        requirements = engine.parse_job(*job_posting(occupation, rng))
        jobs.append(Job(requirements, [requirements.title, *requirements.chunks]))
    return jobs


def bench_encode(jobs: list[Job]) -> tuple[dict[str, Any], Embedder]:
    model, device = load_encoder()
    console.print(f"model on {device}")
    flat = [c for job in jobs for c in job.chunks]
    model.encode(flat[:64], batch_size=64, normalize_embeddings=True)  # warm up
    started = time.perf_counter()
    model.encode(flat, batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                 show_progress_bar=False)
    raw = time.perf_counter() - started
    console.print(f"raw encode: {len(flat)} chunks in {raw:.1f}s")
    embedder = Embedder(model, batch_size=64)  # empty cache: nothing is known beforehand
    started = time.perf_counter()
    vectors = embed_documents(embedder, [job.chunks for job in jobs])
    ours = time.perf_counter() - started
    for job, job_vectors in zip(jobs, vectors, strict=True):
        job.vectors = np.asarray(job_vectors, dtype=np.float32)
    console.print(f"ours: {embedder.encoded} distinct of {len(flat)} chunks in {ours:.1f}s")
    return {"encode_docs_per_s": round(len(jobs) / ours, 2),
            "raw_encode_docs_per_s": round(len(jobs) / raw, 2),
            "encode_ratio": round(raw / ours, 3), "chunks": len(flat),
            "distinct_chunks": embedder.encoded}, embedder


def resume_pool(engine: Engine, embedder: Embedder, count: int, cache: Path) -> list[Resume]:
    """Resumes of `count` occupations, embedded (kept on disk: the pool is the same each run)."""
    rng = random.Random(SEED + 1)
    texts = [resume_text(o, rng) for o in rng.sample(occupations(), k=count)]
    parsed = [engine.parse_text(text, TODAY) for text in texts]
    embedder.remember(load_vector_file(cache))
    before = embedder.encoded
    vectors = embed_documents(embedder, [[t for t, _, _ in p.profile.chunks] for p in parsed])
    if embedder.encoded > before:
        save_vector_file(cache, embedder.snapshot())
    console.print(f"resume pool: {count} resumes, {embedder.encoded - before} chunks embedded")
    return [Resume(p, np.asarray(v, dtype=np.float32), np.asarray(mean_vector(v), np.float32))
            for p, v in zip(parsed, vectors, strict=True)]


def candidate_vectors(pool: list[Resume], size: int) -> tuple[np.ndarray, np.ndarray]:
    """`size` unit vectors around the pool's resumes (mostly one, partly another, jitter), and
    which resume each one stands for."""
    rng = np.random.default_rng(SEED)
    means = np.stack([r.mean for r in pool])
    main = rng.integers(0, len(pool), size)
    other = rng.integers(0, len(pool), size)
    mix = rng.uniform(0.0, 0.35, size)[:, None]
    vectors = (1 - mix) * means[main] + mix * means[other]
    vectors += rng.normal(0, 0.03, (size, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32), main


def full_score(engine: Engine, chosen: list[int], owners: np.ndarray, pool: list[Resume],
               job: Job) -> int:
    """Hard filters and the full score of each preselected candidate, semantic fit included."""
    prefs = Preferences()
    assert job.vectors is not None
    job_lines = job.vectors[1:]  # the title is for preselection only, as in production
    for index in chosen:
        resume = pool[int(owners[index])]
        if blocked(prefs, job.requirements, "Acme") is None:
            fit, _, _ = semantic_fit(job_lines, resume.vectors)
            engine.score(resume.parsed, job.requirements, WEIGHTS, SemanticMatch(fit, {}))
    return len(chosen)


def load_vectors(database_url: str, vectors: np.ndarray, m: int, ef_construction: int) -> None:
    ids = [uuid.UUID(int=i + 1) for i in range(len(vectors))]
    with psycopg.connect(libpq_conninfo(database_url), autocommit=True) as conn:
        register_vector(conn)
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("DROP INDEX IF EXISTS ix_ats_candidate_vectors_embedding")
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy(
                "COPY ats_candidate_vectors (candidate_id, resume_version_id, embedding) "
                "FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["uuid", "uuid", "vector"])
            for i, vector in enumerate(vectors):
                copy.write_row((ids[i], ids[i], vector))
        console.print(f"loaded {len(vectors):,} vectors in {time.perf_counter() - started:.1f}s")
        started = time.perf_counter()
        conn.execute("CREATE INDEX ix_ats_candidate_vectors_embedding ON ats_candidate_vectors "
                     f"USING hnsw (embedding vector_cosine_ops) WITH (m = {m:d}, "
                     f"ef_construction = {ef_construction:d})")
        console.print(f"HNSW index (m={m}, ef_construction={ef_construction}) built in "
                      f"{time.perf_counter() - started:.1f}s")
        conn.execute("ANALYZE ats_candidate_vectors")


def exact_top(vectors: np.ndarray, query: np.ndarray, top: int) -> np.ndarray:
    similarities = vectors @ query
    best = np.argpartition(-similarities, top)[:top]
    return best[np.argsort(-similarities[best])]


async def bench_match(database_url: str, engine: Engine, jobs: list[Job], pool: list[Resume],
                      vectors: np.ndarray, owners: np.ndarray, top: int, rounds: int,
                      ef_searches: list[int], ef_search: int) -> dict[str, Any]:
    db = create_engine(database_url, pool_size=1)
    queries = [np.asarray(mean_vector(job.vectors.tolist()), np.float32)  # type: ignore[union-attr]
               for job in jobs[:rounds]]
    out: dict[str, Any] = {}
    try:
        # Preselection alone, for each ef_search tried: latency and recall against exact.
        for ef in ef_searches:
            times, recalls = [], []
            for query in queries:
                started = time.perf_counter()
                async with db.connect() as conn, conn.begin():
                    nearest = await nearest_candidates(conn, query.tolist(), top, ef_search=ef)
                times.append((time.perf_counter() - started) * 1000)
                found = {c.int - 1 for c, _ in nearest}
                recalls.append(len(found & set(exact_top(vectors, query, top).tolist())) / top)
            out[f"ef{ef}"] = {"preselect_ms_p50": round(statistics.median(times), 2),
                              "recall_at_200": round(statistics.mean(recalls), 3)}
            console.print(f"ef_search={ef}: {out[f'ef{ef}']}")
        ours, brute, recalls = [], [], []
        for job, query in zip(jobs, queries, strict=False):
            started = time.perf_counter()
            async with db.connect() as conn, conn.begin():
                nearest = await nearest_candidates(conn, query.tolist(), top, ef_search=ef_search)
            chosen = [c.int - 1 for c, _ in nearest]
            full_score(engine, chosen, owners, pool, job)
            ours.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            exact = exact_top(vectors, query, top)
            full_score(engine, [int(i) for i in exact], owners, pool, job)
            brute.append((time.perf_counter() - started) * 1000)
            recalls.append(len(set(chosen) & set(exact.tolist())) / top)
    finally:
        await db.dispose()
    return {"match_ms_p50": round(statistics.median(ours), 2),
            "brute_force_ms_p50": round(statistics.median(brute), 2),
            "recall_at_200": round(statistics.mean(recalls), 3), "ef_search": ef_search,
            "by_ef_search": out}


def main() -> None:
    load_dev_env()
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--resumes", type=int, default=600, help="resumes the vectors cluster on")
    parser.add_argument("--top", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--m", type=int, default=16, help="HNSW links per node")
    parser.add_argument("--ef-construction", type=int, default=64)
    parser.add_argument("--ef-search", type=int, default=None,
                        help="for match_ms (default: the engine's own)")
    parser.add_argument("--try-ef-search", default="200,400,800")
    parser.add_argument("--cache", type=Path, default=VECTOR_CACHE)
    parser.add_argument("--skip-match", action="store_true", help="the embedding part only")
    parser.add_argument("--database-url", default=os.environ.get("JAMS_DATABASE_URL"))
    args = parser.parse_args()
    if not args.database_url:
        sys.exit("error: no JAMS_DATABASE_URL (run `make services-up`)")
    engine = Engine(default_taxonomy())
    jobs = job_documents(engine, args.jobs)
    results, embedder = bench_encode(jobs)
    if args.skip_match:
        print(json.dumps(results))
        return
    pool = resume_pool(engine, embedder, args.resumes, args.cache)
    vectors, owners = candidate_vectors(pool, args.candidates)
    ef_search = args.ef_search or DEFAULT_EF_SEARCH
    with scratch_database(args.database_url) as url:
        upgrade(url)
        load_vectors(url, vectors, args.m, args.ef_construction)
        results.update(asyncio.run(bench_match(
            url, engine, jobs, pool, vectors, owners, args.top, args.rounds,
            [int(x) for x in args.try_ef_search.split(",") if x], ef_search)))
    results.update({"jobs": args.jobs, "candidate_vectors": args.candidates, "top": args.top,
                    "m": args.m, "ef_construction": args.ef_construction})
    table = Table("figure", "value")
    for name, value in results.items():
        table.add_row(name, json.dumps(value))
    console.print(table)
    print(json.dumps(results))


if __name__ == "__main__":
    main()

"""Scoring one new job against its candidates: the batched path against pair by pair.

200 candidates (uploaded as the service would) and a fresh job each round, on a scratch
database. "batched" scores all pairs with one call (a fixed number of round trips, one
multi-row match insert); "per_pair" calls the same function once per pair, which is what
the handler did before (a few round trips and one insert for each pair). Both run in one
transaction per round under the scoring lock, and write the same rows and events.

The last stdout line is one JSON object."""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from infra.blobs import LocalBlobStore
from infra.clock import SystemClock
from infra.db import create_engine
from infra.migrate import upgrade
from infra.uow import UnitOfWork
from services.ats_engine import handlers as handlers_module
from services.ats_engine.engine import Engine
from services.ats_engine.handlers import AtsHandlers
from services.ats_engine.intake import upload_resume
from services.ats_engine.scoring_step import JobToScore, ScoringStep
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.weights import DEFAULT_FILE, WeightsSource
from tests.fixtures.resumes import RESUME
from tests.servers import load_dev_env, scratch_database, server_url

DESCRIPTION = "Requirements:\n- Python: five or more years\n- PostgreSQL\n- Kafka\n- Kubernetes\n"
VARIANTS = ["Kubernetes", "Ansible", "Kafka", "PostgreSQL", "Python"]


async def run(url: str, count: int, rounds: int, blob_dir: Path) -> dict[str, float | int]:
    engine = create_engine(url, pool_size=2)
    uow = UnitOfWork(engine, SystemClock(), source="jams/ats_engine")
    blobs = LocalBlobStore(blob_dir)
    ats = Engine(default_taxonomy())
    handlers = AtsHandlers(blobs, ats, WeightsSource(DEFAULT_FILE))
    step = ScoringStep(ats, WeightsSource(DEFAULT_FILE))
    for index in range(count):
        text = RESUME.replace(VARIANTS[index % len(VARIANTS)], f"Skill{index}")
        uploaded = await upload_resume(uow, blobs, ats, uuid.uuid4(), "cv.txt", text.encode())
        async with uow.transaction() as tx:
            await handlers.on_resume_version_created(uploaded.event, tx)
    best: dict[str, float] = {}
    for _ in range(rounds):
        for mode in ("batched", "per_pair"):
            job_id = uuid.uuid4()
            job = JobToScore(job_id, "Senior Backend Engineer (Python)", "Acme",
                             "https://jobs.example/1",
                             ats.parse_job("Senior Backend Engineer (Python)", DESCRIPTION,
                                           "Remote"))
            async with uow.transaction() as tx:
                await handlers_module._serialise_scoring(tx, exclusive=False)
                pool = await handlers._load_candidates(tx, sa.true())
                pairs = [(candidate, job) for candidate in pool]
                started = time.perf_counter()
                if mode == "batched":
                    await step.score(tx, pairs)
                else:
                    for pair in pairs:
                        await step.score(tx, [pair])
                await tx.flush()
                elapsed = time.perf_counter() - started
            best[mode] = max(best.get(mode, 0.0), len(pairs) / elapsed)
    await engine.dispose()
    return {"candidates": count, "rounds": rounds,
            "batched_pairs_per_s": round(best["batched"], 1),
            "per_pair_pairs_per_s": round(best["per_pair"], 1),
            "speedup": round(best["batched"] / best["per_pair"], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    load_dev_env()

    with scratch_database(server_url("JAMS_DATABASE_URL")) as url, \
            tempfile.TemporaryDirectory() as blob_dir:
        upgrade(url)
        result = asyncio.run(run(url, args.candidates, args.rounds, Path(blob_dir)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""Scoring one new job against its candidates: the batched path against pair by pair.

200 candidates (uploaded as the service would) and a fresh job each round, on a scratch
database. "batched" scores all pairs with one call (a fixed number of round trips, one
multi-row match insert); "per_pair" calls the same function once per pair, which is what
the handler did before (a few round trips and one insert for each pair). Both run in one
transaction per round under the scoring lock, and write the same rows and events.

Then, in this process on one core: stage one (every pair of a job at once, as arrays) against
the full scorer pair by pair on the same pairs (pairs/s of each, and the ratio), and how often
the two-stage decision is the full scorer's over several posts against the same candidates.

The last stdout line is one JSON object."""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from infra.blobs import LocalBlobStore
from infra.clock import SystemClock
from infra.db import create_engine
from infra.migrate import upgrade
from infra.uow import UnitOfWork
from services.ats_engine import handlers as handlers_module
from services.ats_engine.domain import Decision
from services.ats_engine.engine import Engine, candidate_place
from services.ats_engine.handlers import AtsHandlers
from services.ats_engine.intake import upload_resume
from services.ats_engine.scoring_step import CandidateToScore, JobToScore, ScoringStep
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.stage_one_cache import StageOne
from services.ats_engine.weights import DEFAULT_FILE, WeightsSource
from tests.fixtures.resumes import RESUME
from tests.servers import load_dev_env, scratch_database, server_url

DESCRIPTION = "Requirements:\n- Python: five or more years\n- PostgreSQL\n- Kafka\n- Kubernetes\n"
VARIANTS = ["Kubernetes", "Ansible", "Kafka", "PostgreSQL", "Python"]
# Posts the candidates are scored against for agreement: a close match, a neighbouring
# field, a junior post, a licensed trade and a post in another country.
AGREEMENT_POSTS = [
    ("Senior Backend Engineer (Python)", DESCRIPTION, "Remote"),
    ("Data Engineer", "Requirements:\n- Spark\n- Airflow\n- Python: three or more years\n"
     "- SQL\nNice to have:\n- Kafka\n", "Berlin, Germany"),
    ("Junior Frontend Developer", "Requirements:\n- React\n- TypeScript\n- CSS\n", "Hybrid"),
    ("Registered Nurse", "Requirements:\n- Active RN licence in the state of Texas\n"
     "- BLS certification\n- Two years of acute care experience\n", "Austin, TX"),
    ("Staff Site Reliability Engineer", "Requirements:\n- Kubernetes: eight or more years\n"
     "- Terraform\n- Go\n- Prometheus\n", "London, UK"),
]


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
    async with uow.transaction() as tx:
        pool = await handlers._load_candidates(tx, sa.true())
    await engine.dispose()
    return {"candidates": count, "rounds": rounds,
            "batched_pairs_per_s": round(best["batched"], 1),
            "per_pair_pairs_per_s": round(best["per_pair"], 1),
            "speedup": round(best["batched"] / best["per_pair"], 2),
            **stages(ats, WeightsSource(DEFAULT_FILE), pool, rounds)}


def stages(ats: Engine, source: WeightsSource, pool: list[CandidateToScore],
           rounds: int) -> dict[str, float | int]:
    """Stage one and the full scorer on one core over the same pairs, and the two-stage
    decision's agreement with the full scorer's on every post of AGREEMENT_POSTS."""
    weights = source.current()
    stage = StageOne(ats.taxonomy)
    keyed = [((c.resume_version_id, c.resume.profile.today), c.resume.profile,
              candidate_place(c.resume.profile, c.preferences)) for c in pool]
    jobs = [ats.parse_job(*post) for post in AGREEMENT_POSTS]
    stage.screen(jobs[0], keyed, weights)  # features are kept per resume version: warm them
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    # Each job meets another pool in production (preselection): the block is stacked anew
    # from the kept features every time.
    pools = [keyed[shift:] + keyed[:shift] for shift in range(1, rounds * 20 + 1)]
    try:
        first = max(_rate(functools.partial(stage.screen, jobs[0], each, weights), len(pool))
                    for each in pools)
        full = max(_rate(lambda: [ats.score(c.resume, jobs[0], weights, None, c.preferences)
                                  for c in pool], len(pool)) for _ in range(rounds))
    finally:
        os.sched_setaffinity(0, cpus)
    same = total = added = alone = 0
    for job in jobs:
        result = stage.screen(job, keyed, weights)
        for row, candidate in enumerate(pool):
            decided = ats.score(candidate.resume, job, weights, None,
                                candidate.preferences).decision
            two_stage = Decision.REJECT if result.final[row] else decided
            total += 1
            same += two_stage is decided
            added += two_stage is Decision.APPLY and decided is not Decision.APPLY
            alone += bool(result.final[row])
    return {"stage1_pairs_per_s": round(first, 1), "full_pairs_per_s": round(full, 1),
            "stage1_ratio": round(first / full, 1), "agreement": round(same / total, 5),
            "agreement_pairs": total, "applies_added": added,
            "stage1_decided_share": round(alone / total, 4)}


def _rate(work: Callable[[], object], pairs: int) -> float:
    started = time.perf_counter()
    work()
    return pairs / (time.perf_counter() - started)


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

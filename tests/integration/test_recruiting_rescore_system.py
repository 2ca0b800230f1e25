"""Re-scores on the running system: the gateway, the ATS engine and the recruiting service in
one process on the embedded bus. A run asked through the API is queued and run by the engine,
the job's scores come back refreshed and the task ends done; a new weights version re-scores
the open job, its scores of the old version kept beside the new ones."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from infra.auth import Role
from infra.db import create_engine
from services.ats_engine.tables import matches
from services.ats_engine.weights import DEFAULT_FILE
from services.recruiting.tables import rescore_tasks
from tests.integration.test_recruiting_system import (
    SEEDED,
    acme_job,
    running_system,
    until,
)

pytestmark = pytest.mark.integration


def weights_file(path: Path, version: str, **weights: float) -> None:
    document = json.loads(DEFAULT_FILE.read_text())
    document["version"] = version
    document["weights"].update(weights)
    path.write_text(json.dumps(document))


async def test_a_run_and_a_new_weights_version_rescore_the_job_keeping_old_scores(
        database_url: str, redis_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    weights = tmp_path / "weights.json"
    weights_file(weights, "test-1")
    monkeypatch.setenv("JAMS_WEIGHTS_FILE", str(weights))
    recruiter_id = uuid.uuid4()
    async with running_system(database_url, redis_url, tmp_path) as running:
        client, recruiter = running.client, running.auth(Role.RECRUITER, recruiter_id)
        job = await acme_job(running, recruiter_id)

        async def listed() -> dict[str, dict[str, Any]]:
            if running.running.done():
                running.running.result()
            got = await client.get(f"/api/v1/jobs/{job}/candidates", headers=recruiter)
            return {c["candidate_id"]: c for c in got.json()["items"]}

        async def all_scored() -> bool:
            return len(await listed()) == len(SEEDED)

        await until(all_scored)
        before = await listed()
        assert {c["weights_version"] for c in before.values()} == {"test-1"}

        asked = await client.post("/api/v1/match/run", headers=recruiter,
                                  json={"job_id": job, "priority": "high"})
        assert asked.status_code == 202, asked.text
        task_id = asked.json()["task_id"]
        again = await client.post("/api/v1/match/run", headers=recruiter, json={"job_id": job})
        assert again.status_code in (202, 409)
        if again.status_code == 409:
            assert again.json()["error"]["details"] == {"task_id": task_id}

        async def task_done() -> bool:
            got = await client.get(f"/api/v1/match/run/{task_id}", headers=recruiter)
            return bool(got.json()["status"] == "done")

        await until(task_done)
        done = (await client.get(f"/api/v1/match/run/{task_id}", headers=recruiter)).json()
        assert done["pairs"] >= len(SEEDED) and done["weights_version"] == "test-1"
        assert done["finished_at"] >= done["requested_at"]

        async def refreshed() -> bool:
            now = await listed()
            return all(now[c]["scored_at"] > before[c]["scored_at"] for c in before)

        await until(refreshed)
        after_run = await listed()
        assert {c: v["score"] for c, v in after_run.items()} == {
            c: v["score"] for c, v in before.items()}, "the same weights, the same scores"

        # An operator's new weights: the engine announces the version, recruiting asks a
        # re-score of its open job, and the list shows the new version's scores.
        weights_file(weights, "test-2", must_skills=0.05, title=0.9, semantic=0.0)

        async def new_version_listed() -> bool:
            return {c["weights_version"] for c in (await listed()).values()} == {"test-2"}

        await until(new_version_listed)
        after = await listed()
        assert {c: v["score"] for c, v in after.items()} != {
            c: v["score"] for c, v in before.items()}
        engine = create_engine(database_url, pool_size=1)
        try:
            async with engine.connect() as conn:
                kept = (await conn.execute(sa.select(
                    matches.c.candidate_id, matches.c.weights_version, matches.c.score).where(
                    matches.c.job_id == uuid.UUID(job)))).all()
                reasons = (await conn.execute(sa.select(
                    rescore_tasks.c.reason, rescore_tasks.c.status).where(
                    rescore_tasks.c.job_id == uuid.UUID(job)))).all()
        finally:
            await engine.dispose()
        by_version = {(str(c), v): s for c, v, s in kept}
        for candidate, row in before.items():
            assert by_version[(candidate, "test-1")] == row["score"], "the old score is kept"
            assert by_version[(candidate, "test-2")] == after[candidate]["score"]
        assert ("weights", "done") in {tuple(r) for r in reasons}

"""`make bench-e2e` at a tiny size: every service in its own process on the real servers; the
last line is the JSON the bench promises, with nothing lost and nothing done twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.generator import generate

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.slow, pytest.mark.kafka,
              pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
PROMISED = {"jobs_per_s", "encode_bound_jobs_per_s", "e2e_ratio", "decision_p99_s",
            "applications", "reviews", "duplicates", "lost"}


def test_a_tiny_run_loses_nothing_and_does_nothing_twice(
    postgres_url: str, kafka_bootstrap: str, redis_url: str, mongo_url: str, chromium_path: str,
) -> None:
    jobs, candidates = 12, 5
    completed = subprocess.run(
        [sys.executable, "-m", "bench.bench_e2e", "--jobs", str(jobs), "--candidates",
         str(candidates), "--reviewers", "2", "--stall-s", "180", "--timeout-s", "900"],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=1200,
        check=False)
    lines = completed.stdout.strip().splitlines()
    assert lines, completed.stderr[-3000:]
    figures = json.loads(lines[-1])
    assert set(figures) >= PROMISED, figures
    assert figures["duplicates"] == 0, figures["breakdown"]
    assert figures["lost"] == 0, figures["breakdown"]
    assert figures["settled"] is True, completed.stderr[-3000:]
    assert completed.returncode == 0
    world = generate(jobs, candidates)
    assert figures["jobs"] == len(world.posts)
    assert figures["unique_jobs"] == len(world.jobs) < len(world.posts)  # some posted twice
    # Every pair the world was built to apply for was applied for, each exactly once.
    assert figures["applications"] >= sum(1 for j in world.jobs if j.kind == "apply")
    assert figures["jobs_per_s"] > 0 and figures["encode_bound_jobs_per_s"] > 0

"""The generated sandbox world: deterministic by seed, the promised share of duplicate posts,
and jobs that score their anchor candidate as they were built to."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from sandbox.generator import generate
from services.ats_engine.engine import Engine
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.weights import DEFAULT_FILE, load_weights


def test_the_same_seed_gives_the_same_world_and_another_seed_another() -> None:
    assert generate(50, 10, seed=3) == generate(50, 10, seed=3)
    assert generate(50, 10, seed=3).jobs != generate(50, 10, seed=4).jobs


def test_a_share_of_the_posts_repeat_a_job_on_the_companys_second_board() -> None:
    world = generate(1000, 200, duplicate_share=0.3)
    assert len(world.posts) == 1000
    assert len(world.jobs) == 700
    per_job = Counter(world.canonical.values())
    assert sorted(Counter(per_job.values()).items()) == [(1, 400), (2, 300)]
    boards = {(p.board_token, p.id) for p in world.posts}
    assert len(boards) == 1000  # every post its own id and URL
    assert len({c.email for c in world.candidates}) == 200


@pytest.mark.parametrize("bad", [(0, 10, 0.3), (10, 0, 0.3), (10, 10, 1.0)])
def test_a_world_that_cannot_be_built_is_refused(bad: tuple[int, int, float]) -> None:
    jobs, candidates, share = bad
    with pytest.raises(ValueError, match="positive"):
        generate(jobs, candidates, duplicate_share=share)


def test_apply_jobs_apply_their_anchor_and_reject_jobs_do_not() -> None:
    world = generate(200, 40, seed=11)
    engine, weights = Engine(default_taxonomy()), load_weights(DEFAULT_FILE)
    people = {c.candidate_id: c for c in world.candidates}
    decisions: Counter[tuple[str, str]] = Counter()
    for job in world.jobs:
        resume = engine.parse_text(people[job.anchor].resume(), date(2026, 11, 26))
        requirements = engine.parse_job(job.title, job.content_html(), job.location)
        decisions[(job.kind, engine.score(resume, requirements, weights).decision.value)] += 1
    applied = decisions[("apply", "apply")]
    assert applied >= 0.8 * sum(n for (kind, _), n in decisions.items() if kind == "apply")
    assert decisions[("reject", "apply")] == 0

"""The generated sandbox world: deterministic by seed, the promised share of duplicate posts,
jobs that score their anchor candidate as they were built to, and posts that read like real
ones, with few sentences shared between them."""

from __future__ import annotations

from collections import Counter
from datetime import date
from statistics import mean

import pytest

from sandbox.generator import Job, generate, skill_names
from services.ats_engine.engine import Engine
from services.ats_engine.jd import JobRequirements
from services.ats_engine.scoring import SemanticMatch
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.weights import DEFAULT_FILE, load_weights
from services.job_discovery.html_text import html_to_text


def _requirements(engine: Engine, job: Job) -> JobRequirements:
    # What the ATS engine is given: the plain text job discovery makes of the post's HTML.
    return engine.parse_job(job.title, html_to_text(job.content_html()), job.location)


def test_the_same_seed_gives_the_same_world_and_another_seed_another() -> None:
    assert generate(50, 10, seed=3) == generate(50, 10, seed=3)
    assert generate(50, 10, seed=3).jobs != generate(50, 10, seed=4).jobs
    texts = [[post.content_html for post in generate(50, 10, seed=3).posts] for _ in range(2)]
    assert texts[0] == texts[1]


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


def test_apply_jobs_apply_their_anchor_review_jobs_review_it_and_reject_jobs_do_not() -> None:
    world = generate(200, 40, seed=11)
    engine, weights = Engine(default_taxonomy()), load_weights(DEFAULT_FILE)
    people = {c.candidate_id: c for c in world.candidates}
    decisions: Counter[tuple[str, str]] = Counter()
    for job in world.jobs:
        resume = engine.parse_text(people[job.anchor].resume(), date(2026, 11, 26))
        requirements = _requirements(engine, job)
        # Close in meaning, as the model finds a post written from its anchor's skills.
        outcome = engine.score(resume, requirements, weights, SemanticMatch(0.6, {}))
        decisions[(job.kind, outcome.decision.value)] += 1
    kinds = Counter(job.kind for job in world.jobs)
    assert decisions[("apply", "apply")] >= 0.8 * kinds["apply"]
    assert decisions[("reject", "apply")] == 0
    # Half the skills asked: the anchor is worth a reviewer's look, no more and no less.
    assert kinds["review"] > 0
    assert decisions[("review", "review")] == kinds["review"]


def test_a_post_asks_for_its_skills_as_must_haves_and_its_prose_adds_none() -> None:
    world = generate(300, 60, duplicate_share=0.0, seed=5)
    taxonomy = default_taxonomy()
    engine = Engine(taxonomy)
    for job in world.jobs:
        asked = {(skill.skill, skill.must) for skill in _requirements(engine, job).skills}
        assert asked == {(taxonomy.canonical(skill), True) for skill in job.skills}, job


def test_posts_are_a_dozen_to_twenty_ordinary_sentences_mostly_their_own() -> None:
    world = generate(200, 40, duplicate_share=0.0, seed=11)
    engine = Engine(default_taxonomy())
    chunks = [_requirements(engine, job).chunks for job in world.jobs]
    assert all(12 <= len(job) <= 20 for job in chunks)
    assert 14 <= mean(len(job) for job in chunks) <= 18
    every = [chunk for job in chunks for chunk in job]
    assert all(20 <= len(chunk) <= 200 for chunk in every)  # sentences, not paragraphs
    assert len(set(every)) / len(every) > 0.85


def test_every_pooled_skill_is_found_by_the_ats_taxonomy_as_itself() -> None:
    taxonomy = default_taxonomy()
    lost = [name for name in skill_names()
            if taxonomy.canonical(name) not in
            {hit.skill for hit in taxonomy.find(f"Hands-on experience with {name} in production.")}]
    assert len(skill_names()) > 3000
    assert not lost, f"{len(lost)} pooled skills the taxonomy no longer finds: {lost[:10]}"


def test_a_job_shares_a_skill_with_few_candidates_but_its_anchor() -> None:
    world = generate(300, 200, seed=3)
    sharing = sum(1 for job in world.jobs for person in world.candidates
                  if person.candidate_id != job.anchor
                  and set(job.skills) & {*person.in_role, *person.listed})
    pairs = len(world.jobs) * (len(world.candidates) - 1)
    assert sharing / pairs < 0.02, f"{sharing} of {pairs} other pairs share a skill"

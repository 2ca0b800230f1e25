"""bench-e2e's CPU figures: each part's CPU per post over the burst's window, and the bound the
other services set when the ATS engine (every replica), the servers, the portal, the bench and
other work are left out."""

from __future__ import annotations

import uuid

import pytest

from bench.cpu_watch import Sample
from bench.e2e_cpu import cpu_figures
from bench.e2e_watch import JobKey, PublishedJob, Tally
from sandbox.generator import World

DECIDED: JobKey = ("Acme", "Engineer", "Remote")
UNDECIDED: JobKey = ("Initech", "Analyst", "Austin")


def world_of(decided_posts: int, undecided_posts: int) -> World:
    """Posts of two jobs: a job posted on several boards counts once a post."""
    canonical = {(f"board{i}", i): DECIDED for i in range(decided_posts)}
    canonical |= {(f"other{i}", i): UNDECIDED for i in range(undecided_posts)}
    return World([], [], [], canonical)


def tally_of(window: tuple[float, float], candidates: int) -> Tally:
    """One job decided for `candidates` over `window`, another published and never decided."""
    tally = Tally()
    decided, undecided = uuid.uuid4(), uuid.uuid4()
    tally.first_in[DECIDED] = window[0]
    tally.first_in[UNDECIDED] = window[0]
    tally.published[decided] = PublishedJob(DECIDED, "Engineer", "", "Remote")
    tally.published[undecided] = PublishedJob(UNDECIDED, "Analyst", "", "Austin")
    tally.decided_per_job[decided] = candidates
    tally.decided_at[decided] = window[1]
    return tally


def sample(at: float, busy_s: float, **cpu: float) -> Sample:
    return Sample(at, cpu, {}, busy_s)


def test_the_other_services_bound_the_posts_a_second() -> None:
    # Over the window 10 s to 20 s: two ATS replicas 5 s and 3 s, the job service 4 s, the bot
    # 2 s, the servers 2 s, the portal 1 s and the bench 1 s; the machine was busy 20 s (2 s
    # for someone else). 100 posts were decided; the undecided job's 50 do not count.
    samples = [sample(0.0, 0.0, ats_engine=0.0, ats_engine_2=0.0, job_discovery=0.0,
                      application_bot=0.0, servers=0.0, portal=0.0, bench=0.0),
               sample(10.0, 5.0, ats_engine=1.0, ats_engine_2=0.0, job_discovery=1.0,
                      application_bot=0.0, servers=1.0, portal=1.0, bench=1.0),
               sample(20.0, 25.0, ats_engine=6.0, ats_engine_2=3.0, job_discovery=5.0,
                      application_bot=2.0, servers=3.0, portal=2.0, bench=2.0)]
    figures = cpu_figures(tally_of((10.0, 20.0), 3), world_of(100, 50), samples, 3,
                          encode_bound_jobs_per_s=50.0, cores=2)
    assert figures["cpu_s_per_post"] == {
        "application_bot": 0.02, "ats_engine": 0.05, "ats_engine_2": 0.03, "bench": 0.01,
        "job_discovery": 0.04, "other": 0.02, "portal": 0.01, "servers": 0.02}
    # The job service and the bot: 6 s for 100 posts, 0.06 s a post.
    assert figures["rest_cpu_s_per_post"] == pytest.approx(0.06)
    assert figures["rest_bound_jobs_per_s"] == pytest.approx(33.33)
    assert figures["rest_bound_ratio"] == pytest.approx(0.667)


def test_nothing_but_the_ats_engine_working_sets_no_bound() -> None:
    samples = [sample(0.0, 0.0, ats_engine=0.0), sample(10.0, 4.0, ats_engine=4.0)]
    figures = cpu_figures(tally_of((0.0, 10.0), 3), world_of(10, 0), samples, 3, 50.0, cores=2)
    assert figures["rest_cpu_s_per_post"] == 0.0
    assert figures["rest_bound_jobs_per_s"] is None
    assert figures["rest_bound_ratio"] is None


def test_a_run_that_decided_nothing_has_no_figures() -> None:
    samples = [sample(0.0, 0.0, ats_engine=0.0), sample(1.0, 1.0, ats_engine=1.0)]
    assert cpu_figures(tally_of((0.0, 1.0), 2), world_of(10, 0), samples, 3, 50.0,
                       cores=2) == {}
    assert cpu_figures(tally_of((0.0, 1.0), 3), world_of(10, 0), [], 3, 50.0, cores=2) == {}

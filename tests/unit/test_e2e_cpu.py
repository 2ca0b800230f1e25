"""bench-e2e's CPU figures: each part's CPU per post over the burst's window, and the bound the
rest of the system sets when the ATS engine, the portal, the bench and other work are left out."""

from __future__ import annotations

import uuid

import pytest

from bench.cpu_watch import Sample
from bench.e2e_cpu import cpu_figures
from bench.e2e_watch import PublishedJob, Tally


def tally_of(window: tuple[float, float], candidates: int) -> Tally:
    tally = Tally()
    job_id = uuid.uuid4()
    key = ("Acme", "Engineer", "Remote")
    tally.first_in[key] = window[0]
    tally.published[job_id] = PublishedJob(key, "Engineer", "", "Remote")
    tally.decided_per_job[job_id] = candidates
    tally.decided_at[job_id] = window[1]
    return tally


def sample(at: float, busy_s: float, **cpu: float) -> Sample:
    return Sample(at, cpu, {}, busy_s)


def test_the_rest_of_the_system_bounds_the_posts_a_second() -> None:
    # Over the window 10 s to 20 s: the ATS engine 8 s, the job service 4 s, the servers 2 s,
    # the portal 1 s and the bench 1 s; the machine was busy 18 s (2 s for someone else).
    samples = [sample(0.0, 0.0, ats_engine=0.0, job_discovery=0.0, servers=0.0, portal=0.0,
                      bench=0.0),
               sample(10.0, 5.0, ats_engine=1.0, job_discovery=1.0, servers=1.0, portal=1.0,
                      bench=1.0),
               sample(20.0, 23.0, ats_engine=9.0, job_discovery=5.0, servers=3.0, portal=2.0,
                      bench=2.0)]
    figures = cpu_figures(tally_of((10.0, 20.0), 3), 100, samples, 3,
                          encode_bound_jobs_per_s=50.0, cores=2)
    assert figures["cpu_s_per_post"] == {"ats_engine": 0.08, "bench": 0.01, "job_discovery": 0.04,
                                         "other": 0.02, "portal": 0.01, "servers": 0.02}
    # 6 s of the system's own work outside the ATS engine for 100 posts: 0.06 s a post.
    assert figures["rest_cpu_s_per_post"] == pytest.approx(0.06)
    assert figures["rest_bound_jobs_per_s"] == pytest.approx(33.33)
    assert figures["rest_bound_ratio"] == pytest.approx(0.667)


def test_a_run_that_decided_nothing_has_no_figures() -> None:
    samples = [sample(0.0, 0.0, ats_engine=0.0), sample(1.0, 1.0, ats_engine=1.0)]
    assert cpu_figures(tally_of((0.0, 1.0), 2), 10, samples, 3, 50.0, cores=2) == {}
    assert cpu_figures(tally_of((0.0, 1.0), 3), 10, [], 3, 50.0, cores=2) == {}

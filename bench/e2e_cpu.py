"""Where a bench-e2e burst's CPU went, by part, and what that allows: the posts a second the
other services could take on this machine's cores if the ATS engine and the servers cost
nothing, set beside the encode ceiling. On a small machine that bound, not the ATS engine,
is what keeps `e2e_ratio` low: every part of the system shares its cores."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from bench.cpu_watch import BENCH, OTHER, PORTAL, SERVERS, Sample, window_cpu
from bench.e2e_run import decided_jobs, decision_window, posts_of
from bench.e2e_watch import Tally
from sandbox.generator import World

ATS_PART = "ats_engine"
# Not the other services: the job sites' stand-in, this bench (its watcher and simulated
# reviewers), whatever else ran on the machine meanwhile, and the servers, which serve the ATS
# engine too (its share cannot be told apart, so none of theirs is counted: a bound that errs
# towards the system).
OUTSIDE = frozenset({PORTAL, BENCH, OTHER, SERVERS})


def cpu_figures(tally: Tally, world: World, samples: Sequence[Sample], candidates: int,
                encode_bound_jobs_per_s: float, cores: int | None = None) -> dict[str, Any]:
    """CPU seconds per raw post by part over the burst's window (first job in to last
    decision out, the posts of the jobs decided in it, as `jobs_per_s` counts them), and
    `rest_bound_jobs_per_s`: the machine's cores over the CPU a post costs the services other
    than the ATS engine; `rest_bound_ratio` is that bound over the encode ceiling, the highest
    `e2e_ratio` the system could reach were the ATS engine and the servers free."""
    done = decided_jobs(tally, candidates)
    posts = posts_of(world, tally, done)
    if not done or not posts or not samples:
        return {}
    cores = cores or len(os.sched_getaffinity(0))
    start, end = decision_window(tally, done)
    used = window_cpu(samples, start, end).cpu_s
    per_post = {part: round(seconds / posts, 4) for part, seconds in sorted(used.items())}
    rest = sum(seconds for part, seconds in used.items()
               if part not in OUTSIDE and not part.startswith(ATS_PART)) / posts
    bound = cores / rest if rest else None  # nothing else used CPU: no bound
    return {"cores": cores, "cpu_s_per_post": per_post,
            "rest_cpu_s_per_post": round(rest, 4),
            "rest_bound_jobs_per_s": round(bound, 2) if bound is not None else None,
            "rest_bound_ratio": round(bound / encode_bound_jobs_per_s, 3)
            if bound is not None and encode_bound_jobs_per_s else None}

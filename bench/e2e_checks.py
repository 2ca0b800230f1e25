"""What a run must show: every job decided for every candidate, every approved or completed pair
applied exactly once at the portal, every review task in exactly one terminal state."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from bench.e2e_watch import JobKey, Pair, Tally
from sandbox.generator import World


@dataclass(frozen=True)
class Findings:
    """Counts of what went wrong (all zero in a good run) and of what was done."""

    lost_jobs: int            # unique jobs never published
    lost_decisions: int       # (published job, candidate) pairs in no MatchesScored
    lost_applications: int    # approved/completed pairs neither at the portal nor failed
    lost_reviews: int         # review-band pairs with no task, tasks not in a terminal state
    duplicate_submissions: int  # extra portal submissions of one (candidate, job)
    duplicate_jobs: int       # a unique job published more than once
    duplicate_decisions: int  # a pair in more than one MatchesScored
    duplicate_tasks: int      # a pair with more than one review task
    double_terminal: int      # tasks both completed and rejected
    unexpected_submissions: int  # applications nobody asked for
    applications: int         # submissions the portal holds
    failed_applications: int
    reviews: int              # review tasks completed by reviewers
    review_tasks: int

    @property
    def lost(self) -> int:
        return self.lost_jobs + self.lost_decisions + self.lost_applications + self.lost_reviews

    @property
    def duplicates(self) -> int:
        return (self.duplicate_submissions + self.duplicate_jobs + self.duplicate_decisions
                + self.duplicate_tasks + self.double_terminal + self.unexpected_submissions)

    def breakdown(self) -> dict[str, int]:
        return asdict(self)


def task_states(database_url: str) -> dict[uuid.UUID, str]:
    """Each review task's state as the workflow holds it."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT task_id, state FROM review_tasks"))
            return {row.task_id: row.state for row in rows}
    finally:
        engine.dispose()


def check(world: World, tally: Tally, portal_submissions: list[dict[str, Any]],
          states: dict[uuid.UUID, str]) -> Findings:
    candidates = {c.candidate_id for c in world.candidates}
    by_email = {c.email: c.candidate_id for c in world.candidates}
    job_of_key: dict[JobKey, uuid.UUID] = {}
    for job_id, job in tally.published.items():
        job_of_key.setdefault(job.key, job_id)
    lost_decisions = sum(len(candidates) - tally.decided_per_job.get(job_id, 0)
                         for job_id in tally.published)

    submitted: Counter[Pair] = Counter()
    unexpected = 0
    for s in portal_submissions:
        key = world.canonical.get((s["board_token"], int(s["job_id"])))
        candidate = by_email.get(s["fields"].get("email", ""))
        found = job_of_key.get(key) if key is not None else None
        if candidate is None or found is None:
            unexpected += 1
            continue
        submitted[(candidate, found)] += 1
    wanted = tally.to_apply()
    unexpected += sum(1 for pair in submitted if pair not in wanted)
    lost_applications = sum(1 for pair in wanted
                            if not submitted.get(pair) and pair not in tally.failed)

    terminal = {"completed", "rejected"}
    tasked = set(tally.tasks_per_pair)
    lost_reviews = sum(1 for pair in tally.review_required if pair not in tasked)
    lost_reviews += sum(1 for task in tally.tasks if states.get(task) not in terminal)
    return Findings(
        lost_jobs=sum(1 for key in {j.key for j in world.jobs} if key not in job_of_key),
        lost_decisions=lost_decisions,
        lost_applications=lost_applications,
        lost_reviews=lost_reviews,
        duplicate_submissions=sum(n - 1 for n in submitted.values() if n > 1),
        duplicate_jobs=sum(len(ids) - 1 for ids in tally.publications.values()),
        duplicate_decisions=sum(len(d) - 1 for d in tally.decisions.values()),
        duplicate_tasks=sum(len(t) - 1 for t in tally.tasks_per_pair.values()),
        double_terminal=len(set(tally.completed) & tally.rejected),
        unexpected_submissions=unexpected,
        applications=len(portal_submissions),
        failed_applications=len(tally.failed),
        reviews=len(tally.completed),
        review_tasks=len(tally.tasks),
    )


def settled(world: World, tally: Tally, candidates: int, portal_count: int) -> bool:
    """Everything the run should produce has been seen (the checks then say whether it is
    right)."""
    unique = len(world.jobs)
    return (len(tally.published) >= unique
            and tally.decided_pairs >= unique * candidates
            and tally.terminal_tasks >= len(tally.review_required)
            and portal_count + len(tally.failed) >= len(tally.to_apply()))

"""A stream of raw jobs with a share of cross-source duplicates, rendered batch by batch."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bench.data.postings import SOURCES, Job, make_job, payload

# Enough employers that distinct jobs rarely share a fingerprint by chance.
EMPLOYERS = 5_000
STYLES = ["copy", "copy", "reworded", "truncated", "footer", "missing"]


@dataclass(frozen=True)
class RawJobStream:
    """`total` raw jobs of which `duplicate_share` re-post a job another source listed."""

    total: int
    duplicate_share: float
    seed: int

    @property
    def unique_jobs(self) -> int:
        return self.total - int(self.total * self.duplicate_share)

    def batches(self, size: int) -> Iterator[list[dict[str, Any]]]:
        """The payloads, `size` at a time, in a shuffled order (a re-post may come first)."""
        rng = random.Random(self.seed)
        jobs: list[Job] = [make_job(rng, company=rng.randrange(EMPLOYERS))
                           for _ in range(self.unique_jobs)]
        slots = list(range(self.unique_jobs)) + [
            rng.randrange(self.unique_jobs) for _ in range(self.total - self.unique_jobs)]
        order = list(range(self.total))
        rng.shuffle(order)
        batch: list[dict[str, Any]] = []
        for position in order:
            index = slots[position]
            job, source = jobs[index], SOURCES[position % len(SOURCES)]
            external = f"{self.seed}-{position}"
            if position < self.unique_jobs:  # the first listing, in the employer's words
                batch.append(payload(job, source=source, external_id=external,
                                     run_id=f"{source}-bench"))
            else:
                batch.append(payload(job, source=source, external_id=external, rng=rng,
                                     style=rng.choice(STYLES), run_id=f"{source}-bench"))
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch

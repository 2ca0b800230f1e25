"""When scheduled scrapes fall due: slots aligned to the interval, shifted by a source's offset;
and the sandbox portal's paced release of posts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from sandbox.portal.catalog import JobCatalog
from sandbox.portal.jobs import SEED_JOBS
from services.job_discovery.fleet import slot_start
from services.job_discovery.sources import GreenhouseSource


def test_an_offset_moves_a_sources_slots_within_the_interval() -> None:
    now = datetime(2026, 1, 1, 10, 7, 30, tzinfo=UTC)

    assert slot_start(now, 600) == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    assert slot_start(now, 600, 300) == datetime(2026, 1, 1, 10, 5, tzinfo=UTC)
    # Before this hour's offset has come, the slot is the one that began in the last hour.
    assert slot_start(now, 600, 480) == datetime(2026, 1, 1, 9, 58, tzinfo=UTC)


def test_an_offset_past_the_interval_is_refused() -> None:
    with pytest.raises(ValidationError, match="offset_s"):
        GreenhouseSource(name="acme", board_token="acme", company="Acme", interval_s=60,
                         offset_s=60)


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_paced_posts_go_live_in_order_from_the_first_listing() -> None:
    clock = Ticks()
    catalog = JobCatalog(SEED_JOBS, release_per_s=2.0, clock=clock)
    first = SEED_JOBS[0]
    boards = sorted({job.board_token for job in SEED_JOBS})

    clock.now = 500.0  # time before anyone lists a board does not count
    assert catalog.find(first.board_token, first.id) is None
    listed = [catalog.open_jobs(board) for board in boards]
    assert sum(map(len, listed)) == 1  # the first post, at once
    clock.now += 1.0
    assert sum(len(catalog.open_jobs(board)) for board in boards) == 3
    clock.now += 3600.0
    assert sum(len(catalog.open_jobs(board)) for board in boards) == len(SEED_JOBS)
    assert catalog.find(first.board_token, first.id) == first


def test_a_release_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        JobCatalog(SEED_JOBS, release_per_s=0)

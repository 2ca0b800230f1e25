"""Choosing the applier and the portal by the posting's URL."""

from __future__ import annotations

import pytest

from services.application_bot.adapters.appliers import (
    ANY_PATH,
    EASY_APPLY_PATH,
    GREENHOUSE_PATH,
    portal_of,
)


@pytest.mark.parametrize(("url", "portal"), [
    ("https://boards.greenhouse.io/acme/jobs/4012345001", "greenhouse"),
    ("https://www.linkedin.com/jobs/view/3901000001/apply", "linkedin"),
    ("https://jobs.lever.co/hooli/5ac21346-8e0c-4494-8e7a-3eb92ff77902/apply", "jobs.lever.co"),
    ("https://Careers.Example.com/apply?id=7", "careers.example.com"),
])
def test_the_portal_is_named_from_the_url(url: str, portal: str) -> None:
    assert portal_of(url) == portal


@pytest.mark.parametrize(("path", "greenhouse", "easy_apply"), [
    ("/acme/jobs/4012345001", True, False),
    ("/jobs/view/3901000001/apply", False, True),
    ("/jobs/view/3901000001", False, False),  # the job page itself, not its apply flow
    ("/hooli/5ac21346-8e0c-4494-8e7a-3eb92ff77902/apply", False, False),
])
def test_paths_pick_one_applier(path: str, greenhouse: bool, easy_apply: bool) -> None:
    assert bool(GREENHOUSE_PATH.match(path)) is greenhouse
    assert bool(EASY_APPLY_PATH.match(path)) is easy_apply
    assert ANY_PATH.match(path)  # the generic career-form applier takes the rest

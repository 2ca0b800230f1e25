"""Choosing the applier and the portal by the posting's URL (real hosts and sandbox paths)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from services.application_bot.adapters.appliers import (
    ANY_PATH,
    EASY_APPLY_PATH,
    GREENHOUSE_PATH,
    portal_of,
    route_of,
)
from services.application_bot.adapters.hosted_flows import indeed_apply_entry
from services.application_bot.adapters.portal_ledger import GreenhousePosting
from services.application_bot.adapters.stepped_form import same_site

LEVER_ID = "5ac21346-8e0c-4494-8e7a-3eb92ff77902"


@pytest.mark.parametrize(("url", "portal"), [
    ("https://boards.greenhouse.io/acme/jobs/4012345001", "greenhouse"),
    ("https://job-boards.greenhouse.io/acme/jobs/4012345001", "greenhouse"),
    ("https://www.linkedin.com/jobs/view/3901000001/apply", "linkedin"),
    (f"https://jobs.lever.co/hooli/{LEVER_ID}/apply", "lever"),
    (f"http://127.0.0.1:8700/hooli/{LEVER_ID}/apply", "lever"),
    (f"https://jobs.ashbyhq.com/ramp/{LEVER_ID}/application", "ashby"),
    (f"http://127.0.0.1:8700/ramp/{LEVER_ID}/application", "ashby"),
    ("https://umbrella.wd5.myworkdayjobs.com/en-US/External/job/Berlin/Engineer_JR-2001",
     "workday"),
    ("http://127.0.0.1:8700/en-US/External/job/Remote/Engineer_JR-2001/apply/applyManually",
     "workday"),
    ("https://www.indeed.com/viewjob?jk=4f2a9c1e7b3d5a60", "indeed"),
    ("http://127.0.0.1:8700/viewjob?jk=4f2a9c1e7b3d5a60", "indeed"),
    ("https://Careers.Example.com/apply?id=7", "careers.example.com"),
    ("http://127.0.0.1:8700/careers/vandelay/positions/501", "127.0.0.1"),
])
def test_the_portal_is_named_from_the_url(url: str, portal: str) -> None:
    assert portal_of(url) == portal


def test_a_career_site_has_no_portal_route_and_gets_the_generic_form() -> None:
    assert route_of("https://careers.example.com/jobs/7/apply") is None


@pytest.mark.parametrize(("path", "greenhouse", "easy_apply"), [
    ("/acme/jobs/4012345001", True, False),
    ("/jobs/view/3901000001/apply", False, True),
    ("/jobs/view/3901000001", False, False),  # the job page itself, not its apply flow
    (f"/hooli/{LEVER_ID}/apply", False, False),
])
def test_paths_pick_one_applier(path: str, greenhouse: bool, easy_apply: bool) -> None:
    assert bool(GREENHOUSE_PATH.match(path)) is greenhouse
    assert bool(EASY_APPLY_PATH.match(path)) is easy_apply
    assert ANY_PATH.match(path)  # the generic career-form applier takes the rest


def test_indeed_apply_starts_on_smartapply_for_indeed_and_on_the_same_site_otherwise() -> None:
    assert indeed_apply_entry("https://www.indeed.com/viewjob?jk=4f2a9c1e7b3d5a60") == (
        "https://smartapply.indeed.com/beta/indeedapply/form/contact-info?jk=4f2a9c1e7b3d5a60")
    assert indeed_apply_entry("http://127.0.0.1:8700/viewjob?jk=ab") == (
        "http://127.0.0.1:8700/beta/indeedapply/form/contact-info?jk=ab")


@pytest.mark.parametrize(("url", "posting", "same"), [
    ("https://smartapply.indeed.com/x", "https://www.indeed.com/viewjob", True),
    ("https://evil.example.com/x", "https://www.indeed.com/viewjob", False),
    ("http://127.0.0.2:8700/x", "http://127.0.0.1:8700/y", False),
    ("http://127.0.0.1:8701/x", "http://127.0.0.1:8700/y", False),
])
def test_the_application_stays_on_the_portals_site(url: str, posting: str, same: bool) -> None:
    assert same_site(urlsplit(url), urlsplit(posting)) is same


@pytest.mark.parametrize(("url", "board", "job"), [
    (f"http://h/hooli/{LEVER_ID}/apply", "lever-hooli", int(LEVER_ID.replace("-", ""), 16)),
    (f"http://h/ramp/{LEVER_ID}/application", "ashby-ramp", int(LEVER_ID.replace("-", ""), 16)),
    ("http://h/en-US/External/job/Remote/Engineer_JR-2001", "workday-External", 2001),
    ("http://h/viewjob?jk=4f2a9c1e7b3d5a60", "indeed", 0x4f2a9c1e7b3d5a60),
    ("http://h/careers/vandelay/positions/501", "careers-vandelay", 501),
])
def test_every_hosted_page_is_found_in_the_portal_record_after_a_crash(
    url: str, board: str, job: int,
) -> None:
    posting = GreenhousePosting.parse(url)
    assert posting is not None and (posting.board_token, posting.job_id) == (board, job)

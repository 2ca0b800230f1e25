"""What a review task says when its job is edited: the new title and URL, each change in a
line, newest first, each revision told once, and a small note however many edits."""

from __future__ import annotations

import uuid

from infra.clock import FakeClock
from schemas.events.jobs import JobUpdated
from schemas.events.matching import ManualReviewRequired
from services.workflow.domain import new_task
from services.workflow.job_changes import MAX_LINES, change_lines, with_job_change

JOB = uuid.uuid4()


def edit(revision: int, **fields: object) -> JobUpdated:
    values: dict[str, object] = {
        "job_id": JOB, "revision": revision, "company": "Initech", "title": "Data engineer",
        "apply_url": "https://jobs.example/1", "changed": ["title"],
        "previous": {"title": "Analyst"}} | fields
    return JobUpdated.model_validate(values)


def test_each_changed_field_is_a_line_from_its_earlier_value_to_the_new_one() -> None:
    lines = change_lines(edit(1, changed=["title", "location", "salary", "description"],
                              location="Remote", salary_min=50_000, salary_currency="USD",
                              salary_period="year", previous={"title": "Analyst"},
                              description_diff=["+ - dbt"]))

    assert lines == ("title: Analyst \u2192 Data engineer", "location: (none) \u2192 Remote",
                     "salary: (none) \u2192 50000 USD per year", "description changed:",
                     "  + - dbt")


def test_a_revision_is_told_once_newest_first_and_the_note_stays_small() -> None:
    first = new_task(ManualReviewRequired(
        match_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=JOB, score=70.0,
        resume_version_id=uuid.uuid4(), apply_url="https://jobs.example/1",
        job_title="Analyst", company="Initech"), FakeClock().now())
    once = with_job_change(first, edit(1))
    assert once is not None and with_job_change(once, edit(1)) is None
    twice = with_job_change(once, edit(2, title="Lead", apply_url="https://jobs.example/2",
                                        previous={"title": "Data engineer"}))
    assert twice is not None
    assert (twice.job_title, twice.apply_url) == ("Lead", "https://jobs.example/2")
    assert twice.details.job_changes == ("title: Data engineer \u2192 Lead",
                                         "title: Analyst \u2192 Data engineer")
    long = with_job_change(twice, edit(3, changed=["description"],
                                       description_diff=[f"+ line {i}" for i in range(20)]))
    assert long is not None and len(long.details.job_changes) == MAX_LINES

"""A posting's edit: material changes publish JobUpdated, cosmetic ones nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from infra.job_changes import (
    MAX_DIFF_LINES,
    JobContent,
    content_of,
    description_diff,
    material_change,
    salary_line,
    without_tracking,
)

ADVERT = ("About the role\nJoin the Payments team.\nRequirements\n- Python\n- Kafka\n"
          "What we offer\n- Equity")
JOB = JobContent(title="Senior Backend Engineer", description=ADVERT,
                 location="Berlin, Germany", salary="70000-90000 EUR per year",
                 apply_url="https://jobs.example.com/acme/4012?gh_jid=4012")


@pytest.mark.parametrize("edit", [
    {"description": ADVERT.replace("\n", "\n\n  ").replace("Join the", "Join   the")},
    {"title": " Senior  Backend Engineer "},
    {"location": "Berlin,  Germany"},
    {"apply_url": "https://jobs.example.com/acme/4012?utm_source=linkedin&gh_jid=4012"
                  "&utm_campaign=spring&gclid=abc"},
    {"apply_url": "https://jobs.example.com/acme/4012?gh_jid=4012&gh_src=x1&trk=public"},
], ids=["description whitespace", "title whitespace", "location whitespace",
        "utm and click ids", "board tracking"])
def test_cosmetic_edits_are_no_change(edit: dict[str, str]) -> None:
    assert material_change(JOB, replace(JOB, **edit)) is None


@pytest.mark.parametrize(("edit", "field"), [
    ({"title": "Staff Backend Engineer"}, "title"),
    ({"description": ADVERT.replace("- Kafka", "- Kafka\n- Rust")}, "description"),
    ({"location": "Munich, Germany"}, "location"),
    ({"salary": "80000-100000 EUR per year"}, "salary"),
    ({"apply_url": "https://jobs.example.com/acme/4013?gh_jid=4013"}, "apply_url"),
])
def test_each_material_field_is_named(edit: dict[str, str], field: str) -> None:
    change = material_change(JOB, replace(JOB, **edit))

    assert change is not None and change.changed == (field,)


def test_a_change_names_every_field_in_order_with_short_fields_earlier_values() -> None:
    new = replace(JOB, title="Staff Backend Engineer", salary="",
                  description=ADVERT.replace("- Kafka", "- Rust"))

    change = material_change(JOB, new)

    assert change is not None
    assert change.changed == ("title", "description", "salary")
    assert change.previous == {"title": "Senior Backend Engineer",
                               "salary": "70000-90000 EUR per year"}
    assert change.description_diff == ("- - Kafka", "+ - Rust")


def test_a_parameter_that_names_the_job_is_kept_and_order_does_not_count() -> None:
    assert without_tracking("https://x.example/apply?b=2&utm_medium=mail&a=1") == \
        "https://x.example/apply?a=1&b=2"
    assert without_tracking("https://x.example/apply?id=7&UTM_Source=x") == \
        "https://x.example/apply?id=7"


def test_a_description_diff_is_capped_and_skips_blank_lines() -> None:
    old = "\n".join(f"line {i}" for i in range(30))
    new = "\n\n".join(f"row {i}" for i in range(30))

    lines = description_diff(old, new)

    assert len(lines) == MAX_DIFF_LINES
    assert all(line.startswith(("- line", "+ row")) for line in lines)


def test_salary_lines_and_stored_rows() -> None:
    assert salary_line(70_000, 90_000, "EUR", "year") == "70000-90000 EUR per year"
    assert salary_line(45.5, 45.5, "USD", "hour") == "45.5 USD per hour"
    assert salary_line(None, None, None, None) == ""
    row = {"title": "T", "description": None, "location": None, "apply_url": "https://a.b/",
           "salary_min": None, "salary_max": 10.0, "salary_currency": None,
           "salary_period": None}
    assert content_of(row) == JobContent("T", "", "", "10", "https://a.b/")

"""Resume and job description parsing on real-looking text."""

from __future__ import annotations

from datetime import date

from services.ats_engine.jd import parse_job
from services.ats_engine.resume import parse_resume
from services.ats_engine.skills import default_taxonomy
from tests.fixtures.resumes import RESUME

taxonomy = default_taxonomy()
TODAY = date(2026, 11, 26)


def test_resume_sections_contact_roles_years_and_degree() -> None:
    profile = parse_resume(RESUME, taxonomy, TODAY)
    assert {"summary", "experience", "skills", "education"} <= set(profile.sections)
    assert profile.contact.name == "Jane Doe"
    assert profile.contact.email == "jane.doe@example.com"
    assert profile.contact.phone == "+1 415 555 0101"
    assert profile.contact.links == ("linkedin.com/in/janedoe",)
    assert [(r.start, r.end) for r in profile.roles] == [
        (date(2019, 1, 1), TODAY), (date(2015, 6, 1), date(2018, 12, 28))]
    assert 11.0 < profile.total_years < 11.6
    assert 7.8 < profile.skill_years["Python"] < 8.0
    assert 3.4 < profile.skill_years["Java"] < 3.6
    assert "Kubernetes" in profile.skills  # named as k8s in the skills list
    assert profile.education_level == 4
    assert profile.headline == "Senior Backend Engineer"


def test_overlapping_roles_count_once() -> None:
    text = "Experience\n2018 - 2022 Engineer, A: Python\n2020 - 2022 Engineer, B: Python\n"
    profile = parse_resume(text, taxonomy, TODAY)
    assert 4.9 < profile.total_years < 5.1
    assert 4.9 < profile.skill_years["Python"] < 5.1


def test_years_claimed_without_dated_roles_are_used() -> None:
    profile = parse_resume("Nurse with 7 years of ICU experience", taxonomy, TODAY)
    assert profile.total_years == 7


def test_job_splits_must_haves_from_nice_to_haves() -> None:
    job = parse_job(
        "Senior Data Engineer", "About us\nWe love Scala.\nRequirements:\n"
        "- 5+ years of experience in data engineering\n- Python: three years or more\n"
        "- SQL and Airflow\n- Bachelor's degree in Computer Science\n"
        "Nice to have:\n- Spark\n- dbt\n"
        "Salary: $140k - $170k. This is a fully remote role. Must be authorized to work in the US.",
        "New York, NY", taxonomy)
    musts = {s.skill: s.min_years for s in job.skills if s.must}
    assert musts == {"Python": 3.0, "SQL": None, "Airflow": None}
    assert {s.skill for s in job.skills if not s.must} == {"Spark", "dbt"}
    assert job.min_years == 5
    assert job.education_level == 3 and job.education_must
    assert job.seniority == 3
    assert job.remote == "remote"
    assert (job.salary_min, job.salary_max, job.salary_currency) == (140_000, 170_000, "USD")
    assert job.work_authorization is not None


def test_a_job_without_sections_treats_every_skill_as_required() -> None:
    job = parse_job("Junior Accountant", "We need GAAP, Excel and QuickBooks. CPA preferred.",
                    "Chicago, IL (Hybrid)", taxonomy)
    assert {s.skill for s in job.skills if s.must} == {"GAAP", "Microsoft Excel", "QuickBooks"}
    assert {s.skill for s in job.skills if not s.must} == {"CPA"}
    assert job.seniority == 1 and job.remote == "hybrid"

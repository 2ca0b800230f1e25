"""Resume facts in the many ways people write them, and a post's hard requirements."""

from __future__ import annotations

from datetime import date

import pytest

from services.ats_engine.credentials import authorisation_in, credentials_in, degrees_in
from services.ats_engine.dates import find_ranges
from services.ats_engine.eligibility import check_all
from services.ats_engine.jd import parse_job
from services.ats_engine.resume import parse_resume
from services.ats_engine.sections import heading_of
from services.ats_engine.skills import default_taxonomy

TODAY = date(2026, 11, 26)
taxonomy = default_taxonomy()


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2019-04 \u2013 present", date(2019, 4, 1), TODAY),
    ("04/2019 to Current", date(2019, 4, 1), TODAY),
    ("Feb 2020 \u2014 Mar 2021", date(2020, 2, 1), date(2021, 3, 28)),
    ("February 2020 until now", date(2020, 2, 1), TODAY),
    ("Feb. '20 \u2013 Jun. '22", date(2020, 2, 1), date(2022, 6, 28)),
    ("since 2018", date(2018, 1, 1), TODAY),
    ("03.2019 \u2013 11.2022", date(2019, 3, 1), date(2022, 11, 28)),
    ("2015\u20132019", date(2015, 1, 1), date(2019, 12, 28)),
    ("Jan 2018 to date", date(2018, 1, 1), TODAY),
])
def test_date_ranges_in_every_common_form(text: str, start: date, end: date) -> None:
    [found] = find_ranges(text, TODAY)
    assert (found.start, found.end) == (start, end)


def test_a_phone_number_is_no_date_range() -> None:
    assert find_ranges("Call 555-2019 or 0412 555 318", TODAY) == []


@pytest.mark.parametrize(("line", "section"), [
    ("PROFESSIONAL EXPERIENCE", "experience"), ("Where I've worked", "experience"),
    ("Work History", "experience"), ("Licenses & Certs", "certifications"),
    ("Tickets", "certifications"), ("Education & Training", "education"),
    ("Summary of Qualifications", "summary"), ("Tech stack", "skills"),
    ("Experience Designer at Acme", None), ("Senior Accountant II, Northwind", None),
])
def test_headings_by_their_words(line: str, section: str | None) -> None:
    assert heading_of(line) == section


LAYOUTS = {
    "title line, dates below": "Dana Lee\n\nExperience\nSenior Accountant II, Northwind Freight, "
    "Tacoma, WA\n2019-04 \u2013 present\n- Closed the books\n\nStaff Accountant, Cascade, "
    "Seattle, WA\n"
    "06/2016 \u2013 03/2019\n- Payables\n",
    "company first, dates right": "Dana Lee\n\nWork History\nNorthwind Freight | Senior "
    "Accountant II | Apr 2019 \u2013 Current\n- Closed the books\nCascade | Staff Accountant | "
    "Jun 2016 \u2013 Mar 2019\n- Payables\n",
    "title then company with dates": "Dana Lee\n\nCAREER\nSenior Accountant II\nNorthwind "
    "Freight        2019 - now\n- Closed the books\n\nStaff Accountant\nCascade         "
    "2016-06 to 2019-03\n- Payables\n",
    "dates first": "Dana Lee\n\nEmployment\n2019-04 \u2013 present\n"
    "Senior Accountant II @ Northwind\n"
    "- Closed the books\n\n06/2016 \u2013 03/2019\nStaff Accountant @ Cascade\n- Payables\n",
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_roles_titles_and_years_agree_across_layouts(layout: str) -> None:
    profile = parse_resume(LAYOUTS[layout], taxonomy, TODAY)
    assert [role.title for role in profile.roles] == ["Senior Accountant II", "Staff Accountant"]
    assert 10.2 < profile.total_years < 10.6


def test_education_dates_and_internships_are_not_experience() -> None:
    text = ("Ann Ito\n\nExperience\nAnalyst, Acme, 2022 - present\nSummer Intern, Beta, "
            "Jun 2021 - Aug 2021\n\nEducation\nB.S. Accounting, State University, 2018 - 2022\n")
    profile = parse_resume(text, taxonomy, TODAY)
    assert [r.internship for r in profile.roles] == [False, True]
    assert 4.8 < profile.total_years < 5.0
    assert profile.education_level == 3 and profile.degrees[0].field == "Accounting"


@pytest.mark.parametrize(("line", "level"), [
    ("B.S. Accounting", 3), ("BSc (Hons) Finance", 3), ("B.Tech in Civil Engineering", 3),
    ("Bachelor of Science in Nursing", 3), ("MEng Mechanical", 4), ("Master's in HR", 4),
    ("Dipl.-Ing. Maschinenbau", 4), ("Ph.D. Physics", 5), ("J.D., Boston University", 5),
    ("Associate Degree in Nursing (ADN)", 2), ("High school diploma", 1),
])
def test_degrees_in_their_many_forms(line: str, level: int) -> None:
    assert degrees_in(line)[0].level == level


def test_ms_office_and_a_state_are_no_degrees() -> None:
    assert degrees_in("MS Office, Excel\nBoston, MA") == []


@pytest.mark.parametrize(("line", "name", "status"), [
    ("RN, Massachusetts #123456, active through 2027", "RN licence", "active"),
    ("NCLEX-RN scheduled for January 2027", "RN licence", "pending"),
    ("PE exam scheduled March 2027", "PE licence", "pending"),
    ("EPA 608 Universal (expired)", "EPA 608", "expired"),
    ("Teaching certificate, Math 7-12, valid through 2023", "Teaching licence", "expired"),
    ("Sitting the July 2027 bar exam", "Bar admission", "pending"),
    ("Admitted to the New York Bar, 2019", "Bar admission", "active"),
])
def test_licences_carry_their_status(line: str, name: str, status: str) -> None:
    found = [c for c in credentials_in(line, TODAY) if c.name == name]
    assert found and found[0].status == status


def test_a_pe_teacher_holds_no_engineering_licence() -> None:
    assert credentials_in("PE teacher at Lincoln High", TODAY) == []


def test_work_authorisation_statements() -> None:
    assert authorisation_in("Requires H-1B sponsorship", "US").needs_sponsorship is True
    assert authorisation_in("EU Blue Card required", "IN").needs_sponsorship is True
    assert authorisation_in("Eligible to work in the UK", None).countries == {"UK"}
    assert authorisation_in("Green card holder", "US").countries == {"US"}


POST = ("Requirements\n- Active CPA license required\n- 5+ years of accounting\n"
        "We are unable to sponsor visas. Must be authorized to work in the United States.")
BASE = ("Dana Lee\nTacoma, WA\n\nExperience\nSenior Accountant, Northwind, 2016 - present\n"
        "- GAAP close\n\nCertifications\n")


@pytest.mark.parametrize(("extra", "location", "verdicts"), [
    ("CPA, Washington, active\n", "Remote (US only)", {"met"}),
    ("CPA exam in progress (2 of 4 parts passed)\n", "Seattle, WA", {"met", "contradicted"}),
    ("Skills: CPA, GAAP\nRequires visa sponsorship\n", "Seattle, WA", {"unknown", "contradicted"}),
    ("", "Remote (US only)", {"met", "unknown"}),
])
def test_hard_requirements_are_met_unknown_or_contradicted(extra: str, location: str,
                                                           verdicts: set[str]) -> None:
    job = parse_job("Senior Accountant", POST, location, taxonomy)
    assert {(h.kind, h.name) for h in job.hard} >= {("licence", "CPA"), ("authorisation", "US")}
    profile = parse_resume(BASE + extra, taxonomy, TODAY)
    assert {check.verdict for check in check_all(job.hard, profile)} == verdicts


def test_a_candidate_abroad_for_a_country_only_remote_role_is_contradicted() -> None:
    job = parse_job("Recruiter", "Requirements\n- Full-cycle recruiting", "Remote (US only)",
                    taxonomy)
    profile = parse_resume("Li Wei\nToronto, ON\n\nExperience\nRecruiter, Acme, 2018 - now\n",
                           taxonomy, TODAY)
    [verdict] = check_all(job.hard, profile)
    assert verdict.verdict == "contradicted"


@pytest.mark.parametrize(("line", "years"), [
    ("2.5 years of accounting experience", 2.5), ("Must be 21 years of age", None),
    ("Obtain the licence within two years of hire", None),
    ("three+ years of experience in payroll", 3.0),
])
def test_years_a_post_asks(line: str, years: float | None) -> None:
    assert parse_job("Accountant", f"Requirements\n- {line}", "", taxonomy).min_years == years


@pytest.mark.parametrize("text", [
    "AWS Certified Solutions Architect", "Offices in San Francisco, CA, USA",
    "Taught PE to grades 6-8", "patients admitted in the ICU", "CPP deductions each payday",
])
def test_words_that_are_no_licence(text: str) -> None:
    assert [c.name for c in credentials_in(text, TODAY)] == []


@pytest.mark.parametrize("line", ["Boston, MA May 2019", "Certified Scrum Master",
                                  "JD Edwards EnterpriseOne", "Baltimore, MD", "65 MPH"])
def test_words_that_are_no_degree(line: str) -> None:
    assert degrees_in(line) == []


def test_a_task_about_visas_is_not_the_candidates_status() -> None:
    text = ("Ann Ito\nFrench Teacher\n\nExperience\nHR Coordinator, Acme, 2018 - present\n"
            "- Processed hires requiring sponsorship and work permits\n")
    profile = parse_resume(text, taxonomy, TODAY)
    assert profile.authorisation.needs_sponsorship is None
    assert profile.country is None

"""Hard requirements beyond the known licences: credentials a post names in its own words,
clearances that lapsed, and spoken languages at the level asked."""

from __future__ import annotations

from datetime import date

import pytest

from services.ats_engine.eligibility import check_all
from services.ats_engine.jd import parse_job
from services.ats_engine.languages import asked_levels, stated_levels
from services.ats_engine.resume import parse_resume
from services.ats_engine.skills import default_taxonomy

TODAY = date(2026, 11, 26)
taxonomy = default_taxonomy()
HEAD = "Rosa Diaz\nVancouver, WA\n\nExperience\nDental Hygienist, Smile Co, 2016 - present\n" \
       "- Periodontal charting\n\nLicences\n"


def verdicts(post: str, resume: str, kind: str, location: str = "Portland, OR") -> list[str]:
    job = parse_job("Dental Hygienist", post, location, taxonomy)
    profile = parse_resume(resume, taxonomy, TODAY)
    return [c.verdict for c in check_all(job.hard, profile) if c.requirement.kind == kind]


HYGIENE = "Requirements\n- Active Oregon dental hygiene licence with Local Anesthesia Endorsement\n"


@pytest.mark.parametrize(("licence_line", "verdict"), [
    ("Dental Hygiene Licence with Local Anesthesia Endorsement, Oregon Board, active", "met"),
    ("Dental Hygiene Licence with Local Anesthesia Endorsement, Oregon, lapsed 2021",
     "contradicted"),
    ("Oregon dental hygiene licence \u2013 application pending", "contradicted"),
    ("CPR, BLS", "unknown"),
])
def test_a_credential_named_in_the_posts_own_words(licence_line: str, verdict: str) -> None:
    assert verdicts(HYGIENE, HEAD + licence_line + "\n", "licence") == [verdict]


@pytest.mark.parametrize("post", [
    "Requirements\n- Bachelor's degree or paralegal certificate\n",
    "Requirements\n- 5 years of post-registration experience\n",
    "Nice to have\n- Oregon dental hygiene licence with endorsement\n",
])
def test_degrees_experience_and_wishes_are_no_credential(post: str) -> None:
    assert verdicts(post, HEAD, "licence") == []


CLEARANCE = "Requirements\n- Active DoD Secret security clearance at time of hire\n"


@pytest.mark.parametrize(("line", "verdict"), [
    ("CLEARANCE\nDoD Secret - active, reinvestigated 2024", "met"),
    ("CLEARANCE\nDoD Secret - inactive since separation in 2016", "contradicted"),
    ("Held a Public Trust clearance (active)", "contradicted"),
    ("", "unknown"),
])
def test_an_active_clearance_is_not_met_by_one_lapsed_or_lower(line: str, verdict: str) -> None:
    resume = "Tanya Brooks\nTulsa, OK\n\nExperience\nA&P Mechanic, Air Co, 2016 - now\n" + line
    assert verdicts(CLEARANCE, resume, "clearance", "Tulsa, OK") == [verdict]


@pytest.mark.parametrize(("text", "levels"), [
    ("Languages: English (C2), German (B1)", {"English": 6, "German": 3}),
    ("native German plus C1 English", {"German": 7, "English": 5}),
    ("French \u2013 A2 (beginner)", {"French": 2}),
    ("Bilingual English/French", {"English": 6, "French": 6}),
])
def test_languages_a_resume_states(text: str, levels: dict[str, int]) -> None:
    assert stated_levels(text) == levels


@pytest.mark.parametrize(("line", "levels"), [
    ("German at C1 level or above", {"German": 5}),
    ("Bilingualism in French and English is mandatory", {"French": 5, "English": 5}),
    ("German at C2 level", {"German": 6}),
    ("German licence to practise as a pharmacist", {}),
    ("Applicants without Dutch work authorisation will not be considered", {}),
])
def test_languages_a_post_asks(line: str, levels: dict[str, int]) -> None:
    assert asked_levels(line) == levels


FRENCH = "Requirements\n- Fluent French and English (spoken and written)\n"
MONTREAL = "Priya Raman\nMontreal, QC\n\nExperience\nCSM, Acme, 2018 - now\n\nLanguages\n"


@pytest.mark.parametrize(("languages", "expected"), [
    ("French (C1), English (native)", ["met", "met"]),
    ("French: A2 (beginner)", ["met", "contradicted"]),
    ("French (B2)", ["met", "unknown"]),
    ("Spanish (native)", ["met", "unknown"]),
])
def test_a_language_below_the_level_asked(languages: str, expected: list[str]) -> None:
    # English is met by a resume written in it; French is judged by the level stated.
    assert verdicts(FRENCH, MONTREAL + languages + "\n", "language", "Montreal, QC") == expected


def test_a_resident_speaks_the_language_of_the_country() -> None:
    resume = "Jonas Weber\nHamburg, Germany\n\nExperience\nCoordinator, Acme, 2018 - now\n"
    post = "Requirements\n- German at C1 level or above\n"
    assert verdicts(post, resume, "language", "Hamburg, Germany") == ["met"]


def test_a_language_only_wished_for_asks_nothing() -> None:
    post = "Requirements\n- Fluent English; Dutch is nice to have\n"
    assert verdicts(post, MONTREAL, "language") == ["met"]


@pytest.mark.parametrize("line", [
    "Saguaro Logistics is an Equal Opportunity Employer.",
    "Credence Health Logistics is committed to accessibility and will provide accommodations.",
    "To be considered, send your resume and a copy of your A&P licence to our recruiting team.",
    "Apply in 5 minutes or call our recruiting team.",
])
def test_what_an_employer_says_of_itself_or_of_applying_asks_nothing(line: str) -> None:
    job = parse_job("Aircraft Mechanic", f"- 3 years of line maintenance\n{line}\n", "Tulsa, OK",
                    taxonomy)
    assert {r.skill for r in job.skills} & {"Logistics", "Accessibility", "Recruiting"} == set()
    assert [h for h in job.hard if h.kind == "licence"] == []

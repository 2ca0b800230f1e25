"""Pairs that look like a match on keywords but must never be applied to unattended.

One strong resume and one post it fits are approved; each variant changes one fact the way
outside resumes do (a visa, a country, a licence's status, years behind a title, a keyword
block) and must then go to a person, or be rejected where the post rules it out."""

from __future__ import annotations

from datetime import date

import pytest

from services.ats_engine.engine import Engine
from services.ats_engine.scoring import SemanticMatch
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.weights import DEFAULT_FILE, load_weights

TODAY = date(2026, 11, 26)
engine = Engine(default_taxonomy())
weights = load_weights(DEFAULT_FILE)

RESUME = """Dana Whitfield
Senior Accountant
Tacoma, WA | dana.w@example.com | (253) 555-0199

Experience
Senior Accountant, Northwind Freight, Tacoma, WA
2016-04 - present
- Own the accounting, month-end close and general ledger for three entities in NetSuite
- Reconcile 40 bank and balance sheet accounts; prepare journal entries and accruals
- GAAP financial reporting to the controller; led a five-person close team

Staff Accountant, Cascade Shipping, Seattle, WA
2012-06 - 2016-03
- Accounts payable and receivable, GAAP reporting, account reconciliation in NetSuite

Education
B.S. Accounting, University of Washington

Licenses
{licence}
{extra}"""
LICENCE = "Certified Public Accountant (CPA), Washington, active"
POST = """About the role
You will own the close for our freight business.
Requirements
- Bachelor's degree in Accounting
- 5+ years of accounting experience including month-end close and general ledger
- GAAP financial reporting and account reconciliation
- NetSuite
- Active CPA license required
{post_extra}"""


def decide(licence: str = LICENCE, extra: str = "", post_extra: str = "",
           location: str = "Tacoma, WA", title: str = "Senior Accountant") -> tuple[str, float]:
    resume = engine.parse_text(RESUME.format(licence=licence, extra=extra), TODAY)
    job = engine.parse_job(title, POST.format(post_extra=post_extra), location)
    # Close in meaning, as every variant is: what holds a variant back is a fact, not its words.
    outcome = engine.score(resume, job, weights, SemanticMatch(0.6, {}))
    return outcome.decision.value, outcome.score


def test_the_honest_pair_is_approved() -> None:
    assert decide()[0] == "apply"
    assert decide(location="Remote (US only)",
                  post_extra="We are unable to sponsor visas.")[0] == "apply"


@pytest.mark.parametrize(("change", "expected"), [
    ({"extra": "Requires H-1B visa sponsorship",
      "post_extra": "We are unable to sponsor visas."}, {"reject"}),
    ({"extra": "Currently on STEM OPT; will need H-1B",
      "post_extra": "No sponsorship now or in the future."}, {"reject"}),
    ({"licence": "CPA exam in progress (2 of 4 parts passed)"}, {"reject"}),
    ({"licence": "CPA, Washington, valid through 07/31/2026"}, {"reject"}),
    ({"licence": "CPA licence lapsed in 2024"}, {"reject"}),
    ({"licence": "", "extra": "Keywords: CPA | SAP | Oracle | Workday | SOX | IFRS | Hyperion"},
     {"review", "reject"}),
    ({"location": "Denver, CO"}, {"review", "reject"}),
    ({"location": "Remote (Ireland only)"}, {"reject"}),
    ({"licence": "CPA (Oregon), active", "post_extra": "Must hold an active Washington CPA "
      "license."}, {"review", "reject"}),
])
def test_a_changed_fact_keeps_the_pair_from_applying(change: dict[str, str],
                                                     expected: set[str]) -> None:
    decision, score = decide(**change)
    assert decision in expected, (change, decision, score)


def test_a_senior_title_over_one_year_of_work_is_rejected() -> None:
    short = RESUME.replace("2016-04 - present", "2025-08 - present").replace(
        "Staff Accountant, Cascade Shipping, Seattle, WA\n2012-06 - 2016-03\n", "")
    resume = engine.parse_text(short.format(licence=LICENCE, extra=""), TODAY)
    job = engine.parse_job("Senior Accountant", POST.format(post_extra=""), "Tacoma, WA")
    assert engine.score(resume, job, weights).decision.value == "reject"


def test_a_green_card_holder_is_not_a_citizen_where_the_post_requires_one() -> None:
    post = "Must be a US citizen able to obtain a Secret clearance."
    assert decide(extra="Green card holder", post_extra=post)[0] == "reject"
    assert decide(extra="U.S. citizen", post_extra=post)[0] == "apply"

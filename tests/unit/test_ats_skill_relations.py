"""Skills that show broader ones, and tools that stand in for each other."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.ats_engine.engine import Engine
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.tools import taxonomy_build, taxonomy_relations
from services.ats_engine.weights import DEFAULT_FILE, load_weights

TODAY = date(2026, 11, 26)
taxonomy = default_taxonomy()
engine = Engine(taxonomy)
weights = load_weights(DEFAULT_FILE)

RESUME = """Jordan Lee
Data Analyst

EXPERIENCE
Data Analyst, Harbor Freightways, Tacoma, WA
2019-04 \u2013 present
- Built Power BI reports for 40 regional managers from SQL Server views.
- Moved the team's builds to GitHub Actions.
"""


def requirement(job_text: str, label: str) -> Any:
    outcome = engine.score(engine.parse_text(RESUME, TODAY),
                           engine.parse_job("Data Analyst", job_text, "Tacoma, WA"), weights)
    return next(r for r in outcome.requirements if r.label == label), outcome


def test_a_tool_used_in_a_role_shows_the_broader_skill_for_as_long() -> None:
    profile = engine.parse_text(RESUME, TODAY).profile
    assert profile.skill_years["Data visualization"] == profile.skill_years["Power BI"] > 7
    assert "Data visualization" not in profile.listed_only_skills


def test_chains_of_broader_skills_are_followed() -> None:
    assert {"General ledger", "Accounting"} <= taxonomy.broader["Journal entries"]


def test_a_broad_must_have_is_met_by_the_tool_that_shows_it() -> None:
    found, _ = requirement("Requirements:\n- Data visualization\n- SQL\n", "Data visualization")
    assert found.credit == 1.0 and found.evidence is not None
    assert "Power BI" in found.evidence.text


def test_a_tool_of_the_same_kind_earns_part_of_the_credit_and_says_which() -> None:
    found, outcome = requirement("Requirements:\n- Tableau\n- GitLab CI\n- SQL\n", "Tableau")
    assert found.credit == weights.alternative_credit
    assert "Power BI" in found.detail
    gitlab = next(r for r in outcome.requirements if r.label == "GitLab CI")
    assert "GitHub Actions" in gitlab.detail
    assert not any("must-haves missing" in note for note in outcome.notes)


def test_a_tool_of_another_kind_is_still_missing() -> None:
    found, outcome = requirement("Requirements:\n- Python\n- SQL\n", "Python")
    assert found.credit == 0 and found.evidence is None
    assert any("must-haves missing (Python)" in note for note in outcome.notes)


def test_a_mention_that_shows_broader_skills_counts_once_for_keyword_stuffing() -> None:
    # Three mentions in forty words is honest; each also shows data visualization, and
    # counted twice they would read as six.
    text = RESUME + "- Trained finance on Power BI and then sales on Power BI.\n"
    assert engine.parse_text(text, TODAY).gates == []


def test_the_build_refuses_a_relation_to_a_skill_it_does_not_hold(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(taxonomy_relations.SHOWN_BY, "Data visualization", ("Tableau", "Lookr"))
    with pytest.raises(ValueError, match="Lookr"):
        taxonomy_build.relations({"Data visualization", "Tableau", *taxonomy.skills})

"""Location and remote-policy scoring, semantic lift and the score's calibration line."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from services.ats_engine.engine import Engine
from services.ats_engine.filters import Preferences, blocked
from services.ats_engine.jd import parse_job
from services.ats_engine.location import CandidatePlace, LocationWeights, location_fit
from services.ats_engine.resume import contact, parse_resume
from services.ats_engine.scoring import SemanticMatch
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.weights import DEFAULT_FILE, Weights, load_weights

TODAY = date(2026, 11, 26)
TAXONOMY = default_taxonomy()
engine = Engine(TAXONOMY)
weights = load_weights(DEFAULT_FILE)
RESUME = ("Ana Silva\nBackend Engineer\nChicago, IL | ana@example.com\n\nExperience\n"
          "2018 - Present Backend Engineer, Shipwise\n- Python services on PostgreSQL and Kafka\n"
          "- Docker images on Kubernetes\n\nSkills\nPython, PostgreSQL, Kafka, Docker, Kubernetes")
REQUIREMENTS = "Requirements:\n- Python\n- PostgreSQL\n- Kafka\n- Docker\n- Kubernetes\n"


def job_at(location: str, extra: str = "") -> object:
    return parse_job("Backend Engineer", REQUIREMENTS + extra, location, TAXONOMY)


@pytest.mark.parametrize(
    "location, extra, place, expected",
    [("Remote", "", CandidatePlace(("Chicago, IL",)), 1.0),
     ("Remote", "", CandidatePlace(("Chicago, IL",), remote_ok=False), 0.5),
     ("Chicago, IL", "", CandidatePlace(("Chicago, IL",)), 1.0),
     ("Chicago, IL (Hybrid)", "", CandidatePlace(("Chicago",)), 1.0),
     ("Austin, TX", "", CandidatePlace(("Chicago, IL",)), 0.2),
     ("Austin, TX (Hybrid)", "", CandidatePlace(("Chicago, IL",)), 0.4),
     ("Austin, TX", "", CandidatePlace(("Chicago, IL",), relocate=True), 0.8),
     ("Austin, TX", "\nWe offer relocation assistance.", CandidatePlace(("Chicago, IL",)), 0.8),
     ("Austin, TX", "", CandidatePlace(), 0.8)],
)
def test_location_fit(location: str, extra: str, place: CandidatePlace, expected: float) -> None:
    fit = location_fit(job_at(location, extra), place, LocationWeights())  # type: ignore[arg-type]
    assert fit.value == expected, fit.detail


def test_the_resume_header_gives_the_place_and_the_will_to_move() -> None:
    assert contact(RESUME).place == "Chicago, IL"
    assert contact("Bo Lin\nNurse\nBerlin, Germany\n").place == "Berlin, Germany"
    assert contact("Lina\nFrontend Developer, Mapkit\n").place is None
    profile = parse_resume(RESUME + "\nOpen to relocation.", TAXONOMY, TODAY)
    assert profile.open_to_relocation and profile.headline == "Backend Engineer"


def test_an_onsite_job_elsewhere_scores_lower_than_the_same_job_remote_or_nearby() -> None:
    resume = engine.parse_text(RESUME, TODAY)

    def score(location: str, prefs: Preferences | None = None) -> float:
        job = engine.parse_job("Backend Engineer", REQUIREMENTS, location)
        return engine.score(resume, job, weights, preferences=prefs).raw

    assert score("Remote") == score("Chicago, IL") > score("Austin, TX (Hybrid)") \
        > score("Austin, TX")
    far = engine.score(resume, engine.parse_job("Backend Engineer", REQUIREMENTS, "Austin, TX"),
                       weights)
    assert far.decision.value != "apply", "a move nobody offered is a person's call"
    assert score("Austin, TX", Preferences(relocate=True)) > score("Austin, TX")
    assert score("Austin, TX", Preferences(locations=["Austin"])) == score("Remote")


def test_relocation_lifts_the_location_filter_for_onsite_jobs_only() -> None:
    prefs = Preferences(locations=["Chicago"], remote_ok=False, relocate=True)
    assert blocked(prefs, job_at("Austin, TX"), "Acme") is None  # type: ignore[arg-type]
    assert blocked(prefs, job_at("Remote"), "Acme") is not None  # type: ignore[arg-type]
    assert blocked(Preferences(locations=["Chicago"]), job_at("Austin, TX"),  # type: ignore[arg-type]
                   "Acme") is not None


def test_semantic_fit_lifts_partial_coverage_but_never_creates_it() -> None:
    partial = engine.parse_text("Ana\nBackend Engineer\n\nExperience\n2018 - Present Engineer\n"
                                "- Python services\n", TODAY)
    nothing = engine.parse_text("Ana\nBaker\n\nExperience\n2018 - Present Baker\n"
                                "- Sourdough bread\n", TODAY)
    job = engine.parse_job("Backend Engineer", REQUIREMENTS, "Remote")
    close, far = SemanticMatch(0.7, {}), SemanticMatch(0.1, {})
    assert engine.score(partial, job, weights, close).score > \
        engine.score(partial, job, weights, far).score
    lifted = engine.score(nothing, job, weights, close)
    assert lifted.breakdown["must_skills"] == 0 and lifted.decision.value == "reject"


def test_the_calibration_line_rises_through_its_knots() -> None:
    line = Weights(version="t", weights={"must_skills": 1}, calibration=[(20, 50), (85, 90)])
    assert [line.calibrated(x) for x in (0, 20, 85, 100)] == [0, 50, 90, 100]
    values = [line.calibrated(x) for x in range(0, 101, 5)]
    assert values == sorted(values)
    with pytest.raises(ValidationError):
        Weights(version="t", weights={"must_skills": 1}, calibration=[(50, 60), (40, 70)])

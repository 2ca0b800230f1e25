"""Stage one against the full scorer: the same score where it sees everything, never less where
it does not, and a two-stage decision that is the full scorer's."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ats_engine.domain import Decision
from services.ats_engine.embeddings import Embedder, embed_documents
from services.ats_engine.engine import Engine, ParsedResume, candidate_place
from services.ats_engine.filters import Preferences
from services.ats_engine.jd import JobRequirements
from services.ats_engine.semantic import fit_texts, semantic_match
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.stage_one import FeatureSpace, plan, score_block, semantic_fits, stack
from services.ats_engine.stage_one_cache import StageOne
from services.ats_engine.tools.agreement import compare, figures, labelled_pairs
from services.ats_engine.weights import DEFAULT_FILE, load_weights
from tests.fixtures.resumes import RESUME
from tests.unit.test_ats_embeddings import BagOfWords

ENGINE = Engine(default_taxonomy())
WEIGHTS = load_weights(DEFAULT_FILE)
TODAY = date(2026, 11, 26)
SKILLS = ["Python", "PostgreSQL", "Kafka", "Kubernetes", "Terraform", "React", "TypeScript",
          "Docker", "Java", "SQL", "Spark", "Airflow", "GitHub Actions", "GitLab CI", "Jenkins",
          "AWS", "Go"]
TITLES = ["Senior Backend Engineer", "Data Engineer", "Junior Frontend Developer",
          "Engineering Manager", "Registered Nurse", "Staff Platform Engineer", "Accountant"]
PLACES = ["Remote", "Berlin, Germany", "Austin, TX", "London, UK", "Hybrid - Paris, France", ""]
HARD = ["Active RN licence in the state of Texas", "Must be authorized to work in the US",
        "BLS certification required", "Active Secret clearance required"]
YEARS = ["", ": two or more years", ": five or more years", ": 8+ years"]


@st.composite
def resumes(draw: st.DrawFn) -> str:
    roles = []
    for index in range(draw(st.integers(0, 3))):
        start = 2024 - 3 * (index + 1) - draw(st.integers(0, 3))
        end = "Present" if index == 0 else str(start + 3)
        shown = draw(st.lists(st.sampled_from(SKILLS), max_size=4, unique=True))
        roles.append(f"Jan {start} - {end} {draw(st.sampled_from(TITLES))}, Acme\n"
                     f"- Built systems with {', '.join(shown) or 'care'}")
    listed = draw(st.lists(st.sampled_from(SKILLS), max_size=5, unique=True))
    extra = draw(st.sampled_from(["", "BLS certified\n", "RN licence, Texas (active)\n",
                                  "Authorized to work in the US\n"]))
    degree = draw(st.sampled_from(["", "BSc Computer Science", "MSc Computer Science",
                                   "PhD Physics"]))
    where = draw(st.sampled_from(["", "Austin, TX", "Berlin, Germany", "London, UK"]))
    return (f"Alex Doe\n{draw(st.sampled_from(TITLES))}\n{where}\n\nExperience\n"
            + "\n".join(roles) + f"\n\nSkills\n{', '.join(listed)}\n{extra}\n"
            f"Education\n{degree}")


@st.composite
def posts(draw: st.DrawFn) -> tuple[str, str, str]:
    must = draw(st.lists(st.sampled_from(SKILLS), max_size=4, unique=True))
    nice = draw(st.lists(st.sampled_from(SKILLS), max_size=2, unique=True))
    hard = draw(st.lists(st.sampled_from(HARD), max_size=2, unique=True))
    lines = [f"- {skill}{draw(st.sampled_from(YEARS))}" for skill in must] + \
        [f"- {line}" for line in hard]
    degree = draw(st.sampled_from(["", "- Bachelor's degree in Computer Science\n"]))
    text = "Requirements:\n" + "\n".join(lines) + "\n" + degree + \
        ("Nice to have:\n" + "\n".join(f"- {s}" for s in nice) + "\n" if nice else "")
    title = draw(st.sampled_from(TITLES))
    return title, text, draw(st.sampled_from(PLACES))


def _pairs(texts: list[str], post: tuple[str, str, str],
           ) -> list[tuple[ParsedResume, JobRequirements]]:
    job = ENGINE.parse_job(*post)
    return [(ENGINE.parse_text(text, TODAY), job) for text in texts]


def _check(pairs: list[tuple[ParsedResume, JobRequirements]],
           vectors: list[list[list[float]]] | None = None) -> None:
    for row in compare(ENGINE, WEIGHTS, pairs, vectors):
        # Never under the full score (beyond rounding), so its rejects are the full scorer's.
        assert row.stage_one_score >= row.full.score - 0.011, row
        if row.stage_one_final:
            assert row.full.decision is Decision.REJECT, row
        assert row.two_stage is row.full.decision
    for resume, job in pairs:
        if job.hard or vectors is not None:
            continue
        # Nothing stage one cannot see: the same parts and raw value as the full scorer.
        full = ENGINE.score(resume, job, WEIGHTS)
        space = FeatureSpace(ENGINE.taxonomy)
        block = stack([space.features(resume.profile,
                                      candidate_place(resume.profile, Preferences()))])
        result = score_block(plan(job, space), block, WEIGHTS)
        assert result.breakdown(0) == pytest.approx(full.breakdown, abs=0.0011)
        assert float(result.raw[0]) == pytest.approx(full.raw, abs=0.0006)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(resumes(), min_size=1, max_size=4), post=posts())
def test_generated_pairs_rules_only(texts: list[str], post: tuple[str, str, str]) -> None:
    _check(_pairs(texts, post))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(resumes(), min_size=1, max_size=4), post=posts())
def test_generated_pairs_with_semantic_fit(texts: list[str],
                                           post: tuple[str, str, str]) -> None:
    pairs = _pairs(texts, post)
    embedder = Embedder(BagOfWords())
    _check(pairs, embed_documents(embedder, [fit_texts(job, r.profile) for r, job in pairs]))


def test_semantic_fits_are_the_pairwise_fits() -> None:
    embedder = Embedder(BagOfWords())
    job = ENGINE.parse_job("Senior Backend Engineer", "Requirements:\n- Python\n- Kafka\n"
                           "- Building payment systems at scale\n", "Remote")
    texts = [RESUME, RESUME.replace("payment", "billing"), "Pastry chef, ten years.\n", ""]
    profiles = [ENGINE.parse_text(t, TODAY).profile for t in texts]
    matrices = [np.asarray(embedder.embed([c for c, _, _ in p.chunks]) or
                           np.zeros((0, 384)), dtype=np.float32) for p in profiles]
    job_matrix = np.asarray(embedder.embed(job.chunks), dtype=np.float32)
    fits = semantic_fits(job_matrix, matrices)
    for row, profile in enumerate(profiles):
        vectors = embedder.embed(fit_texts(job, profile))
        one = semantic_match(job, profile, vectors)
        assert fits.fit[row] == pytest.approx(one.fit, abs=1e-5)
        for index, line in enumerate(job.chunks):
            if line in one.closest:
                assert fits.closest[row, index] == pytest.approx(one.closest[line].similarity,
                                                                 abs=1e-3)
    assert fits.fit[3] == 0.0 and np.isneginf(fits.closest[3]).all(), "no chunks: no fit"


def test_closest_similarities_are_read_as_the_full_scorer_reads_them() -> None:
    """Evidence by meaning is rounded to three places before its threshold is read: a cosine
    of 0.5996 is evidence for both stages."""
    angle = np.arccos(0.5996)
    job_matrix = np.array([[1.0, 0.0]], dtype=np.float32)
    resume = np.array([[np.cos(angle), np.sin(angle)]], dtype=np.float32)
    fits = semantic_fits(job_matrix, [resume])
    assert fits.closest[0, 0] == 0.6 >= WEIGHTS.semantic_evidence_min


def test_clear_misses_are_decided_by_stage_one_and_kept_features_are_reused() -> None:
    stage = StageOne(ENGINE.taxonomy)
    job = ENGINE.parse_job("Senior Backend Engineer (Python)", "Requirements:\n- Python: five "
                           "or more years\n- PostgreSQL\n- Kafka\n- Kubernetes\n", "Remote")
    chef = ENGINE.parse_text("Pastry chef, ten years.\n", TODAY).profile
    jane = ENGINE.parse_text(RESUME, TODAY).profile
    keyed = [("chef", chef, candidate_place(chef, Preferences())),
             ("jane", jane, candidate_place(jane, Preferences()))]
    result = stage.screen(job, keyed, WEIGHTS)
    assert result.final.tolist() == [True, False]
    assert result.decision[0] is Decision.REJECT and result.decision[1] is not Decision.REJECT
    assert stage.block(keyed) is stage.block(keyed), "the same pool: the same block"
    assert stage.features("jane", jane, keyed[1][2]) is stage.features("jane", jane, keyed[1][2])


def test_a_licence_the_post_asks_counts_as_held_where_its_requirement_may_be_met() -> None:
    """Held outside a dated role, the licence falls short of the years asked; the full scorer
    gives it full credit once the post's licence requirement is met, which stage one cannot
    check: it must not score the pair lower."""
    post = ("Registered Nurse", "Requirements:\n- Active RN licence in the state of Texas: "
            "three or more years\n", "Austin, TX")
    resume = ("Alex Doe\nNurse\nAustin, TX\n\nExperience\nJan 2016 - Present Nurse, Acme "
              "Hospital\n- Patient care on a cardiac ward\n\nLicences\nRegistered Nurse, "
              "Texas, active\nBLS\n\nEducation\nBSc Nursing")
    [row] = compare(ENGINE, WEIGHTS, _pairs([resume], post))
    [licence] = [r for r in row.full.requirements if r.kind == "skill"]
    assert (licence.credit, licence.detail) == (1.0, "held: the post's licence requirement is met")
    assert row.stage_one_score >= row.full.score


def test_labelled_sets_agree() -> None:
    """The regression and blind sets (rules only; `make eval-ats` adds the model where it is
    installed): the two-stage decision is the full scorer's, and the margin covers the gap."""
    result = figures(compare(ENGINE, WEIGHTS, labelled_pairs(ENGINE)), WEIGHTS)
    assert result["agreement"] >= 0.999
    assert result["applies_added"] == 0
    assert result["widest_gap"] <= WEIGHTS.stage_one_margin
    assert result["stage_one_share"] > 0.2, "stage one decides a real share"

"""Decisions and ids of the ATS engine, without I/O."""

import uuid

import pytest

from services.ats_engine.domain import Decision, decide, match_id


@pytest.mark.parametrize(
    "score, decision",
    [(100, Decision.APPLY), (90, Decision.APPLY), (89.99, Decision.REVIEW),
     (50, Decision.REVIEW), (49.99, Decision.REJECT), (0, Decision.REJECT)],
)
def test_decision_bands(score: float, decision: Decision) -> None:
    assert decide(score, auto_apply=90, review_floor=50) is decision


def test_match_id_is_deterministic_per_job_candidate_and_resume_version() -> None:
    candidate, job, version = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert match_id(candidate, job, version) == match_id(candidate, job, version)
    assert match_id(candidate, job, version) != match_id(job, candidate, version)
    assert match_id(candidate, job, version) != match_id(candidate, job, uuid.uuid4())


def test_a_job_revision_is_a_new_match_and_revision_zero_keeps_the_old_id() -> None:
    candidate, job, version = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert match_id(candidate, job, version, 0) == match_id(candidate, job, version)
    assert len({match_id(candidate, job, version, r) for r in range(3)}) == 3

"""A review decision carries what the reviewer's screen shows: the score's breakdown, matched
and missing skills, tailoring hints and the key of the resume file (real PostgreSQL)."""
# ruff: noqa: F811  (fixtures are imported from the ATS engine tests and reused)

from __future__ import annotations

import pytest

from infra.blobs import LocalBlobStore
from infra.uow import UnitOfWork
from schemas.events.matching import ManualReviewRequired
from services.ats_engine.handlers import AtsHandlers
from services.ats_engine.intake import upload_resume
from tests.fixtures.resumes import RESUME
from tests.integration.test_ats_engine import (  # noqa: F401
    CANDIDATE,
    ENGINE,
    PLATFORM,
    blobs,
    deliver,
    emitted,
    handlers,
    job,
    uow,
)

pytestmark = pytest.mark.integration


async def test_manual_review_required_explains_itself_and_names_the_resume_file(
        uow: UnitOfWork, blobs: LocalBlobStore, handlers: AtsHandlers) -> None:
    await deliver(uow, handlers, job("Platform Engineer", PLATFORM))
    uploaded = await upload_resume(uow, blobs, ENGINE, CANDIDATE, "cv.txt", RESUME.encode())
    await deliver(uow, handlers, uploaded.event)

    [data] = [d for kind, d in await emitted(uow) if kind == "ManualReviewRequired"]
    review = ManualReviewRequired.model_validate(data)  # the payload as the outbox keeps it
    assert review.resume_blob_key == uploaded.event.blob_key
    assert await blobs.get(review.resume_blob_key) == RESUME.encode()
    assert review.breakdown and all(0 <= v <= 1 for v in review.breakdown.values())
    assert "python" in {s.lower() for s in review.matched_skills}
    assert {"terraform", "go"} <= {s.lower() for s in review.missing_skills}
    assert review.hints

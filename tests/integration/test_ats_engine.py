"""The ATS engine on a real PostgreSQL: uploads, scoring on both event orders, re-scoring,
hard filters, idempotency, and bad uploads that store nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from infra.blobs import LocalBlobStore
from infra.clock import FakeClock
from infra.db import create_engine
from infra.outbox import outbox
from infra.resume_files import DocumentError
from infra.uow import UnitOfWork
from schemas.events.envelope import Envelope, EventData
from schemas.events.jobs import JobExpired, JobPublished, JobReopened, JobUpdated
from schemas.events.resumes import ResumeVersionCreated
from services.ats_engine import scoring_step
from services.ats_engine.embeddings import Embedder, content_key
from services.ats_engine.engine import Engine
from services.ats_engine.handlers import AtsHandlers
from services.ats_engine.intake import upload_resume
from services.ats_engine.seeding import SeedCandidate, seed_candidates
from services.ats_engine.semantic import Semantic
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.tables import candidate_vectors, embeddings, matches, resume_versions
from services.ats_engine.tables import jobs as jobs_table
from services.ats_engine.weights import DEFAULT_FILE, WeightsSource
from tests.fixtures.resumes import RESUME, pdf, zip_bomb
from tests.unit.test_ats_embeddings import BagOfWords

pytestmark = pytest.mark.integration
CANDIDATE = uuid.UUID("5b2c8a64-9d7e-4f51-a1c3-0a6e1f2b3c4d")
GROUP = "ats_engine"
ENGINE = Engine(default_taxonomy())
BACKEND = "Requirements:\n- Python: five or more years\n- PostgreSQL\n- Kafka\n- Kubernetes\n"
PLATFORM = "Requirements:\n- Python\n- Kubernetes\n- Terraform\n- Go: command-line tools\n"


@pytest.fixture
async def uow(database_url: str, fake_clock: FakeClock) -> AsyncIterator[UnitOfWork]:
    engine = create_engine(database_url, pool_size=2)
    yield UnitOfWork(engine, fake_clock, source="jams/ats_engine")
    await engine.dispose()


@pytest.fixture
def blobs(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def handlers(blobs: LocalBlobStore) -> AtsHandlers:
    return AtsHandlers(blobs, ENGINE, WeightsSource(DEFAULT_FILE))


def job(title: str, description: str, company: str = "Acme") -> JobPublished:
    return JobPublished(job_id=uuid.uuid4(), company=company, title=title, location="Remote",
                        description=description, apply_url="https://jobs.example/1",
                        sources=["sandbox:1"])


async def deliver(uow: UnitOfWork, handlers: AtsHandlers, data: EventData,
                  envelope: Envelope | None = None) -> Envelope:
    """What the runtime does with one delivery (the inbox skips a redelivery)."""
    envelope = envelope or Envelope.wrap(data, source="test", time=uow.clock.now())
    async with uow.handling(GROUP, envelope) as tx:
        if tx is not None:
            if isinstance(data, JobPublished):
                await handlers.on_job_published(data, tx)
            elif isinstance(data, JobUpdated):
                await handlers.on_job_updated(data, tx)
            elif isinstance(data, JobExpired):
                await handlers.on_job_expired(data, tx)
            elif isinstance(data, JobReopened):
                await handlers.on_job_reopened(data, tx)
            elif isinstance(data, ResumeVersionCreated):
                await handlers.on_resume_version_created(data, tx)
    return envelope


async def emitted(uow: UnitOfWork) -> list[tuple[str, dict[str, Any]]]:
    async with uow.engine.connect() as conn:
        rows = (await conn.execute(sa.select(outbox.c.value, outbox.c.headers)
                                   .order_by(outbox.c.id))).all()
    return [(dict(h)["ce_type"].rsplit(".", 1)[-1], json.loads(v)) for v, h in rows]


def scored_pairs(events: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every pair of every MatchesScored, in order."""
    return [pair for kind, body in events if kind == "MatchesScored"
            for pair in body["pairs"]]


async def match_rows(uow: UnitOfWork) -> list[sa.Row[Any]]:
    async with uow.engine.connect() as conn:
        return list((await conn.execute(sa.select(matches).order_by(matches.c.score))).all())


async def test_upload_then_jobs_scores_each_pair_once_with_versions(
        uow: UnitOfWork, blobs: LocalBlobStore, handlers: AtsHandlers) -> None:
    uploaded = await upload_resume(uow, blobs, ENGINE, CANDIDATE, "jane.pdf", pdf())
    assert uploaded.new and uploaded.event.blob_key.endswith(".pdf")
    await deliver(uow, handlers, uploaded.event)
    backend = job("Senior Backend Engineer (Python)", BACKEND)
    envelope = await deliver(uow, handlers, backend)
    await deliver(uow, handlers, backend, envelope)  # redelivered: skipped by the inbox
    await deliver(uow, handlers, backend)  # a new event for the same job: no second decision
    [row] = await match_rows(uow)
    assert row.decision == "apply" and row.score >= 90
    assert set(row.details["versions"]) == {"model", "taxonomy", "config"}
    assert row.details["versions"]["taxonomy"] == ENGINE.taxonomy.version
    events = await emitted(uow)
    kinds = [kind for kind, _ in events]
    assert kinds.count("ApplicationApproved") == 1 and kinds.count("MatchesScored") == 1
    [pair] = scored_pairs(events)
    assert (pair["match_id"], pair["decision"], pair["acted"]) == (str(row.match_id), "apply", True)


async def test_a_clear_miss_is_decided_by_the_first_stage_and_explained_in_full_on_demand(
        uow: UnitOfWork, blobs: LocalBlobStore, handlers: AtsHandlers) -> None:
    chef = await upload_resume(uow, blobs, ENGINE, CANDIDATE, "cv.txt",
                               b"Pastry chef\n\nExperience\nJan 2015 - Present Pastry chef, "
                               b"Bakehouse\n- Laminated doughs and wedding cakes\n")
    await deliver(uow, handlers, chef.event)
    await deliver(uow, handlers, job("Senior Backend Engineer (Python)", BACKEND))
    [row] = await match_rows(uow)
    assert (row.decision, row.details["stage"]) == ("reject", "one")
    assert set(row.details["breakdown"]) >= {"must_skills", "experience", "title", "location"}
    assert "requirements" not in row.details, "no evidence read line by line for a clear miss"
    [pair] = scored_pairs(await emitted(uow))
    assert (pair["decision"], pair["explanation"]) == ("reject", row.explanation)
    assert any("first stage" in line for line in row.explanation)

    async with uow.transaction() as tx:
        lines = await handlers.explain_match(tx, row.match_id)
    [after] = await match_rows(uow)
    assert (after.decision, after.score) == (row.decision, row.score)
    assert lines == after.explanation and after.details["first_stage"] == row.details
    missing = [r["label"] for r in after.details["requirements"]
               if r["kind"] == "skill" and r["evidence"] is None]
    assert missing == ["Python", "PostgreSQL", "Kafka", "Kubernetes"]
    assert after.details["full_score"] <= row.score
    async with uow.transaction() as tx:  # asked again: the row already holds it
        assert await handlers.explain_match(tx, row.match_id) == lines
        assert await handlers.explain_match(tx, uuid.uuid4()) is None


async def test_a_new_resume_version_rescores_open_jobs(
        uow: UnitOfWork, blobs: LocalBlobStore, handlers: AtsHandlers) -> None:
    platform = job("Platform Engineer", PLATFORM)
    await deliver(uow, handlers, platform)
    first = await upload_resume(uow, blobs, ENGINE, CANDIDATE, "cv.txt", RESUME.encode())
    await deliver(uow, handlers, first.event)
    [before] = await match_rows(uow)
    assert before.decision == "review"
    # The new version shows the two missing must-haves and leads with the post's trade.
    better = RESUME.replace(
        "deployed with Docker on Kubernetes",
        "deployed with Docker on Kubernetes; Terraform modules; Go CLI tools",
    ).replace("Senior Backend Engineer\n", "Backend and Platform Engineer\n", 1)
    second = await upload_resume(uow, blobs, ENGINE, CANDIDATE, "cv.txt", better.encode())
    await deliver(uow, handlers, second.event)
    await deliver(uow, handlers, second.event)  # a duplicate event changes nothing
    rows = await match_rows(uow)
    assert [r.resume_version_id for r in rows] == [first.event.resume_version_id,
                                                   second.event.resume_version_id]
    assert rows[1].decision == "apply"
    events = await emitted(uow)
    kinds = [kind for kind, _ in events]
    assert kinds.count("ManualReviewRequired") == 1 and kinds.count("ApplicationApproved") == 1
    assert [(p["decision"], p["acted"]) for p in scored_pairs(events)] == \
        [("review", True), ("apply", True)]


async def test_preferences_filter_before_scoring(
        uow: UnitOfWork, blobs: LocalBlobStore, handlers: AtsHandlers) -> None:
    seed = [SeedCandidate(candidate_id=CANDIDATE, resume=RESUME,
                          preferences={"company_blacklist": ["Acme"]})]
    assert await seed_candidates(seed, blobs, uow, ENGINE) == 1
    assert await seed_candidates(seed, blobs, uow, ENGINE) == 0, "seeding twice adds nothing"
    [(_, created)] = [e for e in await emitted(uow) if e[0] == "ResumeVersionCreated"]
    await deliver(uow, handlers, ResumeVersionCreated.model_validate(created))
    await deliver(uow, handlers, job("Senior Backend Engineer (Python)", BACKEND))
    [row] = await match_rows(uow)
    assert row.decision == "reject" and "blacklist" in row.details["filtered"]
    [pair] = scored_pairs(await emitted(uow))
    assert pair["filtered"] is True, "the employer's side leaves the pair out"


@pytest.mark.parametrize("filename, content", [("cv.docx", zip_bomb()), ("cv.pdf", b"%PDF-1.4 x"),
                                               ("cv.txt", b""), ("cv.pdf", RESUME.encode())])
async def test_bad_uploads_store_nothing(uow: UnitOfWork, blobs: LocalBlobStore,
                                         tmp_path: Path, filename: str, content: bytes) -> None:
    with pytest.raises(DocumentError):
        await upload_resume(uow, blobs, ENGINE, CANDIDATE, filename, content)
    async with uow.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(resume_versions)) == 0
    assert await emitted(uow) == []
    assert not (tmp_path / "blobs").exists() or not any((tmp_path / "blobs").rglob("*.*"))


async def test_with_embeddings_jobs_preselect_by_vector_and_record_the_model(
        uow: UnitOfWork, blobs: LocalBlobStore) -> None:
    semantic = Semantic(lambda: Embedder(BagOfWords()), preselect_limit=5)
    handlers = AtsHandlers(blobs, ENGINE, WeightsSource(DEFAULT_FILE), semantic)
    uploaded = await upload_resume(uow, blobs, ENGINE, CANDIDATE, "cv.txt", RESUME.encode())
    await deliver(uow, handlers, uploaded.event)
    async with uow.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(candidate_vectors)) == 1
    await deliver(uow, handlers, job("Senior Backend Engineer (Python)", BACKEND))
    [row] = await match_rows(uow)
    # Every must-have shown: however weak the toy vectors' fit, never a rejection.
    assert row.decision in ("apply", "review")
    assert row.details["versions"]["embedding_model"] == "all-MiniLM-L6-v2"
    assert 0 < row.details["breakdown"]["semantic"] <= 1


async def test_a_job_embedded_ahead_of_the_lock_writes_its_vectors_only_once_scored(
        uow: UnitOfWork, blobs: LocalBlobStore) -> None:
    encoder = BagOfWords()
    semantic = Semantic(lambda: Embedder(encoder))
    requirements = ENGINE.parse_job("Senior Backend Engineer (Python)", BACKEND, "Remote")
    async with uow.transaction() as tx:
        await semantic.prepare_job(tx.conn, requirements)
    async with uow.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(embeddings)) == 0
    encoded = sum(len(batch) for batch in encoder.batches)
    handlers = AtsHandlers(blobs, ENGINE, WeightsSource(DEFAULT_FILE), semantic)
    await deliver(uow, handlers, job("Senior Backend Engineer (Python)", BACKEND))
    async with uow.engine.connect() as conn:
        keys = set((await conn.execute(sa.select(embeddings.c.content_sha256))).scalars())
    assert {content_key(t) for t in [requirements.title, *requirements.chunks]} <= keys
    assert sum(len(batch) for batch in encoder.batches) == encoded, \
        "the job's text reached the model once (nothing else was embedded: no candidates)"


async def test_hints_point_at_another_version_that_shows_a_missing_skill(
        uow: UnitOfWork, blobs: LocalBlobStore, handlers: AtsHandlers) -> None:
    with_terraform = RESUME.replace("deployed with Docker on Kubernetes",
                                    "deployed with Docker on Kubernetes; Terraform modules")
    older = await upload_resume(uow, blobs, ENGINE, CANDIDATE, "old.txt", with_terraform.encode())
    await deliver(uow, handlers, older.event)
    newer = await upload_resume(uow, blobs, ENGINE, CANDIDATE, "new.txt", RESUME.encode())
    await deliver(uow, handlers, newer.event)
    await deliver(uow, handlers, job("Platform Engineer", PLATFORM))
    [row] = await match_rows(uow)
    assert row.resume_version_id == newer.event.resume_version_id
    assert any(f"version {older.event.resume_version_id} already shows it" in hint
               for hint in row.details["hints"])


async def test_the_daily_cap_sends_further_matches_to_review(
        uow: UnitOfWork, blobs: LocalBlobStore, handlers: AtsHandlers,
        fake_clock: FakeClock) -> None:
    seed = [SeedCandidate(candidate_id=CANDIDATE, resume=RESUME,
                          preferences={"daily_cap": 1})]
    await seed_candidates(seed, blobs, uow, ENGINE)
    [(_, created)] = [e for e in await emitted(uow) if e[0] == "ResumeVersionCreated"]
    await deliver(uow, handlers, ResumeVersionCreated.model_validate(created))
    await deliver(uow, handlers, job("Senior Backend Engineer (Python)", BACKEND))
    await deliver(uow, handlers, job("Senior Backend Engineer (Python)", BACKEND, "Globex"))
    fake_clock.advance(86_400)
    await deliver(uow, handlers, job("Senior Backend Engineer (Python)", BACKEND, "Initech"))
    async with uow.engine.connect() as conn:
        rows = (await conn.execute(sa.select(matches).order_by(matches.c.scored_at,
                                                               matches.c.decision))).all()
    assert [r.decision for r in rows] == ["apply", "review", "apply"]
    assert any("daily application cap of 1" in line for line in rows[1].explanation)


async def test_one_job_scores_several_candidates_in_one_event_once(
        uow: UnitOfWork, blobs: LocalBlobStore, handlers: AtsHandlers) -> None:
    resumes = [RESUME, RESUME.replace("Kubernetes", "Ansible"), "Pastry chef, ten years.\n"]
    for text in resumes:
        uploaded = await upload_resume(uow, blobs, ENGINE, uuid.uuid4(), "cv.txt", text.encode())
        await deliver(uow, handlers, uploaded.event)
    backend = job("Senior Backend Engineer (Python)", BACKEND)
    envelope = await deliver(uow, handlers, backend)
    rows = await match_rows(uow)
    assert len(rows) == len(resumes)
    assert len({(r.candidate_id, r.job_id, r.resume_version_id) for r in rows}) == len(resumes)
    events = await emitted(uow)
    [batch] = [body for kind, body in events if kind == "MatchesScored"]
    pairs = batch["pairs"]
    assert {p["match_id"] for p in pairs} == {str(r.match_id) for r in rows}
    assert {p["match_id"]: (p["decision"], p["score"]) for p in pairs} == \
        {str(r.match_id): (r.decision, r.score) for r in rows}
    announced = [body["match_id"] for kind, body in events
                 if kind in {"ApplicationApproved", "ManualReviewRequired"}]
    assert sorted(announced) == sorted(p["match_id"] for p in pairs if p["decision"] != "reject")
    assert "reject" in {p["decision"] for p in pairs}, "the pastry chef is rejected"
    assert not [kind for kind, _ in events if kind in {"MatchScored", "MatchRejected"}]
    await deliver(uow, handlers, backend, envelope)  # redelivered: the inbox skips it
    await deliver(uow, handlers, backend)  # the same job again: every pair was scored
    assert len(await match_rows(uow)) == len(resumes)
    assert await emitted(uow) == events


async def test_a_large_step_is_cut_into_events_of_at_most_the_limit(
        uow: UnitOfWork, blobs: LocalBlobStore, handlers: AtsHandlers,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scoring_step, "MAX_PAIRS_PER_EVENT", 2)
    for index in range(5):
        text = RESUME.replace("Kubernetes", f"Skill{index}")
        uploaded = await upload_resume(uow, blobs, ENGINE, uuid.uuid4(), "cv.txt", text.encode())
        await deliver(uow, handlers, uploaded.event)
    await deliver(uow, handlers, job("Senior Backend Engineer (Python)", BACKEND))
    batches = [body for kind, body in await emitted(uow) if kind == "MatchesScored"]
    assert [len(b["pairs"]) for b in batches] == [2, 2, 1]
    assert len({b["batch_id"] for b in batches}) == 3
    assert len({p["match_id"] for b in batches for p in b["pairs"]}) == 5


async def test_fitting_many_pairs_at_once_gives_each_pair_its_own_fit(uow: UnitOfWork) -> None:
    semantic = Semantic(lambda: Embedder(BagOfWords()))
    today = FakeClock().now().date()
    resumes = [ENGINE.parse_text(text, today).profile for text in
               (RESUME, RESUME.replace("Kubernetes", "Ansible"), "Pastry chef, ten years.\n")]
    jobs = [ENGINE.parse_job("Senior Backend Engineer (Python)", BACKEND, "Remote"),
            ENGINE.parse_job("Platform Engineer", PLATFORM, "Remote")]
    pairs = [(job, resume) for job in jobs for resume in resumes]
    async with uow.transaction() as tx:
        one_by_one = [await semantic.fit(tx.conn, job, resume) for job, resume in pairs]
        together = await semantic.fit_many(tx.conn, pairs)
        again = await semantic.fit_many(tx.conn, pairs)  # resume matrices from the last call
    for single, batched, repeated in zip(one_by_one, together, again, strict=True):
        assert batched.fit == pytest.approx(single.fit, abs=1e-6)
        assert batched.closest.keys() == single.closest.keys()
        assert [e.text for e in batched.closest.values()] == \
            [e.text for e in single.closest.values()]
        assert repeated == batched
    assert any(fit.fit > 0 for fit in together)


def edited(published: JobPublished, revision: int, title: str, description: str) -> JobUpdated:
    """The job service's JobUpdated for an edit of `published`'s title and description."""
    return JobUpdated.model_validate(published.model_dump(exclude={"sources"}) | {
        "revision": revision, "changed": ["title", "description"], "title": title,
        "description": description})


def announced(events: list[tuple[str, dict[str, Any]]], kind: str) -> list[str]:
    return [body["match_id"] for k, body in events if k == kind]


async def test_an_edited_job_rescores_its_matches_once_and_announces_only_a_flip(
        uow: UnitOfWork, blobs: LocalBlobStore, handlers: AtsHandlers) -> None:
    jane = await upload_resume(uow, blobs, ENGINE, CANDIDATE, "cv.txt", RESUME.encode())
    chef = await upload_resume(uow, blobs, ENGINE, uuid.uuid4(), "cv.txt",
                               b"Pastry chef, ten years.\n")
    for uploaded in (jane, chef):
        await deliver(uow, handlers, uploaded.event)
    platform = job("Platform Engineer", PLATFORM)
    await deliver(uow, handlers, platform)
    assert sorted(r.decision for r in await match_rows(uow)) == ["reject", "review"]

    backend = edited(platform, 1, "Senior Backend Engineer (Python)", BACKEND)
    envelope = await deliver(uow, handlers, backend)
    await deliver(uow, handlers, backend, envelope)  # redelivered: the inbox skips it
    await deliver(uow, handlers, backend)  # the same revision again: scored already

    rows = await match_rows(uow)
    assert sorted((r.job_revision, r.decision) for r in rows) == [
        (0, "reject"), (0, "review"), (1, "apply"), (1, "reject")]
    [flipped] = [r for r in rows if r.job_revision == 1 and r.candidate_id == CANDIDATE]
    events = await emitted(uow)
    assert announced(events, "ApplicationApproved") == [str(flipped.match_id)]
    assert len(announced(events, "ManualReviewRequired")) == 1
    assert [(p["decision"], p["acted"]) for p in scored_pairs(events)[2:]] in (
        [("apply", True), ("reject", False)], [("reject", False), ("apply", True)])

    # Edited back: the review band again, but an approved application is never re-decided.
    await deliver(uow, handlers, edited(platform, 2, "Platform Engineer", PLATFORM))
    await deliver(uow, handlers, edited(platform, 1, "Ignored", BACKEND))  # older: ignored
    events = await emitted(uow)
    assert len(announced(events, "ApplicationApproved")) == 1
    assert len(announced(events, "ManualReviewRequired")) == 1
    assert sorted((r.job_revision, r.decision) for r in await match_rows(uow)
                  if r.candidate_id == CANDIDATE) == [(0, "review"), (1, "apply"), (2, "review")]
    async with uow.engine.connect() as conn:
        stored = (await conn.execute(sa.select(jobs_table))).one()
    assert (stored.title, stored.revision, stored.open) == ("Platform Engineer", 2, True)


async def test_a_closed_job_is_scored_again_when_it_reopens_with_its_latest_text(
        uow: UnitOfWork, blobs: LocalBlobStore, handlers: AtsHandlers) -> None:
    platform = job("Platform Engineer", PLATFORM)
    await deliver(uow, handlers, platform)
    await deliver(uow, handlers, JobExpired(job_id=platform.job_id,
                                            expired_at=uow.clock.now()))
    # Edited while closed: stored, nobody scored.
    await deliver(uow, handlers, edited(platform, 1, "Senior Backend Engineer (Python)",
                                        BACKEND))
    jane = await upload_resume(uow, blobs, ENGINE, CANDIDATE, "cv.txt", RESUME.encode())
    await deliver(uow, handlers, jane.event)
    assert await match_rows(uow) == []

    reopened = JobReopened(job_id=platform.job_id, reopened_at=uow.clock.now(),
                           source_job_key="sandbox:1")
    await deliver(uow, handlers, reopened)
    await deliver(uow, handlers, reopened)  # a second event for the same reopening

    [row] = await match_rows(uow)
    assert (row.job_revision, row.decision) == (1, "apply")
    assert announced(await emitted(uow), "ApplicationApproved") == [str(row.match_id)]
    # Open again: a new resume version sees it.
    better = await upload_resume(uow, blobs, ENGINE, CANDIDATE, "cv.txt",
                                 RESUME.replace("Kubernetes", "Kubernetes, Terraform").encode())
    await deliver(uow, handlers, better.event)
    assert len(await match_rows(uow)) == 2


async def test_a_job_published_again_after_its_purge_is_open_with_its_new_text(
        uow: UnitOfWork, handlers: AtsHandlers) -> None:
    platform = job("Platform Engineer", PLATFORM)
    await deliver(uow, handlers, platform)
    await deliver(uow, handlers, edited(platform, 1, "Platform Engineer II", PLATFORM))
    await deliver(uow, handlers, JobExpired(job_id=platform.job_id, expired_at=uow.clock.now()))

    # The job service purged it; a posting seen later publishes it under the same id.
    await deliver(uow, handlers, platform.model_copy(update={"title": "Platform Lead"}))

    async with uow.engine.connect() as conn:
        stored = (await conn.execute(sa.select(jobs_table))).one()
    assert (stored.title, stored.revision, stored.open) == ("Platform Lead", 0, True)

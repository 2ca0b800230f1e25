"""The recruiting service on a real PostgreSQL and Valkey: employer jobs through their states
and into the pipeline, ranked candidates, pipeline status, and two companies that never see
each other."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from infra.auth import Role, mint_access_token
from infra.blobs import LocalBlobStore
from infra.runtime import merged_http_app, open_platform
from infra.settings import CommonSettings
from infra.uow import UnitOfWork
from schemas.events.applications import ApplicationSubmitted
from schemas.events.candidates import CandidateErased
from schemas.events.envelope import Envelope
from schemas.events.jobs import JobExpired, JobPublished, JobUpdated
from schemas.events.matching import MatchesScored
from schemas.events.recruiting import CandidateStatusChanged
from services.ats_engine.engine import Engine
from services.ats_engine.handlers import AtsHandlers
from services.ats_engine.intake import upload_resume
from services.ats_engine.skills import default_taxonomy
from services.ats_engine.weights import DEFAULT_FILE, WeightsSource
from services.catalog import build_all
from services.recruiting.tables import applications, audit_log, candidates
from tests.fixtures.resumes import RESUME
from tests.integration.recruiting_support import SECRET, Recruiting, recruiting, scored

pytestmark = pytest.mark.integration
__all__ = ["recruiting"]  # the fixture


async def ranked(api: Recruiting, job_id: uuid.UUID, query: str = "",
                 role: Role = Role.RECRUITER) -> list[dict[str, Any]]:
    """Every page of the job's ranked list, following next_cursor."""
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        response = await api.client.get(
            f"/api/v1/jobs/{job_id}/candidates?limit=2&{query}{cursor}", headers=api.auth(role))
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if not page["next_cursor"]:
            return items
        cursor = f"&cursor={page['next_cursor']}"


async def test_a_job_goes_from_draft_to_published_to_closed_and_tells_the_pipeline(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    recruiter = api.auth(Role.RECRUITER)
    path = f"/api/v1/jobs/{acme.draft_job}"
    edited = await api.client.patch(path, json={"title": "Staff engineer", "salary_min": 90000,
                                                "salary_currency": "EUR"}, headers=recruiter)
    assert edited.status_code == 200 and edited.json()["title"] == "Staff engineer"
    assert not [e for e in await api.emitted(JobPublished) if e["job_id"] == str(acme.draft_job)]

    published = await api.client.patch(path, json={"status": "published"}, headers=recruiter)
    assert published.json()["status"] == "published" and published.json()["published_at"]
    [event] = [e for e in await api.emitted(JobPublished) if e["job_id"] == str(acme.draft_job)]
    assert event["company"] == "Acme" and event["title"] == "Staff engineer"
    assert event["sources"] == [f"employer:{acme.draft_job}"]
    assert event["apply_url"] == f"http://127.0.0.1:8000/jobs/{acme.draft_job}"
    assert event["salary_min"] == 90000 and event["salary_currency"] == "EUR"

    # A published job's material edit is announced as a scraped job's is, once per revision;
    # a cosmetic one announces nothing.
    text = await api.client.patch(path, json={"title": "Changed"}, headers=recruiter)
    assert text.status_code == 200 and text.json()["title"] == "Changed"
    await api.client.patch(path, json={"title": " Changed "}, headers=recruiter)
    [update] = [e for e in await api.emitted(JobUpdated) if e["job_id"] == str(acme.draft_job)]
    assert (update["revision"], update["changed"]) == (1, ["title"])
    assert update["previous"] == {"title": "Staff engineer"}
    assert (update["title"], update["company"]) == ("Changed", "Acme")
    assert update["apply_url"] == event["apply_url"]
    api.clock.advance(60)
    edited_at = (await api.client.patch(path, json={}, headers=recruiter)).json()["updated_at"]
    again = await api.client.patch(path, json={"status": "published"}, headers=recruiter)
    assert again.status_code == 200
    assert len([e for e in await api.emitted(JobPublished)
                if e["job_id"] == str(acme.draft_job)]) == 1, "published once"
    assert again.json()["updated_at"] == edited_at, "nothing changed"

    closed = await api.client.patch(path, json={"status": "closed"}, headers=recruiter)
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    [expired] = [e for e in await api.emitted(JobExpired) if e["job_id"] == str(acme.draft_job)]
    assert expired["reason"] == "closed by the employer"
    reopened = await api.client.patch(path, json={"status": "published"}, headers=recruiter)
    assert (reopened.status_code, reopened.json()["error"]["code"]) == (409, "ERR_CONFLICT")
    fixed = await api.client.patch(path, json={"title": "After closing"}, headers=recruiter)
    assert (fixed.status_code, fixed.json()["error"]["code"]) == (409, "ERR_CONFLICT")

    listed = await api.client.get(f"/api/v1/companies/{acme.company_id}/jobs?status=closed",
                                  headers=api.auth(Role.HIRING_MANAGER))
    assert [j["job_id"] for j in listed.json()["items"]] == [str(acme.draft_job)]
    async with api.uow.engine.connect() as conn:
        actions = list(await conn.scalars(sa.select(audit_log.c.action).where(
            audit_log.c.object_id == str(acme.draft_job)).order_by(audit_log.c.time)))
    assert {"job.draft", "job.edited", "job.published", "job.closed"} <= set(actions)


async def test_text_postgresql_cannot_store_is_refused_not_an_error(
        recruiting: Recruiting) -> None:
    api = recruiting
    for body in ({"title": "Data\x00engineer"}, {"title": "Data", "description": "\ud800"}):
        # Escaped as JSON allows, so a lone surrogate reaches the server.
        posted = await api.client.post("/api/v1/jobs", content=json.dumps(body), headers={
            **api.auth(Role.RECRUITER), "Content-Type": "application/json"})
        assert (posted.status_code, posted.json()["error"]["code"]) == (422, "ERR_VALIDATION")
    for field in ("title", "description", "location"):
        # Left out, a field keeps its text; null would leave the job without one.
        emptied = await api.client.patch(f"/api/v1/jobs/{api.companies[0].draft_job}",
                                         json={field: None}, headers=api.auth(Role.RECRUITER))
        assert (emptied.status_code, emptied.json()["error"]["code"]) == (422, "ERR_VALIDATION")
    named = await api.client.post("/api/v1/companies", json={"name": "A\x00"},
                                  headers=api.auth(Role.ADMIN))
    assert named.status_code == 422


async def test_a_draft_closed_unpublished_never_reaches_the_pipeline(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    closed = await api.client.patch(f"/api/v1/jobs/{acme.draft_job}", json={"status": "closed"},
                                    headers=api.auth(Role.COMPANY_ADMIN))
    assert closed.status_code == 200
    assert not [e for e in await api.emitted(JobPublished, JobExpired)
                if e["job_id"] == str(acme.draft_job)]


async def test_candidates_best_first_in_pages_with_filters_and_newest_scores(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    job = acme.published_job
    more = [uuid.uuid4() for _ in range(4)]
    api.clock.advance(60)
    await api.deliver(MatchesScored(batch_id=uuid.uuid4(), pairs=[
        scored(job, c, s) for c, s in zip(more, (95.0, 40.0, 61.5, 73.25), strict=True)]))
    # A scraped job's pairs are not the recruiting service's to rank.
    await api.deliver(MatchesScored(batch_id=uuid.uuid4(), pairs=[
        scored(uuid.uuid4(), uuid.uuid4(), 99.0)]))

    best = await ranked(api, job)
    assert [c["score"] for c in best] == [95.0, 88.0, 73.25, 61.5, 61.5, 40.0]
    ties = [c["candidate_id"] for c in best if c["score"] == 61.5]
    assert ties == sorted(ties, reverse=True), "ties break on the candidate id"
    top = best[0]
    assert top["candidate_id"] == str(more[0]) and top["decision"] == "apply"
    assert top["breakdown"] == {"skills": 0.95}
    assert (top["matched_skills"], top["missing_skills"]) == (["python"], ["rust"])
    assert top["explanation"] == ["score 95.0"] and top["status"] == "pending"
    assert [c["score"] for c in await ranked(api, job, "min_score=61.5&")] == [
        95.0, 88.0, 73.25, 61.5, 61.5]
    recent = await ranked(api, job, "sort=recent&")
    assert {c["candidate_id"] for c in recent[:4]} == {str(c) for c in more}

    # A newer resume version's score replaces the older one; the status stays.
    moved = await api.client.patch(f"/api/v1/jobs/{job}/candidates/{acme.candidates[0]}",
                                   json={"status": "maybe"}, headers=api.auth(Role.RECRUITER))
    assert moved.status_code == 200
    api.clock.advance(60)
    await api.deliver(MatchesScored(batch_id=uuid.uuid4(), pairs=[
        scored(job, acme.candidates[0], 99.5)]))
    first = (await ranked(api, job))[0]
    assert (first["candidate_id"], first["score"], first["status"]) == (
        str(acme.candidates[0]), 99.5, "maybe")
    assert [c["candidate_id"] for c in await ranked(api, job, "status=maybe&")] == [
        str(acme.candidates[0])]

    for cursor in ("garbage", (await api.client.get(
            f"/api/v1/jobs/{job}/candidates?limit=1&sort=recent",
            headers=api.auth(Role.RECRUITER))).json()["next_cursor"]):
        refused = await api.client.get(f"/api/v1/jobs/{job}/candidates?cursor={cursor}",
                                       headers=api.auth(Role.RECRUITER))
        assert (refused.status_code, refused.json()["error"]["code"]) == (400, "ERR_VALIDATION")


async def test_a_pair_the_candidates_preferences_ruled_out_never_reaches_the_ranked_list(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    job = acme.published_job
    scored_before, stranger = acme.candidates[0], uuid.uuid4()
    api.clock.advance(60)
    await api.deliver(MatchesScored(batch_id=uuid.uuid4(), pairs=[
        scored(job, who, 0.0).model_copy(update={
            "filtered": True, "explanation": ["filtered before scoring: company blacklist"]})
        for who in (scored_before, stranger)]))
    listed = {c["candidate_id"] for c in await ranked(api, job)}
    assert listed == {str(acme.candidates[1])}
    async with api.uow.engine.connect() as conn:
        kept = await conn.scalar(sa.select(sa.func.count()).select_from(candidates).where(
            candidates.c.candidate_id.in_([scored_before, stranger])))
    assert kept == 0


async def test_a_status_change_keeps_who_and_when_is_audited_and_announced_once(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    job, candidate = acme.published_job, acme.candidates[1]
    manager = acme.people[Role.HIRING_MANAGER]
    path = f"/api/v1/jobs/{job}/candidates/{candidate}"
    for _ in range(2):  # the second is no change: nothing more is announced or audited
        response = await api.client.patch(path, json={"status": "shortlisted"},
                                          headers=api.auth(Role.HIRING_MANAGER))
        assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["status_by"]) == ("shortlisted", str(manager))
    assert datetime.fromisoformat(body["status_at"]) == api.clock.now()
    [event] = await api.emitted(CandidateStatusChanged)
    assert event == {**event, "job_id": str(job), "candidate_id": str(candidate),
                     "company_id": str(acme.company_id), "status": "shortlisted",
                     "previous_status": "pending", "changed_by": str(manager),
                     "job_title": "Backend engineer at Acme"}
    async with api.uow.engine.connect() as conn:
        [entry] = (await conn.execute(sa.select(audit_log).where(
            audit_log.c.action == "candidate.status_changed"))).mappings().all()
    assert (entry["actor"], entry["actor_role"], entry["object_id"]) == (
        manager, "hiring_manager", str(candidate))
    assert entry["details"] == {"job_id": str(job), "from": "pending", "to": "shortlisted"}

    unknown = await api.client.patch(f"/api/v1/jobs/{job}/candidates/{uuid.uuid4()}",
                                     json={"status": "rejected"},
                                     headers=api.auth(Role.RECRUITER))
    assert unknown.status_code == 404
    invalid = await api.client.patch(path, json={"status": "hired"},
                                     headers=api.auth(Role.RECRUITER))
    assert invalid.status_code == 422


async def test_two_companies_see_nothing_of_each_other(recruiting: Recruiting) -> None:
    api = recruiting
    acme, globex = api.companies
    for role in (Role.RECRUITER, Role.HIRING_MANAGER, Role.COMPANY_ADMIN):
        mine = api.auth(role, acme)
        jobs = (await api.client.get(f"/api/v1/companies/{acme.company_id}/jobs",
                                     headers=mine)).json()["items"]
        assert {j["job_id"] for j in jobs} == {str(acme.draft_job), str(acme.published_job)}
        listed = await ranked(api, acme.published_job, role=role)
        assert {c["candidate_id"] for c in listed} == {str(c) for c in acme.candidates}
        for path in (f"/api/v1/companies/{globex.company_id}",
                     f"/api/v1/companies/{globex.company_id}/jobs",
                     f"/api/v1/jobs/{globex.published_job}/candidates"):
            response = await api.client.get(path, headers=mine)
            assert response.status_code == 404, path
            for secret in (str(globex.published_job), str(globex.draft_job), "Globex",
                           *(str(c) for c in globex.candidates)):
                assert secret not in response.text
        moved = await api.client.patch(
            f"/api/v1/jobs/{globex.published_job}/candidates/{globex.candidates[0]}",
            json={"status": "rejected"}, headers=mine)
        assert moved.status_code == 404
        if role is not Role.HIRING_MANAGER:
            closed = await api.client.patch(f"/api/v1/jobs/{globex.published_job}",
                                            json={"status": "closed"}, headers=mine)
            assert closed.status_code == 404
            posted = await api.client.post("/api/v1/jobs", headers=mine, json={
                "company_id": str(globex.company_id), "title": "Planted"})
            assert posted.status_code == 404
    async with api.uow.engine.connect() as conn:
        rows = (await conn.execute(sa.select(candidates.c.status).where(
            candidates.c.company_id == globex.company_id))).scalars().all()
        assert set(rows) == {"pending"}
        touched = await conn.scalar(sa.select(sa.func.count()).select_from(audit_log).where(
            audit_log.c.company_id == globex.company_id,
            audit_log.c.actor.in_(list(acme.people.values()))))
    assert touched == 0
    assert not [e for e in await api.emitted(JobExpired)
                if e["job_id"] == str(globex.published_job)]
    globex_jobs = (await api.client.get(f"/api/v1/companies/{globex.company_id}/jobs",
                                        headers=api.auth(Role.RECRUITER, globex))).json()
    assert "Planted" not in str(globex_jobs) and len(globex_jobs["items"]) == 2


async def test_an_employer_job_from_posting_to_ranked_candidates_and_a_shortlist(
        recruiting: Recruiting, tmp_path: Path) -> None:
    """The job's JobPublished goes to the real ATS engine, which scores the candidates it
    holds; its MatchesScored comes back and ranks them; the best is shortlisted."""
    api = recruiting
    engine = Engine(default_taxonomy())
    ats_uow = UnitOfWork(api.uow.engine, api.clock, source="jams/ats_engine")
    blobs = LocalBlobStore(tmp_path / "ats-blobs")
    ats = AtsHandlers(blobs, engine, WeightsSource(DEFAULT_FILE))
    people = {"backend": RESUME, "chef": "Pastry chef, ten years of croissants.\n"}
    ids = {name: uuid.uuid4() for name in people}
    for name, text in people.items():
        uploaded = await upload_resume(ats_uow, blobs, engine, ids[name], "cv.txt",
                                       text.encode())
        async with ats_uow.handling("ats_engine", Envelope.wrap(
                uploaded.event, source="test", time=api.clock.now())) as tx:
            assert tx is not None
            await ats.on_resume_version_created(uploaded.event, tx)

    posted = await api.client.post("/api/v1/jobs", headers=api.auth(Role.RECRUITER), json={
        "title": "Senior Backend Engineer (Python)", "status": "published",
        "description": "Requirements:\n- Python: five or more years\n- PostgreSQL\n- Kafka\n",
        "location": "Remote"})
    assert posted.status_code == 201, posted.text
    job_id = posted.json()["job_id"]
    [announced] = [e for e in await api.emitted(JobPublished) if e["job_id"] == job_id]
    published = JobPublished.model_validate(announced)
    async with ats_uow.handling("ats_engine", Envelope.wrap(
            published, source="recruiting", time=api.clock.now())) as tx:
        assert tx is not None
        await ats.on_job_published(published, tx)
    batches = [MatchesScored.model_validate(e) for e in await api.emitted(MatchesScored)]
    for batch in batches:
        if any(str(p.job_id) == job_id for p in batch.pairs):
            await api.deliver(batch)

    listed = await ranked(api, uuid.UUID(job_id))
    assert [c["candidate_id"] for c in listed] == [str(ids["backend"]), str(ids["chef"])]
    best = listed[0]
    assert best["score"] > listed[1]["score"] and best["decision"] != "reject"
    assert "Python" in best["matched_skills"] and best["breakdown"] and best["explanation"]
    shortlisted = await api.client.patch(
        f"/api/v1/jobs/{job_id}/candidates/{best['candidate_id']}",
        json={"status": "shortlisted"}, headers=api.auth(Role.RECRUITER))
    assert shortlisted.status_code == 200
    assert [c["candidate_id"] for c in await ranked(api, uuid.UUID(job_id),
                                                    "status=shortlisted&")] == [
        str(ids["backend"])]
    [change] = await api.emitted(CandidateStatusChanged)
    assert (change["candidate_id"], change["status"]) == (str(ids["backend"]), "shortlisted")


async def test_an_erased_candidate_leaves_no_score_or_quote_in_any_list(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    gone, kept = acme.candidates
    moved = await api.client.patch(f"/api/v1/jobs/{acme.published_job}/candidates/{gone}",
                                   json={"status": "rejected"}, headers=api.auth(Role.RECRUITER))
    assert moved.status_code == 200
    await api.deliver(ApplicationSubmitted(
        application_id=uuid.uuid4(), candidate_id=gone, job_id=acme.published_job,
        resume_version_id=uuid.uuid4()))
    await api.deliver(CandidateErased(candidate_id=gone))
    assert [c["candidate_id"] for c in await ranked(api, acme.published_job)] == [str(kept)]
    async with api.uow.engine.connect() as conn:
        left = sum([await conn.scalar(sa.select(sa.func.count()).select_from(table).where(
            table.c.candidate_id == gone)) for table in (candidates, applications)])
        audited = (await conn.execute(sa.select(audit_log.c.details).where(
            audit_log.c.object_id == str(gone)))).scalars().all()
    assert left == 0
    assert audited == [{"job_id": str(acme.published_job), "from": "pending", "to": "rejected"}]


async def test_a_score_or_application_arriving_after_the_erasure_brings_no_one_back(
        recruiting: Recruiting) -> None:
    """CandidateErased travels on another topic than MatchesScored and ApplicationSubmitted:
    either may be read after it."""
    api = recruiting
    acme = api.companies[0]
    gone, kept = acme.candidates
    await api.deliver(CandidateErased(candidate_id=gone))
    api.clock.advance(60)
    await api.deliver(MatchesScored(batch_id=uuid.uuid4(), pairs=[
        scored(acme.published_job, gone, 97.0)]))
    await api.deliver(ApplicationSubmitted(
        application_id=uuid.uuid4(), candidate_id=gone, job_id=acme.published_job,
        resume_version_id=uuid.uuid4()))
    assert [c["candidate_id"] for c in await ranked(api, acme.published_job)] == [str(kept)]
    async with api.uow.engine.connect() as conn:
        left = sum([await conn.scalar(sa.select(sa.func.count()).select_from(table).where(
            table.c.candidate_id == gone)) for table in (candidates, applications)])
    assert left == 0


async def test_in_one_process_the_recruiting_routes_join_the_gateways_on_one_port(
        database_url: str, redis_url: str, tmp_path: Path) -> None:
    """`jams run`: POST /jobs is the recruiting service's, GET /jobs the gateway's."""
    shared: dict[str, Any] = {
        "bus": "embedded", "database_url": database_url, "redis_url": redis_url,
        "mongo_url": None, "blob_dir": tmp_path / "blobs", "data_dir": tmp_path,
        "jwt_secret": SECRET, "mail_sink_file": tmp_path / "mail.jsonl"}
    async with open_platform(CommonSettings(**shared)) as platform:
        app = merged_http_app(build_all(platform, shared))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app),
                                     base_url="http://jams") as client:
            paths = (await client.get("/openapi.json")).json()["paths"]
            assert {"get", "post"} <= set(paths["/api/v1/jobs"])
            assert "patch" in paths["/api/v1/jobs/{job_id}"]
            assert "get" in paths["/api/v1/jobs/{job_id}"]
            admin = {"Authorization": "Bearer " + mint_access_token(
                SECRET, uuid.uuid4(), Role.ADMIN)}
            company = await client.post("/api/v1/companies", json={"name": "Acme"},
                                        headers=admin)
            assert company.status_code == 201
            recruiter_id = uuid.uuid4()
            await client.put(f"/api/v1/companies/{company.json()['company_id']}/members/"
                             f"{recruiter_id}", headers=admin)
            recruiter = {"Authorization": "Bearer " + mint_access_token(
                SECRET, recruiter_id, Role.RECRUITER)}
            posted = await client.post("/api/v1/jobs", json={"title": "Data engineer"},
                                       headers=recruiter)
            assert posted.status_code == 201, posted.text
            listed = await client.get("/api/v1/jobs", headers=recruiter)
            assert listed.status_code == 200 and "items" in listed.json()

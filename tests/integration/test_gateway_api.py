"""The gateway's REST API over its read model: lists, search, pages, changes sent as events."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import pytest
import sqlalchemy as sa

from infra.auth import Role
from infra.outbox import outbox
from schemas.events.candidates import CandidateErased, UpdateCandidatePreferences
from schemas.events.config import ScoringConfigChanged
from schemas.events.discovery import ScrapeAnomalyDetected, SourceBlocked
from schemas.events.jobs import JobExpired, JobPublished, JobReopened, JobUpdated
from schemas.events.matching import (
    ApplicationApproved,
    ManualReviewRequired,
    MatchesScored,
    MatchRejected,
    MatchScored,
    ScoredPair,
)
from schemas.events.resumes import ResumeVersionCreated
from schemas.events.review import (
    ReviewerPresenceChanged,
    ReviewerUnlocked,
    ReviewTaskJobChanged,
    TaskCompleted,
    UnlockReviewer,
)
from services.gateway.audit import audit_log
from services.gateway.readmodel import tables as t
from tests.integration.test_gateway_api_support import Api, api, seed

pytestmark = pytest.mark.integration
__all__ = ["api"]
A = Role.ADMIN


async def emitted(api: Api, event_type: str) -> list[dict[str, object]]:
    async with api.uow.engine.connect() as conn:
        rows = (await conn.execute(sa.select(outbox.c.value, outbox.c.headers))).all()
    return [json.loads(value) for value, headers in rows
            if dict(headers).get("ce_type") == event_type]


async def audited(api: Api, action: str) -> list[dict[str, object]]:
    async with api.uow.engine.connect() as conn:
        rows = await conn.execute(sa.select(audit_log).where(audit_log.c.action == action))
        return [dict(row._mapping) for row in rows]


async def test_jobs_search_filters_and_pages_through_every_job_once(api: Api) -> None:
    w = await seed(api)
    for n in range(7):
        await api.project(JobPublished(job_id=uuid.uuid4(), company="Initech", title=f"Dev {n}",
                                       apply_url="https://example.com/a", sources=["x"]))
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = (await api.client.get("/api/v1/jobs", params=params, headers=api.auth(A))).json()
        assert len(body["items"]) <= 3
        seen += [job["job_id"] for job in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert len(seen) == len(set(seen)) == 9
    remote = (await api.client.get("/api/v1/jobs", params={"remote": "true"},
                                   headers=api.auth(Role.CANDIDATE))).json()
    assert [j["job_id"] for j in remote["items"]] == [str(w.jobs[1])]
    found = (await api.client.get("/api/v1/jobs", params={"q": "python", "company": "acm"},
                                  headers=api.auth(A))).json()
    assert [j["job_id"] for j in found["items"]] == [str(w.jobs[0])]
    await api.project(JobExpired(job_id=w.jobs[0], expired_at=api.clock.now()))
    found = (await api.client.get("/api/v1/jobs", params={"q": "python"},
                                  headers=api.auth(A))).json()
    assert found["items"] == []


async def test_a_forged_cursor_is_a_validation_error_and_limit_is_bounded(api: Api) -> None:
    response = await api.client.get("/api/v1/jobs", params={"cursor": "bm90LWEtY3Vyc29y"},
                                    headers=api.auth(A))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "ERR_VALIDATION"
    response = await api.client.get("/api/v1/jobs", params={"limit": 100_000},
                                    headers=api.auth(A))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "ERR_VALIDATION"


async def test_redelivered_events_change_nothing(api: Api) -> None:
    w = await seed(api)
    envelope = await api.project(TaskCompleted(
        task_id=w.tasks[0], reviewer_id=w.reviewers[0], match_id=w.matches[0],
        candidate_id=w.candidates[0], job_id=w.jobs[0], resume_version_id=w.resumes[0],
        apply_url="https://example.com/apply"))
    assert not await api.deliver(envelope)
    task = (await api.client.get(f"/api/v1/review-tasks/{w.tasks[0]}",
                                 headers=api.auth(A))).json()
    assert task["status"] == "completed"


async def test_match_results_carry_their_explanation(api: Api) -> None:
    w = await seed(api)
    body = (await api.client.get("/api/v1/matches", headers=api.auth(Role.CANDIDATE))).json()
    assert [m["match_id"] for m in body["items"]] == [str(w.matches[0])]
    assert body["items"][0]["explanation"] == ["python: matched"]
    assert body["items"][0]["decision"] == "review"


async def test_preferences_change_is_an_order_with_an_audit_entry(api: Api) -> None:
    w = await seed(api)
    me = w.candidates[0]
    response = await api.client.put(f"/api/v1/candidates/{me}/preferences",
                                    json={"locations": ["Berlin"], "daily_cap": 5},
                                    headers=api.auth(Role.CANDIDATE))
    assert response.status_code == 202, response.text
    [order] = await emitted(api, UpdateCandidatePreferences.TYPE)
    assert order["candidate_id"] == str(me)
    assert order["preferences"]["locations"] == ["Berlin"]  # type: ignore[index]
    read = (await api.client.get(f"/api/v1/candidates/{me}/preferences",
                                 headers=api.auth(Role.CANDIDATE))).json()
    assert read["preferences"]["daily_cap"] == 5
    assert len(await audited(api, "candidate.preferences.update")) == 1
    bad = await api.client.put(f"/api/v1/candidates/{me}/preferences",
                               json={"daily_cap": -1}, headers=api.auth(Role.CANDIDATE))
    assert bad.status_code == 422
    assert len(await emitted(api, UpdateCandidatePreferences.TYPE)) == 1


async def test_scoring_config_versions_admin_puts_a_new_one(api: Api) -> None:
    config = {"version": "v2", "thresholds": {"auto_apply": 85, "review_floor": 40},
              "weights": {"must_skills": 0.6, "title": 0.4}}
    put = await api.client.put("/api/v1/scoring-config", json=config, headers=api.auth(A))
    assert put.status_code == 201, put.text
    [event] = await emitted(api, ScoringConfigChanged.TYPE)
    assert event["version"] == "v2"
    again = await api.client.put("/api/v1/scoring-config", json=config, headers=api.auth(A))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "ERR_CONFLICT"
    broken = {**config, "version": "v3", "weights": {"charm": 1.0}}
    refused = await api.client.put("/api/v1/scoring-config", json=broken, headers=api.auth(A))
    assert refused.status_code == 422
    current = (await api.client.get("/api/v1/scoring-config", headers=api.auth(A))).json()
    assert current["version"] == "v2"
    assert current["config"]["thresholds"]["auto_apply"] == 85
    versions = (await api.client.get("/api/v1/scoring-config/versions",
                                     headers=api.auth(Role.OPERATOR))).json()
    assert [v["version"] for v in versions["items"]] == ["v2"]
    assert len(await audited(api, "scoring_config.put")) == 1
    assert len(await emitted(api, ScoringConfigChanged.TYPE)) == 1


async def test_admin_unlocks_a_locked_reviewer_with_the_unlock_order(api: Api) -> None:
    w = await seed(api)
    free = await api.client.post(f"/api/v1/reviewers/{w.reviewers[0]}/unlock",
                                 json={"reason": "talked"}, headers=api.auth(A))
    assert free.status_code == 409
    response = await api.client.post(f"/api/v1/reviewers/{w.reviewers[1]}/unlock",
                                     json={"reason": "talked it through"}, headers=api.auth(A))
    assert response.status_code == 202, response.text
    [order] = await emitted(api, UnlockReviewer.TYPE)
    assert order["reviewer_id"] == str(w.reviewers[1])
    assert order["admin_id"] == str(w.admin)
    assert len(await audited(api, "reviewer.unlock")) == 1
    strikes = (await api.client.get(f"/api/v1/reviewers/{w.reviewers[1]}/strikes",
                                    headers=api.auth(Role.SUPERVISOR))).json()
    assert [s["strikes"] for s in strikes["items"]] == [1]


async def test_evidence_comes_through_the_gateway_from_the_blob_store(api: Api) -> None:
    w = await seed(api)
    me = api.auth(Role.CANDIDATE)
    manifest = await api.client.get(f"/api/v1/applications/{w.applications[0]}/evidence",
                                    headers=me)
    assert manifest.status_code == 200
    assert manifest.json()["confirmation"] == "C-1"
    page = await api.client.get(f"/api/v1/applications/{w.applications[0]}/evidence/html",
                                headers=me)
    assert page.content == b"<p>ok</p>"


async def test_export_holds_every_row_and_file_of_the_candidate_only(api: Api) -> None:
    w = await seed(api)
    response = await api.client.get(f"/api/v1/candidates/{w.candidates[0]}/export",
                                    headers=api.auth(Role.CANDIDATE))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert [r["resume_version_id"] for r in data["resume_versions"]] == [str(w.resumes[0])]
    assert [a["application_id"] for a in data["applications"]] == [str(w.applications[0])]
    names = set(archive.namelist())
    assert f"files/resumes/{w.candidates[0]}/{w.resumes[0]}.txt" in names
    assert f"files/evidence/{w.applications[0]}/confirmation.html" in names
    assert not any(str(w.candidates[1]) in name for name in names)


async def test_deleting_an_account_erases_files_and_rows_and_tells_everyone(api: Api) -> None:
    w = await seed(api)
    me, key = w.candidates[0], f"resumes/{w.candidates[0]}/{w.resumes[0]}.txt"
    response = await api.client.delete(f"/api/v1/candidates/{me}",
                                       headers=api.auth(Role.CANDIDATE))
    assert response.status_code == 202, response.text
    for erased in (key, f"evidence/{w.applications[0]}/confirmation.html",
                   f"evidence/{w.applications[0]}/manifest.json"):
        assert not await api.blobs.exists(erased)
    [event] = await emitted(api, CandidateErased.TYPE)
    assert set(event) == {"candidate_id", "actor_id"}  # ids only
    gone = await api.client.get(f"/api/v1/candidates/{me}", headers=api.auth(A))
    assert gone.status_code == 404
    resumes = (await api.client.get(f"/api/v1/candidates/{me}/resumes",
                                    headers=api.auth(A))).json()
    assert resumes["items"] == []
    application = (await api.client.get(f"/api/v1/applications/{w.applications[0]}",
                                        headers=api.auth(A))).json()
    assert application["has_evidence"] is False
    assert len(await audited(api, "candidate.erase")) == 1
    # The other candidate keeps everything.
    assert await api.blobs.get(f"resumes/{w.candidates[1]}/{w.resumes[1]}.txt") != b""
    assert await api.blobs.exists(f"evidence/{w.applications[1]}/manifest.json")


async def test_sources_runs_alerts_and_blocks_are_projected(api: Api) -> None:
    w = await seed(api)
    await api.project(ScrapeAnomalyDetected(source=w.source, run_id=w.run_id, kind="zero_jobs",
                                            detail="no postings", expected=12.0, observed=0))
    await api.project(SourceBlocked(source=w.source, portal="greenhouse", run_id=w.run_id,
                                    reason="HTTP 403 from the board", kind="forbidden"))
    source = (await api.client.get(f"/api/v1/sources/{w.source}",
                                   headers=api.auth(Role.OPERATOR))).json()
    assert (source["runs"], source["anomalies"]) == (1, 1)
    assert source["blocked_reason"] == "HTTP 403 from the board"
    runs = (await api.client.get("/api/v1/scrape-runs", params={"source": w.source},
                                 headers=api.auth(Role.OPERATOR))).json()
    [run] = runs["items"]
    assert (run["seen"], run["complete"]) == (2, True)
    assert run["alerts"] == [{"kind": "zero_jobs", "detail": "no postings", "expected": 12.0,
                              "observed": 0}]


async def test_match_decisions_and_reviewer_states_follow_the_events(api: Api) -> None:
    w = await seed(api)
    match_id = uuid.uuid4()
    common = {"match_id": match_id, "candidate_id": w.candidates[0], "job_id": w.jobs[1]}
    await api.project(MatchScored(**common, score=31.5, resume_version_id=w.resumes[0],
                                  explanation=["sql: missing"]))
    await api.project(MatchRejected(**common, score=31.5))
    match = (await api.client.get(f"/api/v1/matches/{match_id}", headers=api.auth(A))).json()
    assert (match["decision"], match["score"], match["explanation"]) == (
        "rejected", 31.5, ["sql: missing"])
    await api.project(ReviewerPresenceChanged(reviewer_id=w.reviewers[0], status="available"))
    await api.project(ReviewerUnlocked(reviewer_id=w.reviewers[1], admin_id="root",
                                       reason="talked"))
    locked = (await api.client.get("/api/v1/reviewers", params={"locked": "true"},
                                   headers=api.auth(A))).json()
    assert locked["items"] == []
    me = (await api.client.get(f"/api/v1/reviewers/{w.reviewers[0]}",
                               headers=api.auth(Role.REVIEWER))).json()
    assert (me["presence"], me["strikes"]) == ("available", 1)


async def stored_matches(api: Api) -> dict[uuid.UUID, tuple[str, float, list[str]]]:
    """Every match row: (decision, score, explanation) by match id."""
    m = t.matches.c
    async with api.uow.engine.connect() as conn:
        rows = await conn.execute(sa.select(m.match_id, m.decision, m.score, m.explanation))
        return {row.match_id: (row.decision, row.score, list(row.explanation)) for row in rows}


def scored_pair(candidate_id: uuid.UUID, decision: str, score: float, *,
                match_id: uuid.UUID | None = None, acted: bool = True) -> ScoredPair:
    return ScoredPair(match_id=match_id or uuid.uuid4(), candidate_id=candidate_id,
                      job_id=uuid.uuid4(), resume_version_id=uuid.uuid4(), score=score,
                      decision=decision, acted=acted, explanation=[f"{decision}: {score:g}"])


def approved(pair: ScoredPair) -> ApplicationApproved:
    return ApplicationApproved(match_id=pair.match_id, candidate_id=pair.candidate_id,
                               job_id=pair.job_id, score=pair.score, company="Acme",
                               resume_version_id=pair.resume_version_id,
                               apply_url="https://example.com/apply")


async def test_a_scored_batch_upserts_its_pairs_as_the_per_pair_events_did(api: Api) -> None:
    w = await seed(api)
    me, erased_one, stranger = w.candidates[0], w.candidates[1], uuid.uuid4()
    await api.client.delete(f"/api/v1/candidates/{erased_one}", headers=api.auth(A))
    approved_first = scored_pair(me, "apply", 91)
    approved_later = scored_pair(me, "apply", 88)
    review = scored_pair(me, "review", 66)
    rejected = scored_pair(me, "reject", 12)
    repeated = scored_pair(me, "reject", 14, acted=False)  # an earlier version already acted
    demoting = scored_pair(me, "reject", 30, match_id=w.matches[0])  # seeded as "review"
    unknown = scored_pair(stranger, "reject", 9)
    gone = scored_pair(erased_one, "apply", 97)
    # The approval and the batch travel on different partitions: either may come first.
    await api.project(approved(approved_first))
    batch = MatchesScored(batch_id=uuid.uuid4(), pairs=[
        approved_first, approved_later, review, rejected, repeated, demoting, unknown, gone])
    envelope = await api.project(batch)
    await api.project(approved(approved_later))
    await api.project(ManualReviewRequired(
        match_id=review.match_id, candidate_id=me, job_id=review.job_id, score=review.score,
        resume_version_id=review.resume_version_id, apply_url="https://example.com/apply",
        explanation=review.explanation))

    expected = {
        approved_first.match_id: ("approved", 91, ["apply: 91"]),
        approved_later.match_id: ("approved", 88, ["apply: 88"]),
        review.match_id: ("review", 66, ["review: 66"]),
        rejected.match_id: ("rejected", 12, ["reject: 12"]),
        repeated.match_id: ("scored", 14, ["reject: 14"]),  # as MatchScored alone left it
        demoting.match_id: ("review", 30, ["reject: 30"]),  # a decision is never demoted
        unknown.match_id: ("rejected", 9, ["reject: 9"]),  # a new candidate is recorded
    }
    rows = await stored_matches(api)
    assert {k: rows.get(k) for k in expected} == expected
    assert gone.match_id not in rows, "an erased candidate's pair is dropped"
    me_too = (await api.client.get(f"/api/v1/matches/{unknown.match_id}",
                                   headers=api.auth(Role.CANDIDATE, stranger))).json()
    assert me_too["decision"] == "rejected"

    # The same delivery again is turned away; the batch re-sent as a new event changes nothing.
    assert not await api.deliver(envelope)
    await api.project(batch)
    assert await stored_matches(api) == rows


async def test_an_erased_candidates_late_events_are_dropped(api: Api) -> None:
    w = await seed(api)
    me = w.candidates[0]
    await api.client.delete(f"/api/v1/candidates/{me}", headers=api.auth(A))
    late = uuid.uuid4()
    await api.project(ResumeVersionCreated(candidate_id=me, resume_version_id=late,
                                           blob_key="resumes/late", content_sha256="0" * 64))
    response = await api.client.get(f"/api/v1/resumes/{late}", headers=api.auth(A))
    assert response.status_code == 404


async def test_an_edited_reopened_job_and_its_open_task_read_as_they_are_now(api: Api) -> None:
    w = await seed(api)
    job_id = w.jobs[0]
    await api.project(JobExpired(job_id=job_id, expired_at=api.clock.now()))
    await api.project(JobUpdated(
        job_id=job_id, revision=1, company="Acme", title="Staff Python Developer",
        description="Python and Rust services", apply_url="https://example.com/b",
        changed=["title", "description", "apply_url"]))
    await api.project(JobReopened(job_id=job_id, reopened_at=api.clock.now(),
                                  source_job_key="greenhouse:1"))
    lines = ["title: Python Developer \u2192 Staff Python Developer"]
    await api.project(ReviewTaskJobChanged(
        task_id=w.tasks[0], job_id=job_id, job_title="Staff Python Developer",
        apply_url="https://example.com/b", job_changes=lines))

    found = (await api.client.get("/api/v1/jobs", params={"q": "rust"},
                                  headers=api.auth(A))).json()
    assert [(j["job_id"], j["title"]) for j in found["items"]] == [
        (str(job_id), "Staff Python Developer")]
    task = (await api.client.get(f"/api/v1/review-tasks/{w.tasks[0]}",
                                 headers=api.auth(A))).json()
    assert (task["job_title"], task["job_changes"]) == ("Staff Python Developer", lines)

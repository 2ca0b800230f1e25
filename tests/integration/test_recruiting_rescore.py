"""Re-scoring an employer job's candidates: `POST /api/v1/match/run`, one task at a time per
job, followed to its end by the ATS engine's progress; a re-score of every open job when the
weights version changes, and nightly (`jams recruiting rescore-nightly`), once per job."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from infra.auth import Role
from schemas.events.matching import MatchesScored
from schemas.events.rescoring import RescoreProgressed, RescoreRequested, ScoringWeightsChanged
from services.cli import app as jams
from services.recruiting.tables import audit_log, rescore_tasks
from tests.integration.recruiting_support import Recruiting, recruiting, scored

pytestmark = pytest.mark.integration
__all__ = ["recruiting"]  # the fixture


async def run(api: Recruiting, job_id: uuid.UUID | str, role: Role = Role.RECRUITER,
              priority: str = "normal") -> httpx.Response:
    return await api.client.post("/api/v1/match/run", headers=api.auth(role),
                                 json={"job_id": str(job_id), "priority": priority})


async def task(api: Recruiting, task_id: str, role: Role = Role.HIRING_MANAGER,
               ) -> dict[str, Any]:
    got = await api.client.get(f"/api/v1/match/run/{task_id}", headers=api.auth(role))
    assert got.status_code == 200, got.text
    body: dict[str, Any] = got.json()
    return body


async def tasks_in_db(api: Recruiting) -> list[dict[str, Any]]:
    async with api.uow.engine.connect() as conn:
        return [dict(r) for r in (await conn.execute(
            sa.select(rescore_tasks).order_by(rescore_tasks.c.requested_at))).mappings()]


async def progress(api: Recruiting, task_id: str, job_id: uuid.UUID, status: str,
                   **more: Any) -> None:
    await api.deliver(RescoreProgressed(task_id=uuid.UUID(task_id), job_id=job_id,
                                        status=status, at=api.clock.now(), **more))


async def test_a_run_is_asked_of_the_engine_and_followed_to_done(recruiting: Recruiting) -> None:
    api = recruiting
    company = api.companies[0]
    job = company.published_job
    asked = await run(api, job, priority="high")
    assert asked.status_code == 202, asked.text
    assert asked.json()["status"] == "queued"
    task_id = asked.json()["task_id"]
    [request] = await api.emitted(RescoreRequested)
    assert (request["task_id"], request["job_id"], request["priority"], request["reason"]) == (
        task_id, str(job), "high", "request")
    first = await task(api, task_id)
    assert (first["status"], first["job_id"], first["finished_at"]) == ("queued", str(job), None)

    await progress(api, task_id, job, "running")
    assert (await task(api, task_id))["status"] == "running"
    # The engine's new scores, under the new weights version, then its word that it is done.
    best, second = company.candidates
    await api.deliver(MatchesScored(batch_id=uuid.uuid4(), pairs=[
        scored(job, best, 40.0).model_copy(update={"weights_version": "v2"}),
        scored(job, second, 70.0).model_copy(update={"weights_version": "v2"})]))
    await progress(api, task_id, job, "done", pairs=2, weights_version="v2")
    done = await task(api, task_id)
    assert (done["status"], done["pairs"], done["weights_version"]) == ("done", 2, "v2")
    assert done["finished_at"] is not None
    listed = await api.client.get(f"/api/v1/jobs/{job}/candidates",
                                  headers=api.auth(Role.RECRUITER))
    assert [(c["candidate_id"], c["score"], c["weights_version"])
            for c in listed.json()["items"]] == [(str(second), 70.0, "v2"),
                                                 (str(best), 40.0, "v2")]
    # A late `running` does not undo `done`; the job may be run again.
    await progress(api, task_id, job, "running")
    assert (await task(api, task_id))["status"] == "done"
    again = await run(api, job)
    assert again.status_code == 202, again.text
    async with api.uow.engine.connect() as conn:
        audited = (await conn.execute(sa.select(audit_log.c.action, audit_log.c.details).where(
            audit_log.c.action == "job.rescore_requested"))).all()
    assert [d["task_id"] for _, d in audited] == [task_id, again.json()["task_id"]]


async def test_a_second_run_while_one_is_queued_or_running_is_refused_with_its_task(
        recruiting: Recruiting) -> None:
    api = recruiting
    job = api.companies[0].published_job
    first = (await run(api, job)).json()["task_id"]
    for status in ("queued", "running"):
        if status == "running":
            await progress(api, first, job, "running")
        refused = await run(api, job, role=Role.COMPANY_ADMIN, priority="high")
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert (error["code"], error["details"]) == ("ERR_TASK_QUEUED", {"task_id": first})
    await progress(api, first, job, "failed", error="scoring failed")
    assert (await task(api, first))["status"] == "failed"
    assert (await run(api, job)).status_code == 202
    assert len(await api.emitted(RescoreRequested)) == 2


async def test_two_runs_at_once_give_one_task_and_one_409(recruiting: Recruiting) -> None:
    """Both requests find no task and insert; PostgreSQL's unique index on the job's active
    task lets one commit and turns the other into a 409 naming it."""
    api = recruiting
    job = api.companies[0].published_job
    for _ in range(5):
        answers = await asyncio.gather(run(api, job), run(api, job, role=Role.HIRING_MANAGER))
        assert sorted(a.status_code for a in answers) == [202, 409], [a.text for a in answers]
        accepted = next(a for a in answers if a.status_code == 202).json()["task_id"]
        refused = next(a for a in answers if a.status_code == 409).json()["error"]
        assert refused["details"] == {"task_id": accepted}
        await progress(api, accepted, job, "done", pairs=2, weights_version="v1")
    rows = await tasks_in_db(api)
    assert len(rows) == 5 and {r["status"] for r in rows} == {"done"}
    assert len(await api.emitted(RescoreRequested)) == 5


@pytest.mark.parametrize("body", [
    {}, {"priority": "high"}, {"job_id": "not-a-uuid"}, {"job_id": None},
    {"job_id": "{job}", "priority": "urgent"}, {"job_id": "{job}", "priority": 1},
])
async def test_bad_input_is_422_and_changes_nothing(recruiting: Recruiting,
                                                     body: dict[str, Any]) -> None:
    api = recruiting
    job = str(api.companies[0].published_job)
    sent = {k: (job if v == "{job}" else v) for k, v in body.items()}
    answer = await api.client.post("/api/v1/match/run", json=sent,
                                   headers=api.auth(Role.RECRUITER))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "ERR_VALIDATION"
    assert await tasks_in_db(api) == []
    assert await api.emitted(RescoreRequested) == []
    for bad in ("not-a-uuid", "1"):
        got = await api.client.get(f"/api/v1/match/run/{bad}", headers=api.auth(Role.RECRUITER))
        assert got.status_code == 422, got.text


def _error(response: httpx.Response) -> dict[str, Any]:
    """The error without its request's id."""
    return {k: v for k, v in response.json()["error"].items() if k != "request_id"}


async def test_only_a_published_job_is_run_and_another_companys_is_a_missing_one(
        recruiting: Recruiting) -> None:
    api = recruiting
    mine, theirs = api.companies
    draft = await run(api, mine.draft_job)
    assert (draft.status_code, draft.json()["error"]["code"]) == (409, "ERR_CONFLICT")
    answers = [_error(await run(api, job)) for job in (theirs.published_job, uuid.uuid4())]
    assert answers[0] == answers[1] and answers[0]["code"] == "ERR_NOT_FOUND"
    theirs_task = (await api.client.post(
        "/api/v1/match/run", headers=api.auth(Role.RECRUITER, theirs),
        json={"job_id": str(theirs.published_job)})).json()["task_id"]
    looks = [await api.client.get(f"/api/v1/match/run/{t}", headers=api.auth(Role.RECRUITER))
             for t in (theirs_task, uuid.uuid4())]
    assert [r.status_code for r in looks] == [404, 404]
    assert _error(looks[0]) == _error(looks[1])
    assert [r["job_id"] for r in await tasks_in_db(api)] == [theirs.published_job]


async def test_a_new_weights_version_asks_a_rescore_of_every_open_job_once(
        recruiting: Recruiting) -> None:
    api = recruiting
    mine, theirs = api.companies

    async def tasks() -> set[tuple[uuid.UUID, str, str]]:
        return {(r["job_id"], r["reason"], r["status"]) for r in await tasks_in_db(api)}

    async def task_of(job: uuid.UUID, reason: str, status: str) -> str:
        [row] = [r for r in await tasks_in_db(api)
                 if (r["job_id"], r["reason"], r["status"]) == (job, reason, status)]
        return str(row["task_id"])

    busy = (await run(api, mine.published_job)).json()["task_id"]
    changed = ScoringWeightsChanged(version="v2", previous="v1", changed_at=api.clock.now())
    await api.deliver(changed)
    await api.deliver(changed)  # redelivered under another envelope: nothing more
    # Mine already had one queued, which the engine runs with the weights current then.
    assert await tasks() == {(mine.published_job, "request", "queued"),
                             (theirs.published_job, "weights", "queued")}
    await progress(api, busy, mine.published_job, "done", pairs=2, weights_version="v2")
    api.clock.advance(60)
    await api.deliver(ScoringWeightsChanged(version="v3", previous="v2",
                                            changed_at=api.clock.now()))
    assert await tasks() == {(mine.published_job, "request", "done"),
                             (theirs.published_job, "weights", "queued"),
                             (mine.published_job, "weights", "queued")}, "theirs is active"
    # Theirs was claimed by the engine before it took v3: it ends scored with v2, and the
    # job is asked again; mine ends with v3 and nothing follows.
    await progress(api, await task_of(theirs.published_job, "weights", "queued"),
                   theirs.published_job, "done", pairs=2, weights_version="v2")
    await progress(api, await task_of(mine.published_job, "weights", "queued"),
                   mine.published_job, "done", pairs=2, weights_version="v3")
    assert await tasks() == {(mine.published_job, "request", "done"),
                             (theirs.published_job, "weights", "done"),
                             (mine.published_job, "weights", "done"),
                             (theirs.published_job, "weights", "queued")}
    requested = await api.emitted(RescoreRequested)
    assert [r["reason"] for r in requested] == ["request", "weights", "weights", "weights"]


async def test_the_nightly_command_asks_once_per_job_and_day(
        recruiting: Recruiting, database_url: str) -> None:
    """`jams recruiting rescore-nightly` as the CronJob runs it: a second run the same day,
    after the first's tasks are done, asks nothing more."""
    api = recruiting

    def nightly() -> str:
        result = CliRunner().invoke(jams, ["recruiting", "rescore-nightly"],
                                    env={"JAMS_DATABASE_URL": database_url})
        assert result.exit_code == 0, result.output
        return result.output

    assert "asked a re-score of 2 open job(s)" in await asyncio.to_thread(nightly)
    rows = await tasks_in_db(api)
    assert sorted(r["job_id"] for r in rows) == sorted(c.published_job for c in api.companies)
    assert {(r["reason"], r["once_key"]) for r in rows} == {
        ("nightly", f"nightly:{datetime.now(UTC).date().isoformat()}")}
    for row in rows:
        await progress(api, str(row["task_id"]), row["job_id"], "done", pairs=2)
    assert "asked a re-score of 0 open job(s)" in await asyncio.to_thread(nightly)
    assert len(await tasks_in_db(api)) == 2
    assert len(await api.emitted(RescoreRequested)) == 2


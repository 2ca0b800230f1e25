"""The analytics service on real servers: figures from real events (embedded bus and Kafka),
durable across a restart, operators-only API, pushes through Redis to every replica, and the
dead-letter API."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from typer.testing import CliRunner
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from infra.auth import Role, mint_access_token
from infra.bus import codec
from infra.bus.port import OutboundRecord
from infra.runtime import Platform, open_platform, run_services
from schemas.events.applications import ApplicationFailed, ApplicationSubmitted
from schemas.events.discovery import SourceBlocked
from schemas.events.envelope import Envelope, EventData
from schemas.events.jobs import JobDiscovered, JobPublished, ScrapeRunCompleted
from schemas.events.matching import (
    ApplicationApproved,
    ManualReviewRequired,
    MatchesScored,
    ScoredPair,
)
from schemas.events.review import (
    ReviewerPresenceChanged,
    ReviewerStruck,
    ReviewTaskAssigned,
    ReviewTaskCreated,
    ReviewTaskMissed,
    ReviewTaskOffered,
    TaskCompleted,
)
from schemas.events.topics import dead_letter_topic
from services.analytics.app import build
from services.analytics.settings import AnalyticsSettings
from services.analytics.tables import analytics_replays
from services.cli import app as cli_app

pytestmark = pytest.mark.integration

SECRET = SecretStr("analytics-test-secret-0123456789")
OPERATOR, ADMIN, REVIEWER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
WAIT_S = 60.0


def token(user: uuid.UUID, role: Role) -> str:
    return mint_access_token(SECRET, user, role)


def bearer(role: Role = Role.OPERATOR, user: uuid.UUID = OPERATOR) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(user, role)}"}


def analytics_settings(bus: str, database_url: str, redis_url: str, tmp_path: Path,
                       **extra: Any) -> AnalyticsSettings:
    namespace = f"an{uuid.uuid4().hex[:10]}"
    values: dict[str, Any] = {
        "bus": bus, "bus_namespace": namespace, "analytics_namespace": namespace,
        "database_url": database_url, "redis_url": redis_url, "mongo_url": None,
        "blob_dir": tmp_path / "blobs", "data_dir": tmp_path, "jwt_secret": SECRET,
        "push_debounce_s": 0.05, "tick_interval_s": 0.5, "dlq_poll_interval_s": 0.5,
        "shutdown_grace_s": 5, **extra,
    }
    return AnalyticsSettings(**values)


@dataclass
class Running:
    platform: Platform
    base: str

    async def publish(self, data: EventData, at: datetime | None = None,
                      event_id: uuid.UUID | None = None) -> Envelope:
        envelope = Envelope.wrap(data, source="jams/test", time=at or datetime.now(UTC),
                                 event_id=event_id)
        await self.platform.bus.publish(envelope)
        return envelope

    async def get(self, path: str, role: Role = Role.OPERATOR, **params: Any) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as client:
            return await client.get(path, params=params, headers=bearer(role))

    async def summary(self) -> dict[str, Any]:
        response = await self.get("/api/v1/analytics/summary")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def until(self, condition: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        async with asyncio.timeout(WAIT_S):
            while not condition(summary := await self.summary()):
                await asyncio.sleep(0.1)
        return summary


@asynccontextmanager
async def running(settings: AnalyticsSettings) -> AsyncIterator[Running]:
    async with open_platform(settings) as platform:
        stop = asyncio.Event()
        bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        runner = asyncio.create_task(run_services(platform, [build(platform, settings)], stop,
                                                  port=0, on_listening=bound.set_result))
        try:
            port = await asyncio.wait_for(bound, WAIT_S)
            yield Running(platform, f"http://127.0.0.1:{port}")
        finally:
            stop.set()
            await asyncio.wait_for(runner, WAIT_S)
            keys = [k async for k in platform.redis.scan_iter(
                match=f"{settings.analytics_namespace}:*")]
            if keys:
                await platform.redis.delete(*keys)


def job_found(source: str, n: int) -> JobDiscovered:
    return JobDiscovered(
        source_job_key=f"{source}:{n}", source=source, external_id=str(n), company="Acme",
        title=f"Engineer {n}", apply_url="https://jobs.example/apply", raw_document_id=f"d{n}")


def job_published(n: int) -> JobPublished:
    return JobPublished(job_id=uuid.uuid4(), company="Acme", title=f"Engineer {n}",
                        apply_url="https://jobs.example/apply", sources=[f"s:{n}"])


def match(kind: type[EventData], score: float) -> EventData:
    ids: dict[str, Any] = {"match_id": uuid.uuid4(), "candidate_id": uuid.uuid4(),
                           "job_id": uuid.uuid4(), "score": score}
    extra = {"resume_version_id": uuid.uuid4(), "apply_url": "https://jobs.example/apply"}
    return kind(**ids, **extra)


def scored(*decisions: tuple[str, float, bool]) -> MatchesScored:
    """A scoring step's batch: (decision, score, acted) per pair."""
    return MatchesScored(batch_id=uuid.uuid4(), pairs=[ScoredPair(
        match_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(),
        resume_version_id=uuid.uuid4(), score=score, decision=decision, acted=acted)
        for decision, score, acted in decisions])


PUBLISHED = 22  # events publish_a_day_of_work sends


async def publish_a_day_of_work(system: Running, now: datetime) -> uuid.UUID:
    """Jobs, decisions, two review tasks (one done in 120 s, one missed), applications."""
    for n in range(3):
        await system.publish(job_found("greenhouse:acme" if n < 2 else "lever:globex", n))
    for n in range(2):
        await system.publish(job_published(n))
    await system.publish(ScrapeRunCompleted(source="greenhouse:acme", run_id="run-1",
                                            seen_source_job_keys=["a", "b"], complete=True,
                                            errors=["http 500: page 3"]))
    await system.publish(SourceBlocked(source="lever:globex", portal="lever", run_id="run-2",
                                       reason="blocked", kind="captcha", status=403))
    # As the ATS engine decides: one batch with every pair (a rejection that did not act
    # repeats an earlier decision), then the approval and reviews on their own.
    batch = await system.publish(scored(("apply", 95, True), ("review", 70, True),
                                        ("review", 60, True), ("reject", 20, True),
                                        ("reject", 15, False)))
    await system.platform.bus.publish(batch)  # delivered twice, counted once
    await system.publish(match(ApplicationApproved, 95))
    await system.publish(match(ManualReviewRequired, 70))
    await system.publish(match(ManualReviewRequired, 60))
    done, missed, reviewer, slow = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    ids: dict[str, Any] = {"match_id": uuid.uuid4(), "candidate_id": uuid.uuid4(),
                           "job_id": uuid.uuid4()}
    created = now - timedelta(seconds=300)
    for task in (done, missed):
        await system.publish(ReviewTaskCreated(task_id=task, score=70, **ids), at=created)
    await system.publish(ReviewTaskOffered(task_id=done, reviewer_id=reviewer,
                                           offer_expires_at=now, **ids), at=created)
    await system.publish(ReviewTaskAssigned(task_id=done, reviewer_id=reviewer, due_at=now,
                                            **ids), at=created + timedelta(seconds=10))
    await system.publish(TaskCompleted(task_id=done, reviewer_id=reviewer,
                                       resume_version_id=uuid.uuid4(),
                                       apply_url="https://jobs.example/apply", **ids),
                         at=created + timedelta(seconds=120))
    await system.publish(ReviewTaskAssigned(task_id=missed, reviewer_id=slow, due_at=now,
                                            **ids), at=created)
    await system.publish(ReviewTaskMissed(task_id=missed, reviewer_id=slow))
    await system.publish(ReviewerStruck(reviewer_id=slow, task_id=missed, strikes=1))
    await system.publish(ReviewerPresenceChanged(reviewer_id=reviewer, status="available"))
    await system.publish(ApplicationSubmitted(application_id=uuid.uuid4(),
                                              candidate_id=uuid.uuid4(), job_id=uuid.uuid4(),
                                              resume_version_id=uuid.uuid4()))
    await system.publish(ApplicationFailed(application_id=uuid.uuid4(),
                                           candidate_id=uuid.uuid4(), job_id=uuid.uuid4(),
                                           reason="portal closed"))
    return slow


@pytest.mark.parametrize("bus", ["embedded", pytest.param("kafka", marks=pytest.mark.kafka)])
async def test_figures_from_real_events_are_counted_once_and_survive_a_restart(
    bus: str, request: pytest.FixtureRequest, database_url: str, redis_url: str,
    tmp_path: Path,
) -> None:
    extra = {"kafka_bootstrap": request.getfixturevalue("kafka_bootstrap")} \
        if bus == "kafka" else {}
    settings = analytics_settings(bus, database_url, redis_url, tmp_path, **extra)
    async with running(settings) as system:
        now = datetime.now(UTC)
        slow = await publish_a_day_of_work(system, now)
        # The same event delivered twice (a producer retry, a replay) counts once.
        duplicate = await system.publish(job_found("lever:globex", 9))
        await system.platform.bus.publish(duplicate)
        # Topics and partitions are read at their own pace: wait for every event.
        figures = await system.until(lambda s: s["events"] >= PUBLISHED + 1)
        # The batch counts each pair it scored and each rejection that acted.
        scored_pairs, rejections = [
            sum(p["v"] for p in (await system.get("/api/v1/analytics/series", metric=metric,
                                                  window="15m")).json()["points"])
            for metric in ("matches_scored", "decisions_reject")]

    assert figures["events"] == PUBLISHED + 1, "the duplicate is not counted"

    assert figures["jobs_found"] == 4
    assert figures["jobs_published"] == 2
    assert figures["jobs_deduplicated"] == 2
    assert figures["jobs_found_per_minute"] == pytest.approx(4 / 5)
    assert figures["active_scrapers"] == 2
    assert figures["pending_reviews"] == 1, "the missed task went back to the queue"
    assert figures["review_time_median_s"] == pytest.approx(120)
    assert figures["review_time_p95_s"] == pytest.approx(120)
    assert (figures["sla_misses"], figures["strikes"]) == (1, 1)
    decisions = figures["decisions"]
    assert (decisions["auto"], decisions["review"], decisions["reject"]) == (1, 2, 1)
    assert decisions["auto_apply_rate"] == 0.25
    assert decisions["manual_review_rate"] == 0.5
    assert (scored_pairs, rejections) == (5, 1)
    assert figures["applications_today"] == {"submitted": 1, "failed": 1}
    health = {s["source"]: s for s in figures["sources"]}
    assert health["greenhouse:acme"]["health"] == "failing"  # its last run had an error
    assert health["greenhouse:acme"]["last_run_errors"] == 1
    assert health["lever:globex"]["health"] == "blocked"
    assert health["lever:globex"]["last_blocked_reason"] == "blocked"
    load = {r["reviewer_id"]: r for r in figures["reviewers"]}
    assert load[str(slow)]["missed"] == 1 and load[str(slow)]["strikes"] == 1
    assert all(r["load"] == 0 for r in figures["reviewers"])

    # A new process on the same database: the figures are still there, nothing re-counted.
    async with running(settings) as again:
        await asyncio.sleep(1.0)  # room for a wrong re-count to show
        after = await again.summary()
        series = (await again.get("/api/v1/analytics/series", metric="jobs_found",
                                  window="15m")).json()
        daily = (await again.get("/api/v1/analytics/series", metric="applications_submitted",
                                 window="30d")).json()
        review = (await again.get("/api/v1/analytics/series", metric="review_time_p95",
                                  window="24h")).json()
        deduped = (await again.get("/api/v1/analytics/series", metric="jobs_deduplicated",
                                   window="6h")).json()
    assert after["events"] == PUBLISHED + 1
    assert after["jobs_found"] == 4 and after["pending_reviews"] == 1
    assert series["step_s"] == 60 and len(series["points"]) == 15
    assert sum(p["v"] for p in series["points"]) == 4
    assert daily["step_s"] == 86400 and len(daily["points"]) == 30
    assert daily["points"][-1]["v"] == 1, "today's application"
    assert daily["points"][-1]["t"].startswith(datetime.now(UTC).date().isoformat())
    assert [p["v"] for p in review["points"] if p["v"] is not None] == [pytest.approx(120)]
    # Per bucket finds minus publications (a publication may land a bucket after its finds).
    assert sum(p["v"] for p in deduped["points"]) >= 2
    assert deduped["step_s"] == 300 and len(deduped["points"]) == 72


async def test_only_operators_and_admins_read_the_figures(
    database_url: str, redis_url: str, tmp_path: Path,
) -> None:
    settings = analytics_settings("embedded", database_url, redis_url, tmp_path)
    async with running(settings) as system, \
            httpx.AsyncClient(base_url=system.base, timeout=30) as client:
        anonymous = await client.get("/api/v1/analytics/summary")
        assert anonymous.status_code == 401
        error = anonymous.json()["error"]
        assert error["code"] == "ERR_AUTH_REQUIRED" and error["request_id"]
        assert anonymous.headers["x-request-id"] == error["request_id"]
        tampered = token(OPERATOR, Role.OPERATOR)[:-3] + "abc"
        refused = await client.get("/api/v1/analytics/summary",
                                   headers={"Authorization": f"Bearer {tampered}"})
        assert refused.status_code == 401
        for role in (Role.REVIEWER, Role.CANDIDATE, Role.SUPERVISOR):
            forbidden = await system.get("/api/v1/analytics/summary", role)
            assert forbidden.status_code == 403, role
            assert forbidden.json()["error"]["code"] == "ERR_FORBIDDEN"
            assert (await system.get("/api/v1/dead-letters", role)).status_code == 403
        assert (await system.get("/api/v1/analytics/summary", Role.ADMIN)).status_code == 200

        bad = await system.get("/api/v1/analytics/series", metric="nope", window="1h")
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "ERR_VALIDATION"
        assert "jobs_found" in bad.json()["error"]["details"]["metrics"]
        assert (await system.get("/api/v1/analytics/series", metric="jobs_found",
                                 window="9y")).status_code == 422

        page = await client.get("/operators")
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=/operators"
        cookie = {"Cookie": f"jams_access={token(REVIEWER, Role.REVIEWER)}"}
        assert (await client.get("/operators", headers=cookie)).status_code == 403
        cookie = {"Cookie": f"jams_access={token(OPERATOR, Role.OPERATOR)}"}
        shown = await client.get("/operators", headers=cookie)
        assert shown.status_code == 200 and "Dead letters" in shown.text
        script = await client.get("/operators/operators.js")
        assert script.status_code == 200 and "/ws/analytics" in script.text


async def test_pushes_reach_the_sockets_of_every_replica(
    database_url: str, redis_url: str, tmp_path: Path,
) -> None:
    settings = analytics_settings("embedded", database_url, redis_url, tmp_path)
    async with running(settings) as first, running(settings) as second:
        with pytest.raises(ConnectionClosed) as refused:
            async with connect(url(first)) as anonymous:
                await anonymous.recv()
        assert refused.value.rcvd is not None and refused.value.rcvd.code == 4401
        with pytest.raises(ConnectionClosed) as forbidden:
            async with connect(url(first), additional_headers=bearer(Role.REVIEWER)) as socket:
                await socket.recv()
        assert forbidden.value.rcvd is not None and forbidden.value.rcvd.code == 4403
        with pytest.raises(ConnectionClosed) as cross_site:
            async with connect(url(first), origin=Origin("http://evil.example"),
                               additional_headers=bearer()) as socket:
                await socket.recv()
        assert cross_site.value.rcvd is not None and cross_site.value.rcvd.code == 4403

        async with connect(url(first), additional_headers=bearer()) as on_first, \
                connect(url(second), additional_headers=bearer(Role.ADMIN, ADMIN)) as on_second:
            for socket in (on_first, on_second):  # the figures now, on connecting
                hello = json.loads(await asyncio.wait_for(socket.recv(), WAIT_S))
                assert hello["type"] == "summary" and hello["summary"]["jobs_found"] == 0
            for n in range(5):
                await first.publish(job_found("greenhouse:acme", n))
            for socket in (on_first, on_second):
                async with asyncio.timeout(WAIT_S):
                    while True:
                        pushed = json.loads(await socket.recv())
                        if pushed["summary"]["jobs_found"] == 5:
                            break


def url(system: Running) -> str:
    return system.base.replace("http", "ws", 1) + "/ws/analytics"


def jobs_raw_row(summary: dict[str, Any]) -> tuple[int, int, int]:
    """(held, replayed, waiting) of jobs.raw's dead letters in a summary."""
    row = next(d for d in summary["dead_letters"] if d["topic"] == "jobs.raw")
    return row["size"], row["replayed"], row["waiting"]


def settings_env(settings: AnalyticsSettings) -> dict[str, str]:
    """The environment that points `jams` at the same bus."""
    return {"JAMS_BUS": settings.bus, "JAMS_BUS_NAMESPACE": settings.bus_namespace,
            "JAMS_DATABASE_URL": settings.database_url, "JAMS_REDIS_URL": settings.redis_url}


def dead_letter(data: EventData, reason: str) -> OutboundRecord:
    """A record as the bus dead-letters it: the event plus why it failed, in headers."""
    record = codec.encode(Envelope.wrap(data, source="jams/test", time=datetime.now(UTC)))
    headers = (*record.headers, ("dlq_original_topic", record.topic.encode()),
               ("dlq_original_partition", b"0"), ("dlq_original_offset", b"7"),
               ("dlq_consumer_group", b"jams.somebody"), ("dlq_reason", reason.encode()),
               ("dlq_exception", b"RuntimeError('boom')"), ("dlq_attempts", b"5"),
               ("dlq_failed_at", datetime.now(UTC).isoformat().encode()))
    return OutboundRecord(dead_letter_topic(record.topic), record.key, record.value, headers)


async def test_dead_letters_are_listed_paged_and_replayed_once_with_an_audit_row(
    database_url: str, redis_url: str, tmp_path: Path,
) -> None:
    settings = analytics_settings("embedded", database_url, redis_url, tmp_path)
    async with running(settings) as system, \
            httpx.AsyncClient(base_url=system.base, timeout=60) as client:
        letters = [dead_letter(job_found("greenhouse:acme", n), f"failed {n}") for n in range(3)]
        await system.platform.bus.transport.send(letters)

        topics = (await system.get("/api/v1/dead-letters")).json()["items"]
        jobs_raw = next(t for t in topics if t["topic"] == "jobs.raw")
        assert (jobs_raw["size"], jobs_raw["waiting"]) == (3, 3)
        assert jobs_raw["dead_letter_topic"] == "jobs.raw.dlq"
        assert all(t["size"] == 0 for t in topics if t["topic"] != "jobs.raw")

        first = (await system.get("/api/v1/dead-letters/jobs.raw", limit=2)).json()
        assert first["total"] == 3 and len(first["items"]) == 2 and first["next_cursor"]
        rest = (await system.get("/api/v1/dead-letters/jobs.raw.dlq", limit=2,
                                 cursor=first["next_cursor"])).json()
        assert len(rest["items"]) == 1 and rest["next_cursor"] is None
        seen = [i["reason"] for i in first["items"] + rest["items"]]
        assert sorted(seen) == ["failed 0", "failed 1", "failed 2"]
        assert rest["items"][0]["event_type"] == JobDiscovered.TYPE
        assert rest["items"][0]["attempts"] == 5
        bad_cursor = await system.get("/api/v1/dead-letters/jobs.raw", cursor="!!!")
        assert bad_cursor.status_code == 422
        unknown = await system.get("/api/v1/dead-letters/no.such.topic")
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "ERR_NOT_FOUND"

        url = "/api/v1/dead-letters/jobs.raw/replay"
        assert (await client.post(url, headers=bearer(Role.REVIEWER, REVIEWER))).status_code \
            == 403
        lock = f"{settings.analytics_namespace}:analytics:dlq-replay:jobs.raw"
        await system.platform.redis.set(lock, "someone else", ex=30)
        busy = await client.post(url, headers=bearer())
        assert busy.status_code == 409 and busy.json()["error"]["code"] == "ERR_CONFLICT"
        await system.platform.redis.delete(lock)

        replayed = await client.post(url, headers=bearer())
        assert replayed.status_code == 200, replayed.text
        assert replayed.json()["replayed"] == 3
        # Back on jobs.raw, the letters are consumed (here by analytics itself).
        figures = await system.until(lambda s: s["jobs_found"] == 3)
        assert next(d for d in figures["dead_letters"] if d["topic"] == "jobs.raw")["waiting"] \
            == 0
        again = await client.post(url, headers=bearer(Role.ADMIN, ADMIN))
        assert again.json()["replayed"] == 0, "each dead letter is replayed once"

        # Two more letters, replayed from the command line: counted as replayed all the same.
        await system.platform.bus.transport.send(
            [dead_letter(job_found("greenhouse:acme", n), "failed") for n in (3, 4)])
        assert jobs_raw_row(await system.until(lambda s: s["dead_letters_waiting"] == 2)) == (
            5, 3, 2)
        cli = await asyncio.to_thread(CliRunner().invoke, cli_app, ["dlq", "replay", "jobs.raw"],
                                      env=settings_env(settings))
        assert cli.exit_code == 0, cli.output
        assert "replayed 2 dead letter(s)" in cli.output
        assert jobs_raw_row(await system.until(lambda s: s["dead_letters_waiting"] == 0)) == (
            5, 5, 0)

    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        audit = conn.execute(sa.select(analytics_replays.c.requested_by,
                                       analytics_replays.c.replayed)
                             .order_by(analytics_replays.c.at)).all()
    engine.dispose()
    assert sorted(audit, key=lambda row: row[1]) == [(ADMIN, 0), (OPERATOR, 3)]

"""Real time, real Kafka and PostgreSQL: workflow processes with a short SLA are killed with
SIGKILL and restarted while tasks are held; every timer still fires, every task ends in
exactly one terminal state, and no task is ever held by two reviewers at once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from infra.bus import codec
from infra.bus.port import InboundRecord
from infra.outbox import outbox
from infra.presence import ValkeyPresence
from infra.runtime import Platform, open_platform
from infra.settings import CommonSettings
from schemas.events.envelope import Envelope, EventData
from schemas.events.matching import ManualReviewRequired
from schemas.events.registry import parse_data
from schemas.events.review import (
    AcceptReviewTask,
    CompleteReviewTask,
    ReviewTaskAssigned,
    ReviewTaskHandedBack,
    ReviewTaskMissed,
    ReviewTaskOffered,
    ReviewTaskOfferExpired,
    TaskCompleted,
    TaskRejected,
)
from services.workflow.tables import review_tasks, reviewers

pytestmark = [pytest.mark.integration, pytest.mark.kafka, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class System:
    platform: Platform
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen([sys.executable, "-m", "services.workflow"], cwd=ROOT,
                                   env=self.env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        self.processes.append(process)
        return process

    async def publish(self, data: EventData) -> None:
        await self.platform.bus.publish(Envelope.wrap(data, source="jams/test",
                                                      time=self.platform.clock.now()))

    async def tasks(self) -> list[dict[str, Any]]:
        async with self.platform.engine.connect() as conn:
            return [dict(r._mapping) for r in await conn.execute(sa.select(review_tasks))]

    async def sent_away(self) -> dict[uuid.UUID, datetime]:
        """When the workflow last sent each reviewer away."""
        async with self.platform.engine.connect() as conn:
            rows = await conn.execute(sa.select(reviewers.c.reviewer_id, reviewers.c.sent_away_at)
                                      .where(reviewers.c.sent_away_at.is_not(None)))
            return {reviewer_id: at for reviewer_id, at in rows}

    async def events(self) -> list[EventData]:
        async with self.platform.engine.connect() as conn:
            rows = (await conn.execute(sa.select(outbox).order_by(outbox.c.id))).all()
        return [parse_data(codec.decode(InboundRecord(
            r.topic, 0, r.id, r.key, r.value, tuple((k, v.encode()) for k, v in r.headers))))
            for r in rows]


@asynccontextmanager
async def system(database_url: str, kafka_bootstrap: str, redis_url: str,
                 tmp_path: Path) -> AsyncIterator[System]:
    namespace = f"crash{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ, "JAMS_BUS": "kafka", "JAMS_BUS_NAMESPACE": namespace,
        "JAMS_KAFKA_BOOTSTRAP": kafka_bootstrap, "JAMS_DATABASE_URL": database_url,
        "JAMS_REDIS_URL": redis_url, "JAMS_BLOB_DIR": str(tmp_path), "JAMS_HTTP_PORT": "0",
        "JAMS_PRESENCE_NAMESPACE": namespace, "JAMS_SHORT_SLA_FOR_TESTS": "true",
        "JAMS_REVIEW_SLA_S": "4", "JAMS_WARNING_BEFORE_S": "2", "JAMS_OFFER_WINDOW_S": "2",
        "JAMS_TIMER_POLL_S": "0.1", "JAMS_ASSIGN_SWEEP_S": "0.5", "JAMS_LOG_LEVEL": "WARNING",
    }
    settings = CommonSettings(bus="kafka", bus_namespace=namespace,
                              kafka_bootstrap=kafka_bootstrap, database_url=database_url,
                              redis_url=redis_url, blob_dir=tmp_path, mongo_url=None)
    async with open_platform(settings) as platform:
        running = System(platform, env)
        try:
            yield running
        finally:
            for process in running.processes:
                if process.poll() is None:
                    process.kill()
                process.wait()
            keys = [k async for k in platform.redis.scan_iter(match=f"{namespace}:*")]
            if keys:
                await platform.redis.delete(*keys)


class Crowd:
    """Reviewers who come back when set away, and behave by task: some let the offer lapse,
    some accept and then miss the deadline, the rest (and every second holder) finish."""

    def __init__(self, running: System, size: int, lapses: bool = True) -> None:
        self.running = running
        self.lapses = lapses
        self.people = [uuid.uuid4() for _ in range(size)]
        self.presence = ValkeyPresence(running.platform.redis,
                                       running.env["JAMS_PRESENCE_NAMESPACE"])
        self.sent: set[tuple[uuid.UUID, int, str]] = set()

    async def step(self) -> None:
        now = self.running.platform.clock.now()
        sent_away = await self.running.sent_away()
        for person in self.people:  # everyone comes back from away
            entry = await self.presence.get(person)
            if (entry is None or entry.status != "available"
                    or entry.since < sent_away.get(person, entry.since)):
                await self.presence.connect(person, "page", now)
            else:
                await self.presence.touch(person, "page", now)
        for task in await self.running.tasks():
            if task["state"] not in {"offered", "assigned"}:
                continue
            first_try = self.lapses and not task["missed_by"] and task["revision"] <= 2
            kind = task["task_id"].int % 3
            key = (task["task_id"], task["revision"], task["state"])
            if key in self.sent:
                continue
            self.sent.add(key)
            if task["state"] == "offered" and not (first_try and kind == 0):
                await self.running.publish(AcceptReviewTask(task_id=task["task_id"],
                                                            reviewer_id=task["reviewer_id"]))
            elif task["state"] == "assigned" and not (first_try and kind == 1):
                await self.running.publish(CompleteReviewTask(task_id=task["task_id"],
                                                              reviewer_id=task["reviewer_id"]))


def decision() -> ManualReviewRequired:
    return ManualReviewRequired(
        match_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(), score=75.0,
        resume_version_id=uuid.uuid4(), apply_url="https://jobs.example/x", job_title="Dev")


async def drive(running: System, crowd: Crowd, count: int, timeout_s: float,
                midway: Any = None) -> None:
    """Publish `count` decisions, then keep the crowd going until every task is closed."""
    for _ in range(count):
        await running.publish(decision())
    tasks: list[dict[str, Any]] = []
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                await crowd.step()
                tasks = await running.tasks()
                if midway is not None and await midway(tasks):
                    midway = None
                if len(tasks) == count and all(t["state"] == "completed" for t in tasks):
                    return
                await asyncio.sleep(0.2)
    except TimeoutError:
        states = Counter(t["state"] for t in tasks)
        pytest.fail(f"after {timeout_s} s, {len(tasks)} of {count} tasks exist: {dict(states)}")


def assert_never_two_holders(events: list[EventData], count: int) -> None:
    """Per task: offers and releases alternate, and exactly one terminal event."""
    holder: dict[uuid.UUID, uuid.UUID | None] = defaultdict(lambda: None)
    terminal: dict[uuid.UUID, int] = defaultdict(int)
    for event in events:
        if isinstance(event, ReviewTaskOffered):
            assert holder[event.task_id] is None, "offered while someone held it"
            holder[event.task_id] = event.reviewer_id
        elif isinstance(event, ReviewTaskAssigned):
            assert holder[event.task_id] == event.reviewer_id
        elif isinstance(event, ReviewTaskOfferExpired | ReviewTaskMissed | ReviewTaskHandedBack):
            assert holder[event.task_id] == event.reviewer_id
            holder[event.task_id] = None
        elif isinstance(event, TaskCompleted | TaskRejected):
            assert holder[event.task_id] == event.reviewer_id
            terminal[event.task_id] += 1
    assert len(terminal) == count
    assert set(terminal.values()) == {1}, "a task reached more than one terminal state"


async def test_sigkill_mid_sla_loses_no_timer(
    database_url: str, kafka_bootstrap: str, redis_url: str, tmp_path: Path
) -> None:
    count = 24
    async with system(database_url, kafka_bootstrap, redis_url, tmp_path) as running:
        running.start()
        crowd = Crowd(running, 10)
        killed = False

        async def kill_while_held(tasks: list[dict[str, Any]]) -> bool:
            nonlocal killed
            if sum(t["state"] == "assigned" for t in tasks) < 3:
                return False
            running.processes[-1].send_signal(signal.SIGKILL)
            running.processes[-1].wait()
            killed = True
            await asyncio.sleep(5)  # every held task's timer falls due while nobody runs
            running.start()
            return True

        await drive(running, crowd, count, timeout_s=240, midway=kill_while_held)
        events = await running.events()
    assert killed
    assert_never_two_holders(events, count)
    assert any(isinstance(e, ReviewTaskMissed) for e in events)
    assert any(isinstance(e, ReviewTaskOfferExpired) for e in events)


async def test_two_replicas_200_tasks_never_two_reviewers(
    database_url: str, kafka_bootstrap: str, redis_url: str, tmp_path: Path
) -> None:
    count = 200
    async with system(database_url, kafka_bootstrap, redis_url, tmp_path) as running:
        running.start()
        running.start()
        crowd = Crowd(running, 40, lapses=False)  # the races, not the timers, are the point
        await drive(running, crowd, count, timeout_s=400)
        events = await running.events()
    assert_never_two_holders(events, count)

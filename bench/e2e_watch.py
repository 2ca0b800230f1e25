"""Reads every topic of a run's bus namespace from the start and keeps what the checks need:
jobs in, decisions out, review tasks, applications. At-least-once delivery can show an event
twice; events are counted once per event id.

Decisions are the pairs of MatchesScored: every scored pair is in one, so a pair in none is
lost and a pair in two was decided twice. The actions a decision starts are announced on their
own (ApplicationApproved, ManualReviewRequired); a pair counts as to be applied for, or to be
reviewed, when either its batch or that event says so, so a missing announcement shows up as
lost work."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

from schemas.events.applications import ApplicationFailed, ApplicationSubmitted
from schemas.events.jobs import JobDiscovered, JobPublished
from schemas.events.matching import (
    ApplicationApproved,
    ManualReviewRequired,
    MatchesScored,
    MatchRejected,
    MatchScored,
)
from schemas.events.review import ReviewTaskCreated, TaskCompleted, TaskRejected

Pair = tuple[uuid.UUID, uuid.UUID]  # (candidate, job)
JobKey = tuple[str, str, str]  # (company, title, location)

# No longer emitted: every decision is a pair of MatchesScored.
_SKIPPED = {MatchScored.TYPE, MatchRejected.TYPE}


@dataclass
class PublishedJob:
    key: JobKey
    title: str
    description: str
    location: str


@dataclass
class Tally:
    """What the run's events said, each event counted once."""

    seen_ids: set[str] = field(default_factory=set)
    first_in: dict[JobKey, float] = field(default_factory=dict)  # raw job in (event time)
    postings: set[str] = field(default_factory=set)
    published: dict[uuid.UUID, PublishedJob] = field(default_factory=dict)
    published_at: dict[uuid.UUID, float] = field(default_factory=dict)  # event time
    publications: dict[JobKey, set[uuid.UUID]] = field(default_factory=lambda: defaultdict(set))
    decisions: dict[Pair, list[str]] = field(default_factory=lambda: defaultdict(list))  # kinds
    decided_at: dict[uuid.UUID, float] = field(default_factory=dict)  # last decision seen
    decided_per_job: dict[uuid.UUID, int] = field(default_factory=lambda: defaultdict(int))
    # Acted apply / review pairs of a batch, and pairs of ApplicationApproved /
    # ManualReviewRequired (the same pairs when nothing is lost).
    approved: set[Pair] = field(default_factory=set)
    review_required: set[Pair] = field(default_factory=set)
    tasks: dict[uuid.UUID, Pair] = field(default_factory=dict)
    tasks_per_pair: dict[Pair, set[uuid.UUID]] = field(default_factory=lambda: defaultdict(set))
    completed: dict[uuid.UUID, Pair] = field(default_factory=dict)
    rejected: set[uuid.UUID] = field(default_factory=set)
    submitted: dict[Pair, set[str]] = field(default_factory=lambda: defaultdict(set))
    failed: dict[Pair, str] = field(default_factory=dict)
    dead_letters: int = 0
    events: int = 0

    @property
    def decided_pairs(self) -> int:
        return len(self.decisions)

    @property
    def terminal_tasks(self) -> int:
        return len(set(self.completed) | self.rejected)

    def to_apply(self) -> set[Pair]:
        """Pairs the bot was told to apply for: approved by score, or completed by a reviewer."""
        return self.approved | set(self.completed.values())


def _header(headers: list[tuple[str, bytes]], name: str) -> str:
    for key, value in headers:
        if key == name:
            return value.decode("utf-8", "replace")
    return ""


def _job_key(data: dict[str, Any]) -> JobKey:
    return (data["company"], data["title"], data.get("location") or "")


def record(tally: Tally, topic: str, headers: list[tuple[str, bytes]], value: bytes,
           received: float) -> None:
    """Fold one record into the tally."""
    if topic.endswith(".dlq"):
        tally.dead_letters += 1
        return
    kind = _header(headers, "ce_type")
    event_id = _header(headers, "ce_id")
    if kind in _SKIPPED or not event_id or event_id in tally.seen_ids:
        return
    tally.seen_ids.add(event_id)
    tally.events += 1
    data = json.loads(value)
    if kind == JobDiscovered.TYPE:
        at = datetime.fromisoformat(_header(headers, "ce_time")).timestamp()
        key = _job_key(data)
        tally.first_in[key] = min(at, tally.first_in.get(key, at))
        tally.postings.add(data["source_job_key"])
    elif kind == JobPublished.TYPE:
        job_id = uuid.UUID(data["job_id"])
        tally.published_at.setdefault(
            job_id, datetime.fromisoformat(_header(headers, "ce_time")).timestamp())
        tally.published[job_id] = PublishedJob(_job_key(data), data["title"],
                                               data.get("description") or "",
                                               data.get("location") or "")
        tally.publications[_job_key(data)].add(job_id)
    elif kind == MatchesScored.TYPE:
        for scored in data["pairs"]:
            _decided(tally, scored, received)
    elif kind == ApplicationApproved.TYPE:
        tally.approved.add((uuid.UUID(data["candidate_id"]), uuid.UUID(data["job_id"])))
    elif kind == ManualReviewRequired.TYPE:
        tally.review_required.add((uuid.UUID(data["candidate_id"]), uuid.UUID(data["job_id"])))
    elif kind == ReviewTaskCreated.TYPE:
        pair = (uuid.UUID(data["candidate_id"]), uuid.UUID(data["job_id"]))
        task_id = uuid.UUID(data["task_id"])
        tally.tasks[task_id] = pair
        tally.tasks_per_pair[pair].add(task_id)
    elif kind == TaskCompleted.TYPE:
        tally.completed[uuid.UUID(data["task_id"])] = (uuid.UUID(data["candidate_id"]),
                                                       uuid.UUID(data["job_id"]))
    elif kind == TaskRejected.TYPE:
        tally.rejected.add(uuid.UUID(data["task_id"]))
    elif kind == ApplicationSubmitted.TYPE:
        pair = (uuid.UUID(data["candidate_id"]), uuid.UUID(data["job_id"]))
        tally.submitted[pair].add(event_id)
    elif kind == ApplicationFailed.TYPE:
        tally.failed[(uuid.UUID(data["candidate_id"]), uuid.UUID(data["job_id"]))] = \
            str(data.get("reason", ""))


def _decided(tally: Tally, scored: dict[str, Any], received: float) -> None:
    """One pair of a MatchesScored batch: its decision, and the action it starts."""
    pair = (uuid.UUID(scored["candidate_id"]), uuid.UUID(scored["job_id"]))
    if pair not in tally.decisions:
        tally.decided_per_job[pair[1]] += 1
    decision = scored["decision"]
    tally.decisions[pair].append(decision)
    tally.decided_at[pair[1]] = received
    if not scored.get("acted", True):
        return  # an earlier resume version already started this (or a stronger) action
    if decision == "apply":
        tally.approved.add(pair)
    elif decision == "review":
        tally.review_required.add(pair)


class Watcher:
    """Consumes `<namespace>.*` (topics appear as services create them) into a Tally."""

    def __init__(self, bootstrap: str, namespace: str) -> None:
        self.tally = Tally()
        self._bootstrap = bootstrap
        self._namespace = namespace
        self._task: asyncio.Task[None] | None = None
        self.last_event_at = time.monotonic()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self._bootstrap, group_id=f"{self._namespace}.bench-watch",
                auto_offset_reset="earliest", enable_auto_commit=True,
                metadata_max_age_ms=2000, max_partition_fetch_bytes=4 * 1024 * 1024)
            try:
                await consumer.start()
                consumer.subscribe(pattern=f"^{re.escape(self._namespace)}\\..*")
                while True:
                    batches = await consumer.getmany(timeout_ms=500, max_records=5000)
                    now = time.time()
                    for records in batches.values():
                        for r in records:
                            record(self.tally, r.topic, list(r.headers or ()), r.value or b"",
                                   now)
                        if records:
                            self.last_event_at = time.monotonic()
            except KafkaError:
                await asyncio.sleep(1)  # the broker restarts under chaos: connect again
            finally:
                with contextlib.suppress(Exception):
                    await consumer.stop()

"""The gateway under uvicorn, on the embedded PostgreSQL bus and Valkey, via `websockets`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from pydantic import SecretStr
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from infra.auth import Role, TokenVerifier, mint_access_token
from infra.bus import codec
from infra.presence import Presence, ValkeyPresence
from infra.runtime import Platform, open_platform, run_services
from infra.settings import CommonSettings
from schemas.events import topics
from schemas.events.envelope import Envelope, EventData
from schemas.events.matching import ManualReviewRequired
from schemas.events.registry import parse_data
from schemas.events.review import (
    AcceptReviewTask,
    CompleteReviewTask,
    HandBackReviewTask,
    RejectReviewTask,
    ReviewerPresenceChanged,
    ReviewerStruck,
    ReviewTaskAssigned,
    ReviewTaskOffered,
    ReviewTaskWarning,
    TaskCompleted,
)
from services.gateway.adapters.fanout import RedisFanout
from services.gateway.app import build
from services.gateway.auth import UNAUTHORIZED
from services.gateway.settings import GatewaySettings
from services.workflow.app import build as build_workflow
from services.workflow.settings import WorkflowSettings

pytestmark = pytest.mark.integration

E = TypeVar("E", bound=EventData)
ALICE = uuid.uuid4()
BOB = uuid.uuid4()
SECRET = SecretStr("gateway-ws-test-secret-0123456789")


def token_of(reviewer_id: uuid.UUID) -> str:
    """A fresh access token of that reviewer (minted per use: a full run outlasts its TTL)."""
    return mint_access_token(SECRET, reviewer_id, Role.REVIEWER)


WAIT_S = 15.0


@dataclass
class Gateway:
    """A running gateway and the platform it was built on."""

    platform: Platform
    port: int
    namespace: str

    @property
    def presence(self) -> Presence:
        return ValkeyPresence(self.platform.redis, self.namespace)

    def socket_url(self, reviewer_id: uuid.UUID | str, token: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/reviewers/{reviewer_id}?access_token={token}"

    async def open(self, reviewer_id: uuid.UUID) -> Socket:
        """A reviewer's socket, once this gateway's fan-out delivers to it."""
        socket = Socket(await connect(self.socket_url(reviewer_id, token_of(reviewer_id))))
        # Another replica's fan-out (a second RedisFanout) pushes probes until one arrives:
        # from then on pushes reach this socket.
        other_replica = RedisFanout(self.platform.redis, self.namespace, deliver=_nowhere)
        async with asyncio.timeout(WAIT_S):
            while True:
                await other_replica.push(reviewer_id, {"type": "probe"})
                try:
                    await socket.next("probe", timeout_s=0.2)
                    return socket
                except TimeoutError:
                    continue

    async def publish(self, data: EventData) -> None:
        await self.platform.bus.publish(
            Envelope.wrap(data, source="jams/test", time=datetime.now(UTC))
        )

    async def published(self, topic: str, kind: type[E]) -> list[E]:
        records = await self.platform.bus.transport.read_all(topic)
        found = [parse_data(codec.decode(record)) for record in records]
        return [data for data in found if isinstance(data, kind)]


async def _nowhere(reviewer_id: uuid.UUID, message: dict[str, Any]) -> None:
    """Deliver callback of the test's stand-in replica, which holds no sockets."""


@contextlib.asynccontextmanager
async def running_gateway(
    settings: GatewaySettings, *, with_workflow: bool = False
) -> AsyncIterator[Gateway]:
    """One gateway replica (and the workflow, if asked), served on a free port."""
    async with open_platform(settings) as platform:
        specs = [build(platform, settings)]
        if with_workflow:
            workflow_settings = WorkflowSettings(**settings.model_dump(
                include=set(CommonSettings.model_fields) | {"presence_namespace"}))
            specs.append(build_workflow(platform, workflow_settings))
        stop = asyncio.Event()
        bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        runner = asyncio.create_task(run_services(
            platform, specs, stop, port=0, on_listening=bound.set_result,
        ))
        port = await asyncio.wait_for(bound, WAIT_S)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            async with asyncio.timeout(WAIT_S):
                while (await http.get("/readyz")).status_code != 200:
                    await asyncio.sleep(0.05)
        try:
            yield Gateway(platform, port, settings.presence_namespace)
        finally:
            stop.set()
            await runner


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> GatewaySettings:
    return GatewaySettings(
        bus="embedded", database_url=database_url, redis_url=redis_url, mongo_url=None,
        blob_dir=tmp_path, presence_namespace=f"test-{uuid.uuid4().hex[:12]}",
        shutdown_grace_s=5, jwt_secret=SECRET,
    )


@pytest.fixture
async def gateway(settings: GatewaySettings) -> AsyncIterator[Gateway]:
    async with running_gateway(settings) as gateway:
        yield gateway
        namespace = settings.presence_namespace
        keys = [key async for key in gateway.platform.redis.scan_iter(match=f"{namespace}:*")]
        if keys:
            await gateway.platform.redis.delete(*keys)


class Socket:
    """A client socket that keeps messages it was not asked for yet, and ignores probes."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._backlog: list[dict[str, Any]] = []

    async def send(self, frame: str | bytes) -> None:
        await self.ws.send(frame)

    async def next(self, kind: str, timeout_s: float = WAIT_S) -> dict[str, Any]:
        """The first message of type `kind`, received before or within `timeout_s`."""
        for index, kept in enumerate(self._backlog):
            if kept["type"] == kind:
                return self._backlog.pop(index)
        async with asyncio.timeout(timeout_s):
            while True:
                message: dict[str, Any] = json.loads(await self.ws.recv())
                if message["type"] == kind:
                    return message
                if message["type"] != "probe":
                    self._backlog.append(message)

    async def close(self) -> None:
        await self.ws.close()


async def _eventually(probe: Callable[[], Awaitable[bool]]) -> None:
    async with asyncio.timeout(WAIT_S):
        while not await probe():
            await asyncio.sleep(0.05)


def assignment(reviewer_id: uuid.UUID) -> ReviewTaskOffered:
    return ReviewTaskOffered(
        task_id=uuid.uuid4(), reviewer_id=reviewer_id,
        offer_expires_at=datetime.now(UTC) + timedelta(seconds=60), match_id=uuid.uuid4(),
        candidate_id=uuid.uuid4(), job_id=uuid.uuid4(), job_title="SRE", company="Globex",
        score=84.0, explanation=["on-call: strong"],
    )


def test_only_the_embedded_default_makes_its_own_jwt_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("JAMS_JWT_SECRET", raising=False)
    made = GatewaySettings(bus="embedded", data_dir=tmp_path).jwt_secret.get_secret_value()
    assert len(made) >= 40
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o077 == 0  # the owner's only
    # Kept: tokens signed before a restart still verify after it.
    assert GatewaySettings(bus="embedded", data_dir=tmp_path).jwt_secret.get_secret_value() \
        == made
    distributed = GatewaySettings(bus="kafka", data_dir=tmp_path / "other")
    assert distributed.jwt_secret.get_secret_value() == ""
    with pytest.raises(ValueError, match="JAMS_JWT_SECRET"):
        TokenVerifier(distributed.jwt_secret)


def _wrong_tokens() -> list[tuple[uuid.UUID, str]]:
    other_secret = SecretStr("not-the-gateway-secret-0123456789")
    return [
        (ALICE, "wrong"),
        (ALICE, ""),
        (uuid.uuid4(), "x"),
        (BOB, token_of(ALICE)),  # another reviewer's token
        (ALICE, mint_access_token(SECRET, ALICE, Role.REVIEWER, ttl_s=-60)),  # expired
        (ALICE, mint_access_token(other_secret, ALICE, Role.REVIEWER)),  # forged
        (ALICE, mint_access_token(SECRET, ALICE, Role.ADMIN)),  # not a reviewer's token
    ]


@pytest.mark.parametrize("who, token", _wrong_tokens())
async def test_bad_token_is_refused_with_4401(
    gateway: Gateway, who: uuid.UUID, token: str
) -> None:
    async with connect(gateway.socket_url(who, token)) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), WAIT_S)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == UNAUTHORIZED
    assert await gateway.presence.get(who) is None
    assert await gateway.published(topics.REVIEWERS, ReviewerPresenceChanged) == []


async def test_connect_and_disconnect_announce_presence(gateway: Gateway) -> None:
    ws = await gateway.open(ALICE)
    entry = await gateway.presence.get(ALICE)
    assert entry is not None and entry.status == "available"

    async def announced(status: str) -> bool:
        events = await gateway.published(topics.REVIEWERS, ReviewerPresenceChanged)
        return ReviewerPresenceChanged(reviewer_id=ALICE, status=status) in events

    await _eventually(lambda: announced("available"))
    await ws.send(json.dumps({"type": "heartbeat"}))
    assert (await ws.next("ack"))["of"] == "heartbeat"

    await ws.close()
    await _eventually(lambda: announced("offline"))
    entry = await gateway.presence.get(ALICE)
    assert entry is not None and entry.status == "offline"


async def test_assignment_is_pushed_to_the_reviewers_socket(gateway: Gateway) -> None:
    alice, bob = await gateway.open(ALICE), await gateway.open(BOB)
    event = assignment(ALICE)
    await gateway.publish(event)

    offered = await alice.next("task_offered")
    assert offered["task_id"] == str(event.task_id)
    assert (offered["job_title"], offered["company"], offered["score"]) == ("SRE", "Globex", 84.0)
    assert offered["explanation"] == ["on-call: strong"]
    assert datetime.fromisoformat(offered["offer_expires_at"]) == event.offer_expires_at
    due_at = datetime.now(UTC) + timedelta(minutes=20)
    await gateway.publish(ReviewTaskAssigned(
        task_id=event.task_id, reviewer_id=ALICE, due_at=due_at, match_id=event.match_id,
        candidate_id=event.candidate_id, job_id=event.job_id, job_title="SRE"))
    taken = await alice.next("task_assigned")
    assert (taken["state"], datetime.fromisoformat(taken["due_at"])) == ("assigned", due_at)
    await gateway.publish(ReviewTaskWarning(task_id=event.task_id, reviewer_id=ALICE,
                                            due_at=due_at))
    assert (await alice.next("task_warning"))["task_id"] == str(event.task_id)
    await gateway.publish(ReviewerStruck(reviewer_id=ALICE, task_id=uuid.uuid4(), strikes=2))
    assert (await alice.next("reviewer"))["strikes"] == 2
    # A reloaded page resumes the same task: accepted, with its deadline and warning.
    await alice.close()
    again = await gateway.open(ALICE)
    resumed = await again.next("task_assigned")
    assert resumed["task_id"] == str(event.task_id)
    assert (resumed["state"], resumed["warned"], resumed["company"]) == (
        "assigned", True, "Globex")
    with pytest.raises(TimeoutError):
        await bob.next("task_offered", timeout_s=0.5)

    await gateway.publish(TaskCompleted(
        task_id=event.task_id, reviewer_id=ALICE, match_id=event.match_id,
        candidate_id=event.candidate_id, job_id=event.job_id, resume_version_id=uuid.uuid4(),
        apply_url="https://jobs.example/1",
    ))
    closed = await again.next("task_closed")
    assert (closed["task_id"], closed["outcome"]) == (str(event.task_id), "completed")
    await again.close()
    later = await gateway.open(ALICE)
    with pytest.raises(TimeoutError):
        await later.next("task_assigned", timeout_s=0.5)
    await later.close()
    await bob.close()


async def test_push_reaches_the_socket_whichever_replica_consumes(
    gateway: Gateway, settings: GatewaySettings
) -> None:
    # Two replicas share the consumer group; the socket lives on the second one only.
    async with running_gateway(settings) as second:
        alice = await second.open(ALICE)
        events = [assignment(ALICE) for _ in range(6)]  # several keys: several partitions
        for event in events:
            await gateway.publish(event)
        # Pushes are at least once (a rebalance may replay one); the page dedups by task id.
        expected = {str(e.task_id) for e in events}
        offered: set[str] = set()
        while offered != expected:
            offered.add((await alice.next("task_offered"))["task_id"])
        assert offered == expected
        await alice.close()


@pytest.mark.parametrize("frame", [
    "not json",
    "[]",
    json.dumps({"type": "dance"}),
    json.dumps({"type": "complete"}),
    json.dumps({"type": "complete", "task_id": "nope"}),
    json.dumps({"type": "complete", "task_id": str(uuid.uuid4()), "reviewer_id": str(BOB)}),
    json.dumps({"type": "reject", "task_id": str(uuid.uuid4()), "reason": "x" * 2001}),
    b"\x00binary",
])
async def test_malformed_message_gets_an_error_and_changes_nothing(
    gateway: Gateway, frame: str | bytes
) -> None:
    ws = await gateway.open(ALICE)
    before = await gateway.presence.get(ALICE)
    await ws.send(frame)
    error = await ws.next("error")
    assert error["message"]
    assert "x" * 100 not in error["message"]  # input is never echoed back
    # Still connected and working; nothing was published, presence untouched.
    await ws.send(json.dumps({"type": "heartbeat"}))
    await ws.next("ack")
    assert await gateway.published(topics.REVIEW_COMMANDS, CompleteReviewTask) == []
    assert await gateway.published(topics.REVIEW_COMMANDS, RejectReviewTask) == []
    after = await gateway.presence.get(ALICE)
    assert before is not None and after is not None and after.status == before.status
    await ws.close()


async def test_task_messages_become_commands_from_the_socket_owner(
    gateway: Gateway,
) -> None:
    ws = await gateway.open(ALICE)
    done, declined, version = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await ws.send(json.dumps({"type": "accept", "task_id": str(done)}))
    assert (await ws.next("ack"))["of"] == "accept"
    await ws.send(json.dumps({"type": "hand_back", "task_id": str(declined)}))
    assert (await ws.next("ack"))["of"] == "hand_back"
    await ws.send(json.dumps({"type": "status", "status": "away"}))
    assert (await ws.next("ack"))["of"] == "status"
    entry = await gateway.presence.get(ALICE)
    assert entry is not None and entry.status == "away"
    await ws.send(json.dumps({"type": "heartbeat"}))  # a heartbeat does not end "away"
    await ws.next("ack")
    entry = await gateway.presence.get(ALICE)
    assert entry is not None and entry.status == "away"
    await ws.send(json.dumps({"type": "complete", "task_id": str(done),
                              "resume_version_id": str(version)}))
    assert (await ws.next("ack")) == {"type": "ack", "of": "complete", "task_id": str(done)}
    await ws.send(json.dumps({"type": "reject", "task_id": str(declined), "reason": "no visa"}))
    assert (await ws.next("ack"))["of"] == "reject"

    assert await gateway.published(topics.REVIEW_COMMANDS, CompleteReviewTask) == [
        CompleteReviewTask(task_id=done, reviewer_id=ALICE, resume_version_id=version)
    ]
    assert await gateway.published(topics.REVIEW_COMMANDS, RejectReviewTask) == [
        RejectReviewTask(task_id=declined, reviewer_id=ALICE, reason="no visa")
    ]
    assert await gateway.published(topics.REVIEW_COMMANDS, AcceptReviewTask) == [
        AcceptReviewTask(task_id=done, reviewer_id=ALICE)]
    assert await gateway.published(topics.REVIEW_COMMANDS, HandBackReviewTask) == [
        HandBackReviewTask(task_id=declined, reviewer_id=ALICE)]
    away = ReviewerPresenceChanged(reviewer_id=ALICE, status="away")
    assert away in await gateway.published(topics.REVIEWERS, ReviewerPresenceChanged)
    await ws.close()


async def test_socket_takes_the_access_cookie(gateway: Gateway) -> None:
    url = f"ws://127.0.0.1:{gateway.port}/ws/reviewers/{ALICE}"
    async with connect(url, additional_headers={"Cookie": f"jams_access={token_of(ALICE)}"}) as ws:
        await ws.send(json.dumps({"type": "heartbeat"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), WAIT_S))["type"] in (
            "ack", "reviewer", "probe")
    async with connect(url, additional_headers={"Cookie": f"jams_access={token_of(BOB)}"}) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), WAIT_S)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == UNAUTHORIZED


async def test_review_page_is_served(gateway: Gateway) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}") as http:
        anonymous = await http.get("/review")
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == "/login?next=/review"
        admin = mint_access_token(SECRET, uuid.uuid4(), Role.ADMIN)
        other_role = await http.get("/review", headers={"Cookie": f"jams_access={admin}"})
        assert other_role.headers["location"] == "/login?next=/review&denied=1"
        page = await http.get("/review", headers={"Cookie": f"jams_access={token_of(ALICE)}"})
        script = await http.get("/assets/review.js")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="/assets/review.js">' in page.text
    assert 'data-heartbeat-ms="15000"' in page.text
    assert script.headers["content-type"].startswith("text/javascript")
    assert "/ws/reviewers/" in script.text and "dataset.heartbeatMs" in script.text


async def test_walking_skeleton_offer_and_complete(settings: GatewaySettings) -> None:
    """Reviewer connects, a decision arrives, the task is offered, completed and closed."""
    async with running_gateway(settings, with_workflow=True) as system:
        alice = await system.open(ALICE)
        decision = ManualReviewRequired(
            match_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(), score=80.0,
            resume_version_id=uuid.uuid4(), apply_url="https://jobs.example/7",
            job_title="Backend engineer", company="Hooli", explanation=["go: strong"],
        )
        await system.publish(decision)

        offered = await alice.next("task_offered")
        assert (offered["job_title"], offered["company"]) == ("Backend engineer", "Hooli")
        tailored = uuid.uuid4()
        await alice.send(json.dumps({"type": "accept", "task_id": offered["task_id"]}))
        assert (await alice.next("task_assigned"))["task_id"] == offered["task_id"]
        await alice.send(json.dumps({"type": "complete", "task_id": offered["task_id"],
                                     "resume_version_id": str(tailored)}))
        closed = await alice.next("task_closed")
        assert (closed["task_id"], closed["outcome"]) == (offered["task_id"], "completed")

        async def applied() -> bool:
            done = await system.published(topics.REVIEW_TASKS, TaskCompleted)
            return [e.resume_version_id for e in done] == [tailored]

        await _eventually(applied)
        await alice.close()
        keys = [key async for key in system.platform.redis.scan_iter(
            match=f"{settings.presence_namespace}:*")]
        await system.platform.redis.delete(*keys)

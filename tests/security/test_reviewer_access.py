"""A reviewer whose account is disabled is offered nothing more, and what they hold goes to
someone else; re-enabled, they are offered work again. Gateway and workflow on real servers."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from infra.auth import Role
from schemas.events import topics
from schemas.events.matching import ManualReviewRequired
from schemas.events.review import (
    ReviewerAccessChanged,
    ReviewerStruck,
    ReviewTaskOffered,
    ReviewTaskWithdrawn,
)
from services.gateway.auth import UNAUTHORIZED, auth_from
from services.gateway.settings import GatewaySettings
from services.workflow.domain import task_id_for
from tests.integration.test_gateway_ws import (
    ALICE,
    BOB,
    SECRET,
    WAIT_S,
    Gateway,
    _eventually,
    running_gateway,
)
from tests.integration.test_review_sla import offered_and_accepted, tick
from tests.integration.test_workflow import Workflow
from tests.integration.test_workflow import decision as queued_decision
from tests.integration.test_workflow import workflow as workflow  # the fixture, reused
from tests.security.test_sessions import bearer, closed_code, gateway_settings

pytestmark = pytest.mark.integration

PASSWORD = "a long enough password"
# How long the workflow is given to (wrongly) offer a task before nothing counts as nothing.
QUIET_S = 3.0


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> GatewaySettings:
    # The secret the reviewer sockets of Gateway.open are minted with.
    return gateway_settings(database_url, redis_url, tmp_path, SECRET)


def decision() -> ManualReviewRequired:
    return ManualReviewRequired(
        match_id=uuid.uuid4(), candidate_id=uuid.uuid4(), job_id=uuid.uuid4(), score=80.0,
        resume_version_id=uuid.uuid4(), apply_url="https://jobs.example/7",
        job_title="Backend engineer", company="Hooli", explanation=["go: strong"])


async def offers_to(system: Gateway, reviewer_id: uuid.UUID) -> list[ReviewTaskOffered]:
    offered = await system.published(topics.REVIEW_TASKS, ReviewTaskOffered)
    return [offer for offer in offered if offer.reviewer_id == reviewer_id]


async def test_a_disabled_reviewer_loses_their_offer_to_another_and_is_offered_nothing(
    settings: GatewaySettings,
) -> None:
    async with running_gateway(settings, with_workflow=True) as system:
        platform = system.platform
        accounts = auth_from(platform.unit_of_work("gateway"), platform.redis, platform.clock,
                             settings).accounts
        await accounts.create_staff("test", "admin@example.test", PASSWORD, Role.ADMIN)
        for reviewer_id, name in ((ALICE, "alice"), (BOB, "bob")):
            await accounts.create_staff("test", f"{name}@example.test", PASSWORD,
                                        Role.REVIEWER, reviewer_id)
        alice = await system.open(ALICE)
        first = decision()
        await system.publish(first)
        offered = await alice.next("task_offered")
        bob = await system.open(BOB)

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{system.port}") as http:
            login = await http.post("/api/v1/auth/login", json={
                "email": "admin@example.test", "password": PASSWORD})
            admin = bearer(login.json()["access_token"])
            disabled = await http.patch(f"/api/v1/users/{ALICE}", headers=admin,
                                        json={"disabled": True})
            assert disabled.status_code == 200, disabled.text
            assert await closed_code(alice.ws, WAIT_S) == UNAUTHORIZED

            # The task goes back to the queue and on to Bob, without a strike for Alice.
            handed = await bob.next("task_offered")
            assert handed["task_id"] == offered["task_id"]
            withdrawn = await system.published(topics.REVIEW_TASKS, ReviewTaskWithdrawn)
            assert [(w.task_id, w.reviewer_id) for w in withdrawn] == [
                (uuid.UUID(offered["task_id"]), ALICE)]
            changes = await system.published(topics.REVIEWERS, ReviewerAccessChanged)
            assert [(c.reviewer_id, c.may_review) for c in changes] == [(ALICE, False)]

            # Presence still says Alice is available (a replica that has not heard yet): the
            # workflow itself offers her nothing. Bob is busy, so the next task waits.
            await system.presence.connect(ALICE, "stale", datetime.now(UTC))
            await system.publish(decision())
            await asyncio.sleep(QUIET_S)
            assert len(await offers_to(system, ALICE)) == 1  # the first task only

            enabled = await http.patch(f"/api/v1/users/{ALICE}", headers=admin,
                                       json={"disabled": False})
            assert enabled.status_code == 200, enabled.text

        async def offered_again() -> bool:
            return len(await offers_to(system, ALICE)) == 2

        await _eventually(offered_again)
        await bob.close()
        keys = [k async for k in platform.redis.scan_iter(
            match=f"{settings.presence_namespace}:*")]
        if keys:
            await platform.redis.delete(*keys)


async def test_a_disabled_reviewers_accepted_task_goes_to_another_without_a_strike(
    workflow: Workflow,
) -> None:
    alice, bob = uuid.uuid4(), uuid.uuid4()
    await workflow.online(alice)
    task_id = await offered_and_accepted(workflow, alice)
    await workflow.online(bob)
    await workflow.handle(ReviewerAccessChanged(reviewer_id=alice, may_review=False))
    task = await workflow.task(task_id)
    assert (task["state"], task["reviewer_id"]) == ("offered", bob)
    assert [(w.task_id, w.reviewer_id) for w in await workflow.emitted(ReviewTaskWithdrawn)] \
        == [(task_id, alice)]
    # Alice's deadline passes: her timer went with the task, so nobody is struck.
    await tick(workflow, 20 * 60, present=(alice,))
    assert await workflow.emitted(ReviewerStruck) == []
    # Still online, still disabled: a new task waits in the queue rather than go to her.
    event = queued_decision()
    await workflow.handle(event)
    assert (await workflow.task(task_id_for(event.match_id)))["state"] == "queued"

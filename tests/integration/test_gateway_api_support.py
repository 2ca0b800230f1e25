"""Shared set-up of the gateway API tests: the API on a fresh database, a world of objects
projected from real events, and tokens for every role (no tests here)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from infra.auth import Role, TokenVerifier, mint_access_token, principal_dependency
from infra.blobs import LocalBlobStore
from infra.clock import FakeClock
from infra.db import create_engine
from infra.http_conventions import install_api_conventions
from infra.uow import UnitOfWork
from schemas.events.applications import ApplicationSubmitted
from schemas.events.envelope import Envelope, EventData
from schemas.events.jobs import JobPublished, ScrapeRunCompleted
from schemas.events.matching import ManualReviewRequired
from schemas.events.registry import BY_TYPE
from schemas.events.resumes import ResumeVersionCreated
from schemas.events.review import ReviewerLocked, ReviewerStruck, ReviewTaskAssigned
from services.gateway.api.common import ApiDeps
from services.gateway.api.routes import api_router
from services.gateway.policy import Authorizer
from services.gateway.readmodel.projections import PROJECTIONS

SECRET = SecretStr("test-secret-of-the-gateway-api-0123456789")
GROUP = "jams.gateway"


def _pair() -> tuple[uuid.UUID, uuid.UUID]:
    return uuid.uuid4(), uuid.uuid4()


@dataclass
class World:
    """Two of everything: the first of each belongs to `me`, the second to `other`."""

    candidates: tuple[uuid.UUID, uuid.UUID] = field(default_factory=_pair)
    reviewers: tuple[uuid.UUID, uuid.UUID] = field(default_factory=_pair)
    resumes: tuple[uuid.UUID, uuid.UUID] = field(default_factory=_pair)
    tasks: tuple[uuid.UUID, uuid.UUID] = field(default_factory=_pair)
    matches: tuple[uuid.UUID, uuid.UUID] = field(default_factory=_pair)
    applications: tuple[uuid.UUID, uuid.UUID] = field(default_factory=_pair)
    jobs: tuple[uuid.UUID, uuid.UUID] = field(default_factory=_pair)
    admin: uuid.UUID = field(default_factory=uuid.uuid4)
    operator: uuid.UUID = field(default_factory=uuid.uuid4)
    supervisor: uuid.UUID = field(default_factory=uuid.uuid4)
    employer: uuid.UUID = field(default_factory=uuid.uuid4)
    source: str = "sandbox-acme"
    run_id: str = "run-1"


@dataclass
class Api:
    client: httpx.AsyncClient
    app: FastAPI
    uow: UnitOfWork
    blobs: LocalBlobStore
    clock: FakeClock
    world: World

    def token(self, role: Role, user_id: uuid.UUID | None = None, *, ttl_s: float = 900) -> str:
        return mint_access_token(SECRET, user_id or self.user_of(role), role, ttl_s=ttl_s,
                                 clock=self.clock)

    def user_of(self, role: Role, own: bool = True) -> uuid.UUID:
        w, i = self.world, 0 if own else 1
        return {Role.ADMIN: w.admin, Role.OPERATOR: w.operator, Role.SUPERVISOR: w.supervisor,
                Role.REVIEWER: w.reviewers[i], Role.CANDIDATE: w.candidates[i],
                Role.RECRUITER: w.employer, Role.HIRING_MANAGER: w.employer,
                Role.COMPANY_ADMIN: w.employer}[role]

    def auth(self, role: Role, user_id: uuid.UUID | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, user_id)}"}

    async def project(self, data: EventData) -> Envelope:
        """What the runtime does with one delivery to the gateway (a moment later each)."""
        self.clock.advance(0.001)
        envelope = Envelope.wrap(data, source="jams/tests", time=self.clock.now())
        await self.deliver(envelope)
        return envelope

    async def deliver(self, envelope: Envelope) -> bool:
        """True if the projection ran (False: a duplicate the inbox turned away)."""
        model = BY_TYPE[envelope.type]
        async with self.uow.handling(GROUP, envelope) as tx:
            if tx is None:
                return False
            await PROJECTIONS[model](model.model_validate(envelope.data), tx)
            return True


def api_app(deps: ApiDeps) -> FastAPI:
    app = FastAPI(title="JAMS gateway API (test)")
    install_api_conventions(app)
    app.include_router(api_router(deps))
    return app


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    clock = FakeClock()
    engine = create_engine(database_url, pool_size=4)
    uow = UnitOfWork(engine, clock, source="jams/gateway")
    blobs = LocalBlobStore(tmp_path / "blobs")
    verifier = TokenVerifier(SECRET, clock=clock)
    deps = ApiDeps(engine, uow, blobs, Authorizer(principal_dependency(verifier)), clock)
    app = api_app(deps)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        yield Api(client, app, uow, blobs, clock, World())
    await engine.dispose()


async def seed(api: Api) -> World:
    """Project a small world from events: resumes, jobs, matches, tasks, applications..."""
    w = api.world
    for i in (0, 1):
        cand, rev = w.candidates[i], w.reviewers[i]
        content = f"resume of candidate {i}".encode()
        key = f"resumes/{cand}/{w.resumes[i]}.txt"
        await api.blobs.put(key, content)
        await api.project(ResumeVersionCreated(
            candidate_id=cand, resume_version_id=w.resumes[i], blob_key=key,
            content_sha256=hashlib.sha256(content).hexdigest()))
        await api.project(JobPublished(
            job_id=w.jobs[i], company=("Acme", "Globex")[i], title=("Python Engineer",
                                                                   "Data Analyst")[i],
            location=("Berlin", "Remote")[i], description="Build things",
            apply_url="https://example.com/apply", sources=[f"s:{i}"],
            workplace=("onsite", "remote")[i], country="DE"))
        await api.project(ManualReviewRequired(
            match_id=w.matches[i], candidate_id=cand, job_id=w.jobs[i], score=70,
            resume_version_id=w.resumes[i], apply_url="https://example.com/apply",
            job_title="Python Engineer", company="Acme", explanation=["python: matched"]))
        await api.project(ReviewTaskAssigned(
            task_id=w.tasks[i], reviewer_id=rev, due_at=api.clock.now() + timedelta(minutes=20),
            match_id=w.matches[i], candidate_id=cand, job_id=w.jobs[i], score=70))
        evidence_key = f"evidence/{w.applications[i]}/manifest.json"
        await api.blobs.put(f"evidence/{w.applications[i]}/confirmation.html", b"<p>ok</p>")
        await api.blobs.put(evidence_key, (
            '{"confirmation": "C-1", "files": {"html": '
            f'"evidence/{w.applications[i]}/confirmation.html"}}}}').encode())
        await api.project(ApplicationSubmitted(
            application_id=w.applications[i], candidate_id=cand, job_id=w.jobs[i],
            resume_version_id=w.resumes[i], confirmation="C-1", evidence_key=evidence_key))
        await api.project(ReviewerStruck(reviewer_id=rev, task_id=uuid.uuid4(), strikes=1))
    await api.project(ReviewerLocked(reviewer_id=w.reviewers[1], strikes=4))
    await api.project(ScrapeRunCompleted(source=w.source, run_id=w.run_id,
                                         seen_source_job_keys=["s:0", "s:1"], complete=True))
    return w


"""Shared set-up of the recruiting tests: the service on a fresh database, two companies each
with a recruiter, a hiring manager and a company admin, a draft and a published job each, and
candidates scored against the published jobs by real MatchesScored events (no tests here)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from pydantic import SecretStr

from infra.auth import Role, mint_access_token
from infra.clock import FakeClock
from infra.outbox import outbox
from infra.runtime import open_platform
from infra.service import ServiceSpec
from infra.uow import UnitOfWork
from schemas.events.envelope import Envelope, EventData
from schemas.events.matching import MatchesScored, ScoredPair
from services.recruiting.app import NAME, build
from services.recruiting.settings import RecruitingSettings

SECRET = SecretStr("test-secret-of-the-recruiting-api-0123456789")
EMPLOYER_ROLES = (Role.RECRUITER, Role.HIRING_MANAGER, Role.COMPANY_ADMIN)
UNSET = uuid.UUID(int=0)  # filled in by `seed`


def _people() -> dict[Role, uuid.UUID]:
    return {role: uuid.uuid4() for role in EMPLOYER_ROLES}


@dataclass
class Company:
    name: str
    company_id: uuid.UUID = UNSET
    people: dict[Role, uuid.UUID] = field(default_factory=_people)
    draft_job: uuid.UUID = UNSET
    published_job: uuid.UUID = UNSET
    # Scored against the published job, best first.
    candidates: list[uuid.UUID] = field(default_factory=lambda: [uuid.uuid4(), uuid.uuid4()])
    # A note on the first candidate by each of its people, and a link to them: those the tests
    # that need them make (random ids until then, as for a company that does not exist).
    notes: dict[Role, uuid.UUID] = field(default_factory=_people)
    link: uuid.UUID = field(default_factory=uuid.uuid4)
    # A re-score task of the published job, filled in by the tests that ask one.
    rescore_task: uuid.UUID = UNSET
    # The published job's screening questions (both jobs have SCREENING as version 1).
    questionnaire: uuid.UUID = UNSET


@dataclass
class Recruiting:
    client: httpx.AsyncClient
    app: FastAPI
    uow: UnitOfWork
    clock: FakeClock
    spec: ServiceSpec
    companies: tuple[Company, Company]
    admin: uuid.UUID = field(default_factory=uuid.uuid4)
    # Someone of a role with no business here (operator, reviewer, candidate...).
    outsider: uuid.UUID = field(default_factory=uuid.uuid4)

    def user(self, role: Role, company: Company | None = None) -> uuid.UUID:
        if role in EMPLOYER_ROLES:
            return (company or self.companies[0]).people[role]
        return self.admin if role is Role.ADMIN else self.outsider

    def auth(self, role: Role, company: Company | None = None, *,
             user_id: uuid.UUID | None = None) -> dict[str, str]:
        token = mint_access_token(SECRET, user_id or self.user(role, company), role,
                                  clock=self.clock)
        return {"Authorization": f"Bearer {token}"}

    async def deliver(self, data: EventData) -> Envelope:
        """What the runtime does with one delivery of `data` to the service."""
        envelope = Envelope.wrap(data, source="test", time=self.clock.now())
        await self.spec.dispatcher(self.uow)(envelope)
        return envelope

    async def emitted(self, *types: type[EventData]) -> list[dict[str, Any]]:
        """The bodies of the events of these types the service wrote to its outbox, in order."""
        wanted = {t.TYPE for t in types}
        async with self.uow.engine.connect() as conn:
            rows = (await conn.execute(sa.select(outbox.c.value, outbox.c.headers)
                                       .order_by(outbox.c.id))).all()
        return [json.loads(value) for value, headers in rows
                if dict(headers)["ce_type"] in wanted]


# Every job of the seed asks these: a knock-out yes/no and a scored number.
SCREENING: dict[str, Any] = {"questions": [
    {"id": "licence", "type": "yes_no", "text": "Do you hold a driving licence?", "ideal": True,
     "knockout": True, "weight": 1},
    {"id": "years", "type": "number", "text": "Years of Python?", "min": 0, "max": 50,
     "ideal": {"min": 3}, "weight": 3},
]}


def good_answers(candidate_id: uuid.UUID, version: int = 1) -> dict[str, Any]:
    return {"candidate_id": str(candidate_id), "version": version,
            "answers": {"licence": True, "years": 4}}


def scored(job_id: uuid.UUID, candidate_id: uuid.UUID, score: float, *,
           skills: tuple[list[str], list[str]] = (["python"], ["rust"])) -> ScoredPair:
    decision = "apply" if score >= 90 else "review" if score >= 50 else "reject"
    return ScoredPair(match_id=uuid.uuid4(), candidate_id=candidate_id, job_id=job_id,
                      resume_version_id=uuid.uuid4(), score=score, decision=decision,
                      explanation=[f"score {score}"], breakdown={"skills": score / 100},
                      matched_skills=skills[0], missing_skills=skills[1])


async def seed(api: Recruiting) -> None:
    """Both companies, their people, jobs and scored candidates, through the API and events."""
    admin = api.auth(Role.ADMIN)
    for company in api.companies:
        made = await api.client.post("/api/v1/companies", json={"name": company.name},
                                     headers=admin)
        assert made.status_code == 201, made.text
        company.company_id = uuid.UUID(made.json()["company_id"])
        for user_id in company.people.values():
            added = await api.client.put(
                f"/api/v1/companies/{company.company_id}/members/{user_id}", headers=admin)
            assert added.status_code == 200, added.text
        recruiter = api.auth(Role.RECRUITER, company)
        for status in ("draft", "published"):
            posted = await api.client.post("/api/v1/jobs", headers=recruiter, json={
                "title": f"Backend engineer at {company.name}", "status": status,
                "description": "Python and PostgreSQL.", "location": "Remote"})
            assert posted.status_code == 201, posted.text
            setattr(company, f"{status}_job", uuid.UUID(posted.json()["job_id"]))
            asked = await api.client.put(f"/api/v1/jobs/{posted.json()['job_id']}/questionnaire",
                                         headers=recruiter, json=SCREENING)
            assert asked.status_code == 200, asked.text
            company.questionnaire = uuid.UUID(asked.json()["questionnaire_id"])
        await api.deliver(MatchesScored(batch_id=uuid.uuid4(), pairs=[
            scored(company.published_job, candidate, score)
            for candidate, score in zip(company.candidates, (88.0, 61.5), strict=True)]))


@pytest.fixture
async def recruiting(database_url: str, redis_url: str,
                     tmp_path: Path) -> AsyncIterator[Recruiting]:
    clock = FakeClock()
    settings = RecruitingSettings(database_url=database_url, redis_url=redis_url,
                                  bus_namespace=f"recruit{uuid.uuid4().hex[:8]}",
                                  blob_dir=tmp_path / "blobs", data_dir=tmp_path,
                                  jwt_secret=SECRET)
    async with open_platform(settings, clock=clock) as platform:
        spec = build(platform, settings)
        assert spec.http_app is not None
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=spec.http_app),
                                     base_url="http://recruiting") as client:
            api = Recruiting(client, spec.http_app, platform.unit_of_work(NAME), clock, spec,
                             (Company("Acme"), Company("Globex")))
            await seed(api)
            yield api

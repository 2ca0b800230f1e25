"""The recruiters' page's live socket on a served system (the gateway and the recruiting
service on one port, as `make run` serves them): who may open a company's feed, and scores
announced to that company's pages alone, after they are committed."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from infra.auth import RECRUITING_ROLES, Role, mint_access_token
from infra.runtime import Platform, open_platform
from schemas.events.envelope import Envelope, EventData
from schemas.events.matching import MatchesScored
from services.gateway.app import build as build_gateway
from services.gateway.settings import GatewaySettings
from services.recruiting.app import build as build_recruiting
from services.recruiting.settings import RecruitingSettings
from tests.integration.recruiting_support import scored
from tests.serving import seed_accounts, serving

pytestmark = pytest.mark.integration

SECRET = SecretStr("recruiting-live-test-secret-0123456789")
PASSWORD = "correct horse battery staple"
WAIT_S = 20
UNSET = uuid.UUID(int=0)  # filled in when the company is made
QUIET_S = 1.0  # how long a socket that should hear nothing is listened to


@dataclass
class Employer:
    name: str
    company_id: uuid.UUID = UNSET
    people: dict[Role, uuid.UUID] = field(
        default_factory=lambda: {role: uuid.uuid4() for role in RECRUITING_ROLES})

    def email(self, role: Role) -> str:
        return f"{role}@{self.name.lower()}.example.test"


@dataclass
class Served:
    platform: Platform
    base: str
    client: httpx.AsyncClient
    employers: tuple[Employer, Employer]
    admin: uuid.UUID
    settings: RecruitingSettings

    def token(self, role: Role, employer: Employer | None = None) -> str:
        user = employer.people[role] if employer and role in RECRUITING_ROLES else (
            self.admin if role is Role.ADMIN else uuid.uuid5(uuid.NAMESPACE_URL, str(role)))
        return mint_access_token(SECRET, user, role)

    def auth(self, role: Role, employer: Employer | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, employer)}"}

    async def publish(self, data: EventData) -> None:
        await self.platform.bus.publish(Envelope.wrap(data, source="jams/test",
                                                      time=datetime.now(UTC)))

    async def post_job(self, employer: Employer, title: str) -> str:
        posted = await self.client.post("/api/v1/jobs", headers=self.auth(
            Role.RECRUITER, employer), json={"title": title, "status": "published"})
        assert posted.status_code == 201, posted.text
        return str(posted.json()["job_id"])

    def socket(self, company_id: uuid.UUID | str, token: str | None,
               origin: str | None = None) -> connect:
        url = f"ws{self.base.removeprefix('http')}/ws/recruiting/{company_id}"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return connect(url, additional_headers=headers,
                       origin=Origin(origin) if origin else None)


@asynccontextmanager
async def served_recruiting(database_url: str, redis_url: str,
                            tmp_path: Path) -> AsyncIterator[Served]:
    """The gateway and the recruiting service on one port, two companies whose people have
    accounts (PASSWORD) and memberships, and an admin."""
    namespace = f"rec{uuid.uuid4().hex[:10]}"
    common: dict[str, Any] = {"bus": "embedded", "bus_namespace": namespace,
                              "database_url": database_url, "redis_url": redis_url,
                              "mongo_url": None, "blob_dir": tmp_path / "blobs",
                              "data_dir": tmp_path, "shutdown_grace_s": 5, "jwt_secret": SECRET}
    gateway_settings = GatewaySettings(**common, presence_namespace=namespace,
                                       password_hash_time_cost=1, password_hash_memory_kib=8192)
    recruiting_settings = RecruitingSettings(**common, presence_namespace=namespace)
    employers = (Employer(f"Acme{namespace}"), Employer(f"Globex{namespace}"))
    admin = uuid.uuid4()
    async with open_platform(gateway_settings) as platform:
        await seed_accounts(platform, gateway_settings, PASSWORD, [
            (user_id, employer.email(role), role)
            for employer in employers for role, user_id in employer.people.items()])
        specs = [build_gateway(platform, gateway_settings),
                 build_recruiting(platform, recruiting_settings)]
        async with serving(platform, specs) as base, \
                httpx.AsyncClient(base_url=base, timeout=30) as client:
            system = Served(platform, base, client, employers, admin, recruiting_settings)
            for employer in employers:
                made = await client.post("/api/v1/companies", json={"name": employer.name},
                                         headers=system.auth(Role.ADMIN))
                assert made.status_code == 201, made.text
                employer.company_id = uuid.UUID(made.json()["company_id"])
                for user_id in employer.people.values():
                    added = await client.put(
                        f"/api/v1/companies/{employer.company_id}/members/{user_id}",
                        headers=system.auth(Role.ADMIN))
                    assert added.status_code == 200, added.text
            yield system


async def message(socket: ClientConnection, timeout_s: float = WAIT_S) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(socket.recv(), timeout_s)))


async def refusal(system: Served, company_id: uuid.UUID | str, token: str | None,
                  origin: str | None = None) -> tuple[int, str]:
    """The close code and reason a socket gets, or (0, "open") if it is let in."""
    try:
        async with system.socket(company_id, token, origin) as socket:
            hello = await message(socket)
            assert hello == {"type": "hello"}
            return 0, "open"
    except ConnectionClosed as closed:
        assert closed.rcvd is not None
        return closed.rcvd.code, closed.rcvd.reason


async def test_a_companys_feed_opens_to_its_people_and_admins_only(
        database_url: str, redis_url: str, tmp_path: Path) -> None:
    async with served_recruiting(database_url, redis_url, tmp_path) as system:
        mine, theirs = system.employers
        nowhere = uuid.uuid4()
        failures = []
        for role in Role:
            token = system.token(role, mine)
            for target, label in ((mine.company_id, "own"), (theirs.company_id, "other"),
                                  (nowhere, "missing")):
                got = await refusal(system, target, token)
                if role is Role.ADMIN or (role in RECRUITING_ROLES and label == "own"):
                    wanted = (0, "open")
                elif role in RECRUITING_ROLES:  # another company's reads as a missing one
                    wanted = (4404, "not found")
                else:
                    wanted = (4403, "employers and admins only")
                if got != wanted:
                    failures.append(f"{role} on {label}: {got}, wanted {wanted}")
        assert not failures, "\n".join(failures)
        assert await refusal(system, mine.company_id, None) == (4401, "log in first")
        assert await refusal(system, mine.company_id, "not.a.token") == (4401, "log in first")
        cross_site = await refusal(system, mine.company_id,
                                   system.token(Role.RECRUITER, mine), "http://evil.example")
        assert cross_site == (4403, "cross-origin socket refused")


async def test_scores_and_statuses_reach_their_companys_pages_alone_once_committed(
        database_url: str, redis_url: str, tmp_path: Path) -> None:
    async with served_recruiting(database_url, redis_url, tmp_path) as system:
        acme, globex = system.employers
        acme_job = await system.post_job(acme, "Backend engineer")
        globex_job = await system.post_job(globex, "Frontend engineer")
        candidate = uuid.uuid4()
        async with system.socket(acme.company_id, system.token(Role.HIRING_MANAGER, acme)) \
                as acme_page, \
                system.socket(globex.company_id, system.token(Role.RECRUITER, globex)) \
                as globex_page:
            for page in (acme_page, globex_page):
                assert await message(page) == {"type": "hello"}

            await system.publish(MatchesScored(batch_id=uuid.uuid4(), pairs=[
                scored(uuid.UUID(acme_job), candidate, 77.0),
                scored(uuid.uuid4(), candidate, 90.0)]))  # a scraped job: nobody's
            assert await message(acme_page) == {"type": "scores", "job_ids": [acme_job]}
            # Announced after the commit: the list fetched on hearing it holds the score.
            ranked = await system.client.get(f"/api/v1/jobs/{acme_job}/candidates",
                                             headers=system.auth(Role.HIRING_MANAGER, acme))
            assert [c["score"] for c in ranked.json()["items"]] == [77.0]
            with pytest.raises(TimeoutError):
                await message(globex_page, QUIET_S)

            await system.publish(MatchesScored(batch_id=uuid.uuid4(), pairs=[
                scored(uuid.UUID(globex_job), candidate, 55.0)]))
            assert await message(globex_page) == {"type": "scores", "job_ids": [globex_job]}
            with pytest.raises(TimeoutError):
                await message(acme_page, QUIET_S)

            # A colleague's status change, once committed and announced on the bus.
            moved = await system.client.patch(
                f"/api/v1/jobs/{acme_job}/candidates/{candidate}", json={"status": "maybe"},
                headers=system.auth(Role.RECRUITER, acme))
            assert moved.status_code == 200, moved.text
            assert await message(acme_page) == {"type": "statuses", "job_ids": [acme_job]}
            with pytest.raises(TimeoutError):
                await message(globex_page, QUIET_S)


async def test_scores_handled_on_one_replica_reach_a_page_held_by_another(
        database_url: str, redis_url: str, tmp_path: Path) -> None:
    async with served_recruiting(database_url, redis_url, tmp_path) as system, \
            open_platform(system.settings) as platform:
        acme = system.employers[0]
        job = await system.post_job(acme, "Backend engineer")
        # A second replica, not serving: it handles the batch the bus gave it.
        other = build_recruiting(platform, system.settings)
        scores = MatchesScored(batch_id=uuid.uuid4(),
                               pairs=[scored(uuid.UUID(job), uuid.uuid4(), 64.0)])
        async with system.socket(acme.company_id, system.token(Role.RECRUITER, acme)) as page:
            assert await message(page) == {"type": "hello"}
            await other.dispatcher(platform.unit_of_work("recruiting"))(Envelope.wrap(
                scores, source="jams/test", time=datetime.now(UTC)))
            assert await message(page) == {"type": "scores", "job_ids": [job]}


async def test_the_page_is_of_the_callers_own_company_whatever_it_asks_for(
        database_url: str, redis_url: str, tmp_path: Path) -> None:
    async with served_recruiting(database_url, redis_url, tmp_path) as system:
        acme, globex = system.employers

        async def page(token: str | None, company: uuid.UUID) -> httpx.Response:
            cookies = {"jams_access": token} if token else {}
            async with httpx.AsyncClient(base_url=system.base, cookies=cookies) as browser:
                return await browser.get("/recruiting", params={"company_id": str(company)})

        for role in RECRUITING_ROLES:
            mine = await page(system.token(role, acme), globex.company_id)
            assert mine.status_code == 200
            assert f'data-company="{acme.company_id}"' in mine.text, role
            assert str(globex.company_id) not in mine.text, role
        # Admins choose the company; a stray employer has none.
        chosen = await page(system.token(Role.ADMIN), globex.company_id)
        assert f'data-company="{globex.company_id}"' in chosen.text
        stray = mint_access_token(SECRET, uuid.uuid4(), Role.RECRUITER)
        assert 'data-company=""' in (await page(stray, acme.company_id)).text
        refused = await page(system.token(Role.REVIEWER), acme.company_id)
        assert refused.status_code == 403 and str(acme.company_id) not in refused.text
        anonymous = await page(None, acme.company_id)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == "/login?next=/recruiting"

"""Two companies on the running system: the gateway, the ATS engine and the recruiting service
in one process on the embedded bus, one HTTP server. Each company's published job is scored
against the seed candidates by the ATS engine over the bus and ranked for that company
alone; nothing of one company reaches the other."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from infra.auth import Role, mint_access_token
from infra.runtime import open_platform, run_services
from infra.settings import CommonSettings
from services.catalog import CATALOG
from services.sandbox_profile import SANDBOX_CANDIDATES

pytestmark = pytest.mark.integration

RUNNING = ("gateway", "ats_engine", "recruiting")
PASSWORD = "a long enough password"
JOBS = {
    "Acme": ("Senior Backend Engineer (Python)",
             "Requirements:\n- Python: five or more years\n- PostgreSQL\n- Kafka\n"),
    "Globex": ("Frontend Engineer", "Requirements:\n- TypeScript\n- React\n- CSS\n"),
}


async def until(check: Callable[[], Awaitable[bool]], timeout_s: float = 90) -> None:
    async with asyncio.timeout(timeout_s):
        while not await check():
            await asyncio.sleep(0.2)


@dataclass
class System:
    client: httpx.AsyncClient
    secret: SecretStr
    running: asyncio.Task[None]

    def auth(self, role: Role, user_id: uuid.UUID) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_access_token(self.secret, user_id, role)}"}


@asynccontextmanager
async def running_system(database_url: str, redis_url: str, tmp_path: Path,
                         names: tuple[str, ...] = RUNNING,
                         settings: dict[str, dict[str, Any]] | None = None,
                         ) -> AsyncIterator[System]:
    """The gateway, the ATS engine and the recruiting service (or those `names`) on the embedded
    bus, one HTTP server, the sandbox's candidates seeded; `settings` adds to a service's."""
    secret = SecretStr(f"recruiting-system-secret-{uuid.uuid4().hex}")
    shared: dict[str, Any] = {
        "bus": "embedded", "bus_namespace": f"rec{uuid.uuid4().hex[:10]}",
        "database_url": database_url, "redis_url": redis_url, "mongo_url": None,
        "blob_dir": tmp_path / "blobs", "data_dir": tmp_path, "jwt_secret": secret,
        "http_port": 0}
    own: dict[str, dict[str, Any]] = {
        "ats_engine": {"candidates_seed": SANDBOX_CANDIDATES, "embeddings": False},
        "gateway": {"mail_sink_file": tmp_path / "mail.jsonl"}}
    for name, extra in (settings or {}).items():
        own[name] = {**own.get(name, {}), **extra}

    async with open_platform(CommonSettings(**shared)) as platform:
        specs = [entry.build(platform, entry.settings_type(**{**shared, **own.get(entry.name, {})}))
                 for entry in CATALOG if entry.name in names]
        stop = asyncio.Event()
        port: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        system = asyncio.create_task(run_services(platform, specs, stop, port=0,
                                                  on_listening=port.set_result))
        try:
            base = f"http://127.0.0.1:{await asyncio.wait_for(port, 60)}"
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                yield System(client, secret, system)
        finally:
            stop.set()
            await asyncio.wait_for(system, 60)


async def acme_job(running: System, recruiter_id: uuid.UUID) -> str:
    """Acme with one recruiter, and its published job's id."""
    client, admin = running.client, running.auth(Role.ADMIN, uuid.uuid4())
    company = (await client.post("/api/v1/companies", json={"name": "Acme"},
                                 headers=admin)).json()["company_id"]
    await client.put(f"/api/v1/companies/{company}/members/{recruiter_id}", headers=admin)
    title, description = JOBS["Acme"]
    posted = await client.post("/api/v1/jobs", headers=running.auth(Role.RECRUITER, recruiter_id),
                               json={"title": title, "description": description,
                                     "status": "published", "location": "Remote"})
    assert posted.status_code == 201, posted.text
    return str(posted.json()["job_id"])


SEEDED = [c["candidate_id"] for c in json.loads(SANDBOX_CANDIDATES.read_text())["candidates"]]


async def test_two_companies_on_the_running_system_see_only_their_own(
        database_url: str, redis_url: str, tmp_path: Path) -> None:
    people = {name: {role: uuid.uuid4() for role in (Role.RECRUITER, Role.HIRING_MANAGER)}
              for name in JOBS}
    async with running_system(database_url, redis_url, tmp_path) as running:
        client, auth, seeded = running.client, running.auth, SEEDED
        admin = auth(Role.ADMIN, uuid.uuid4())
        companies: dict[str, str] = {}
        jobs: dict[str, str] = {}
        for name, (title, description) in JOBS.items():
            made = await client.post("/api/v1/companies", json={"name": name},
                                     headers=admin)
            companies[name] = made.json()["company_id"]
            for user_id in people[name].values():
                await client.put(f"/api/v1/companies/{companies[name]}/members/"
                                 f"{user_id}", headers=admin)
            posted = await client.post(
                "/api/v1/jobs", headers=auth(Role.RECRUITER, people[name][Role.RECRUITER]),
                json={"title": title, "description": description, "status": "published",
                      "location": "Remote"})
            assert posted.status_code == 201, posted.text
            jobs[name] = posted.json()["job_id"]

        def ranked(name: str, job: str) -> Awaitable[httpx.Response]:
            return client.get(f"/api/v1/jobs/{job}/candidates", headers=auth(
                Role.HIRING_MANAGER, people[name][Role.HIRING_MANAGER]))

        async def all_scored() -> bool:
            if running.running.done():
                running.running.result()
            for name, job in jobs.items():
                if len((await ranked(name, job)).json()["items"]) < len(seeded):
                    return False
            return True

        await until(all_scored)
        lists = {name: (await ranked(name, job)).json()["items"]
                 for name, job in jobs.items()}
        assert {c["candidate_id"] for c in lists["Acme"]} == set(seeded)
        assert lists["Acme"][0]["score"] >= lists["Acme"][1]["score"]
        assert lists["Acme"][0]["matched_skills"]

        # The gateway lists the employer's job as any other, with its company.
        public = await client.get(f"/api/v1/jobs/{jobs['Acme']}", headers=admin)
        assert public.status_code == 200 and public.json()["company"] == "Acme"

        best = lists["Acme"][0]["candidate_id"]
        acme_manager = auth(Role.HIRING_MANAGER, people["Acme"][Role.HIRING_MANAGER])
        shortlisted = await client.patch(
            f"/api/v1/jobs/{jobs['Acme']}/candidates/{best}",
            json={"status": "shortlisted"}, headers=acme_manager)
        assert shortlisted.status_code == 200
        for path in (f"/api/v1/jobs/{jobs['Globex']}/candidates",
                     f"/api/v1/companies/{companies['Globex']}/jobs",
                     f"/api/v1/companies/{companies['Globex']}"):
            refused = await client.get(path, headers=acme_manager)
            assert refused.status_code == 404, path
            assert "Globex" not in refused.text and jobs["Globex"] not in refused.text
        crossed = await client.patch(
            f"/api/v1/jobs/{jobs['Globex']}/candidates/{best}",
            json={"status": "rejected"}, headers=acme_manager)
        assert crossed.status_code == 404
        theirs = (await ranked("Globex", jobs["Globex"])).json()["items"]
        assert {c["status"] for c in theirs} == {"pending"}, "Acme's shortlist stays"

        # A hiring manager's own login: an account an admin made, a company's member;
        # disabling it ends its access here too.
        account = await client.post("/api/v1/users", headers=admin, json={
            "email": "hm@acme.example", "password": PASSWORD, "role": "hiring_manager"})
        assert account.status_code == 201, account.text
        user_id = account.json()["user_id"]
        await client.put(f"/api/v1/companies/{companies['Acme']}/members/{user_id}",
                         headers=admin)
        login = await client.post("/api/v1/auth/login", json={
            "email": "hm@acme.example", "password": PASSWORD})
        session = {"Authorization": f"Bearer {login.json()['access_token']}"}
        mine = f"/api/v1/jobs/{jobs['Acme']}/candidates"
        assert (await client.get(mine, headers=session)).status_code == 200
        disabled = await client.patch(f"/api/v1/users/{user_id}",
                                      json={"disabled": True}, headers=admin)
        assert disabled.status_code == 200

        async def session_ended() -> bool:
            return (await client.get(mine, headers=session)).status_code == 401

        await until(session_ended, timeout_s=10)
        globex_jobs = await client.get(
            f"/api/v1/companies/{companies['Globex']}/jobs",
            headers=auth(Role.RECRUITER, people["Globex"][Role.RECRUITER]))
        assert [j["job_id"] for j in globex_jobs.json()["items"]] == [jobs["Globex"]]


async def test_an_edited_published_job_is_scored_again_and_ranked_by_its_new_score(
        database_url: str, redis_url: str, tmp_path: Path) -> None:
    """The edit publishes JobUpdated, the ATS engine scores the job's candidates against its
    new text over the bus, and the ranked list shows the new scores."""
    recruiter_id = uuid.uuid4()
    async with running_system(database_url, redis_url, tmp_path) as running:
        client, recruiter = running.client, running.auth(Role.RECRUITER, recruiter_id)
        job = await acme_job(running, recruiter_id)

        async def scores() -> dict[str, tuple[float, list[str]]]:
            if running.running.done():
                running.running.result()
            listed = await client.get(f"/api/v1/jobs/{job}/candidates", headers=recruiter)
            return {c["candidate_id"]: (c["score"], c["matched_skills"])
                    for c in listed.json()["items"]}

        async def all_scored() -> bool:
            return len(await scores()) == len(SEEDED)

        await until(all_scored)
        before = await scores()
        edited = await client.patch(f"/api/v1/jobs/{job}", headers=recruiter, json={
            "description": "Requirements:\n- Rust\n- Haskell\n- Erlang\n- COBOL\n"})
        assert edited.status_code == 200, edited.text

        async def scored_again() -> bool:
            return await scores() != before

        await until(scored_again)
        await asyncio.sleep(1)  # the rest of the job's candidates, scored in the same batch
        after = await scores()
        best = max(before, key=lambda candidate: before[candidate][0])
        assert after[best][0] < before[best][0], (before, after)
        assert not {"python", "postgresql", "kafka"} & {s.lower() for s in after[best][1]}
        listed = await client.get(f"/api/v1/jobs/{job}/candidates", headers=recruiter)
        ranked = [c["score"] for c in listed.json()["items"]]
        assert ranked == sorted(ranked, reverse=True)

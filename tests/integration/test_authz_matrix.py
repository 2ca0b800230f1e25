"""Authorisation as a matrix: every route of the gateway app x every role x own/other's object.

The expectations here are written out by hand, apart from the policy table they check: a role
a route does not admit gets 403 ERR_FORBIDDEN; a role admitted only to its own objects gets
404 ERR_NOT_FOUND for anyone else's (exactly as for an object that does not exist); any
request without a valid token (none, tampered, expired) gets 401 ERR_AUTH_REQUIRED.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.auth import RECRUITING_ROLES, Role
from infra.clock import FakeClock
from infra.runtime import open_platform
from services.gateway.app import build
from services.gateway.settings import GatewaySettings
from tests.integration.test_gateway_api_support import SECRET, Api, World, seed

pytestmark = pytest.mark.integration

OK, OWN, NO = "ok", "own", "no"  # allowed on any object / only on own (404 else) / 403
ROLES = tuple(Role)


# Employers' people reach no route of the gateway's own but the public job listings; their
# routes are the recruiting service's (tests/integration/test_recruiting_authz_matrix.py).
NOT_EMPLOYERS = dict.fromkeys(RECRUITING_ROLES, NO)


def staff(reviewer: str = NO, candidate: str = NO) -> dict[Role, str]:
    return {Role.ADMIN: OK, Role.OPERATOR: OK, Role.SUPERVISOR: OK, Role.REVIEWER: reviewer,
            Role.CANDIDATE: candidate, **NOT_EMPLOYERS}


def only(admin: str = OK, operator: str = NO, supervisor: str = NO, reviewer: str = NO,
         candidate: str = NO) -> dict[Role, str]:
    return {Role.ADMIN: admin, Role.OPERATOR: operator, Role.SUPERVISOR: supervisor,
            Role.REVIEWER: reviewer, Role.CANDIDATE: candidate, **NOT_EMPLOYERS}


EVERYONE = dict.fromkeys(Role, OK)


@dataclass(frozen=True)
class Case:
    expect: dict[Role, str]
    body: Callable[[], dict[str, Any]] | None = None
    destructive: bool = False  # run on a world of its own
    query: str | None = None  # a list's filter naming whose objects to list


def _config() -> dict[str, Any]:
    return {"version": f"v-{uuid.uuid4().hex[:8]}", "weights": {"title": 1.0}}


# (method, path) -> who may do it. A reviewer's "own" candidate is one they hold a task for.
MATRIX: dict[tuple[str, str], Case] = {
    ("GET", "/api/v1/candidates"): Case(staff()),
    ("GET", "/api/v1/candidates/{candidate_id}"): Case(staff(reviewer=OWN, candidate=OWN)),
    ("DELETE", "/api/v1/candidates/{candidate_id}"): Case(only(candidate=OWN), destructive=True),
    ("GET", "/api/v1/candidates/{candidate_id}/preferences"):
        Case(only(supervisor=OK, candidate=OWN)),
    ("PUT", "/api/v1/candidates/{candidate_id}/preferences"):
        Case(only(candidate=OWN), body=lambda: {"daily_cap": 3}),
    ("GET", "/api/v1/candidates/{candidate_id}/answer-bank"):
        Case(only(supervisor=OK, candidate=OWN)),
    ("PUT", "/api/v1/candidates/{candidate_id}/answer-bank"):
        Case(only(candidate=OWN), body=lambda: {"answers": []}),
    ("GET", "/api/v1/candidates/{candidate_id}/export"): Case(only(candidate=OWN)),
    # A portal session is handed over by the candidate, or by an operator for them.
    ("PUT", "/api/v1/candidates/{candidate_id}/portal-sessions/{portal}"):
        Case(only(operator=OK, candidate=OWN), body=lambda: {"cookies": [{
            "name": "li_at", "value": "token", "domain": ".linkedin.com"}]}),
    ("GET", "/api/v1/candidates/{candidate_id}/resumes"):
        Case(staff(reviewer=OWN, candidate=OWN)),
    ("GET", "/api/v1/resumes/{resume_version_id}"): Case(staff(reviewer=OWN, candidate=OWN)),
    # Resume contents: never operators or supervisors.
    ("GET", "/api/v1/resumes/{resume_version_id}/content"):
        Case(only(reviewer=OWN, candidate=OWN)),
    ("GET", "/api/v1/jobs"): Case(EVERYONE),
    ("GET", "/api/v1/jobs/{job_id}"): Case(EVERYONE),
    ("GET", "/api/v1/matches"): Case(staff(candidate=OWN), query="candidate_id"),
    ("GET", "/api/v1/matches/{match_id}"): Case(staff(reviewer=OWN, candidate=OWN)),
    ("GET", "/api/v1/applications"): Case(staff(candidate=OWN), query="candidate_id"),
    ("GET", "/api/v1/applications/{application_id}"): Case(staff(candidate=OWN)),
    ("GET", "/api/v1/applications/{application_id}/evidence"):
        Case(only(supervisor=OK, candidate=OWN)),
    ("GET", "/api/v1/applications/{application_id}/evidence/{name}"):
        Case(only(supervisor=OK, candidate=OWN)),
    ("GET", "/api/v1/review-tasks"): Case(staff(reviewer=OWN), query="reviewer_id"),
    ("GET", "/api/v1/review-tasks/{task_id}"): Case(staff(reviewer=OWN)),
    ("GET", "/api/v1/reviewers"): Case(staff()),
    ("GET", "/api/v1/reviewers/{reviewer_id}"): Case(staff(reviewer=OWN)),
    ("GET", "/api/v1/reviewers/{reviewer_id}/strikes"): Case(staff(reviewer=OWN)),
    ("POST", "/api/v1/reviewers/{reviewer_id}/unlock"):
        Case(only(), body=lambda: {"reason": "reviewed with the reviewer"}),
    ("GET", "/api/v1/sources"): Case(staff()),
    ("GET", "/api/v1/sources/{source}"): Case(staff()),
    ("GET", "/api/v1/scrape-runs"): Case(staff()),
    ("GET", "/api/v1/scoring-config"): Case(staff()),
    ("PUT", "/api/v1/scoring-config"): Case(only(), body=_config),
    ("GET", "/api/v1/scoring-config/versions"): Case(staff()),
    ("GET", "/api/v1/scoring-config/versions/{version}"): Case(staff()),
    ("PUT", "/api/v1/portals/{portal}/automation"):
        Case(only(operator=OK), body=lambda: {"applying": True}),
    ("GET", "/api/v1/people"): Case(staff()),
    ("GET", "/api/v1/mail"): Case(staff()),
}

# Routes other parts of the gateway own (accounts, uploads, the supervisor page's API): their
# own tests cover roles; here each must at least turn away a caller without a valid token.
PUBLIC = {("POST", "/api/v1/auth/register"), ("POST", "/api/v1/auth/login"),
          ("POST", "/api/v1/auth/refresh"), ("POST", "/api/v1/auth/logout")}
TOKEN_ONLY = {("GET", "/api/v1/auth/me"), ("POST", "/api/v1/auth/password"),
              ("GET", "/api/v1/users"), ("POST", "/api/v1/users"),
              ("PATCH", "/api/v1/users/{user_id}"), ("GET", "/api/supervisor/overview"),
              ("POST", "/api/supervisor/unlock"),
              ("POST", "/api/v1/candidates/{candidate_id}/resumes"),
              ("POST", "/candidates/{candidate_id}/resumes")}


@pytest.fixture
async def gateway(database_url: str, redis_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    clock = FakeClock()
    settings = GatewaySettings(database_url=database_url, redis_url=redis_url,
                               bus_namespace=f"authz{uuid.uuid4().hex[:8]}",
                               blob_dir=tmp_path / "blobs", data_dir=tmp_path,
                               jwt_secret=SECRET, mail_sink_file=tmp_path / "mail.jsonl")
    async with open_platform(settings, clock=clock) as platform:
        spec = build(platform, settings)
        assert spec.http_app is not None
        transport = httpx.ASGITransport(app=spec.http_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            api = Api(client, spec.http_app, platform.unit_of_work("gateway"),
                      platform.blobs, clock, World())  # type: ignore[arg-type]
            await seed(api)
            await api.client.put("/api/v1/scoring-config", json={
                "version": "v1", "weights": {"title": 1.0}}, headers=api.auth(Role.ADMIN))
            yield api


def routes(api: Api) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, operations in api.app.openapi()["paths"].items()
            for method in operations}


def url(api: Api, path: str, own: bool, query: str | None = None) -> str:
    w, i = api.world, 0 if own else 1
    values = {"candidate_id": w.candidates[i], "resume_version_id": w.resumes[i],
              "job_id": w.jobs[i], "match_id": w.matches[i],
              "application_id": w.applications[i], "task_id": w.tasks[i],
              "reviewer_id": w.reviewers[i], "name": "html", "source": w.source,
              "version": "v1", "user_id": uuid.uuid4(), "portal": "linkedin"}
    filled = path.format(**{k: str(v) for k, v in values.items()})
    return f"{filled}?{query}={values[query]}" if query else filled


async def call(api: Api, method: str, path: str, headers: dict[str, str], own: bool = True,
               body: dict[str, Any] | None = None, query: str | None = None) -> httpx.Response:
    return await api.client.request(method, url(api, path, own, query), headers=headers,
                                    json=body)


def code(response: httpx.Response) -> str | None:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


async def test_every_route_is_in_the_matrix(gateway: Api) -> None:
    missing = routes(gateway) - set(MATRIX) - PUBLIC - TOKEN_ONLY
    assert not missing, f"routes with no row in the authorisation matrix: {sorted(missing)}"
    gone = (set(MATRIX) | TOKEN_ONLY) - routes(gateway)
    assert not gone, f"matrix rows for routes that do not exist: {sorted(gone)}"


async def test_every_role_on_own_and_others_objects(gateway: Api) -> None:
    api = gateway
    failures: list[str] = []
    ordered = sorted(MATRIX.items(), key=lambda item: item[1].destructive)
    for (method, path), case in ordered:
        for role in ROLES:
            for own in (True, False):
                if case.destructive:
                    api.world = World()
                    await seed(api)
                body = case.body() if case.body else None
                response = await call(api, method, path, api.auth(role, api.user_of(role)),
                                      own, body, case.query)
                expect = case.expect[role]
                label = f"{method} {path} as {role} on {'own' if own else 'other'}'s"
                if expect == NO or (expect == OWN and not own):
                    status, wanted = (403, "ERR_FORBIDDEN") if expect == NO else (
                        404, "ERR_NOT_FOUND")
                    if (response.status_code, code(response)) != (status, wanted):
                        failures.append(f"{label}: {response.status_code} {code(response)}, "
                                        f"wanted {status} {wanted}")
                elif response.status_code not in (200, 201, 202) and not (
                        path.endswith("/unlock") and response.status_code == 409):
                    failures.append(f"{label}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("token", ["none", "tampered", "expired", "garbage"])
async def test_no_valid_token_no_access_anywhere(gateway: Api, token: str) -> None:
    api = gateway
    good = api.token(Role.ADMIN, ttl_s=60)
    headers = {
        "none": {},
        "tampered": {"Authorization": "Bearer " + good[:-3] + ("AAA" if good[-3:] != "AAA"
                                                               else "BBB")},
        "expired": {"Authorization": f"Bearer {good}"},
        "garbage": {"Authorization": "Bearer not.a.token"},
    }[token]
    if token == "expired":
        api.clock.advance(3600)
    failures = []
    for method, path in sorted((set(MATRIX) | TOKEN_ONLY) & routes(api)):
        response = await call(api, method, path, headers)
        if (response.status_code, code(response)) != (401, "ERR_AUTH_REQUIRED"):
            failures.append(f"{method} {path}: {response.status_code} {code(response)}")
    assert not failures, "\n".join(failures)


async def test_a_reviewer_cannot_read_another_reviewers_task(gateway: Api) -> None:
    api = gateway
    mine, theirs = api.world.tasks
    me = api.auth(Role.REVIEWER, api.world.reviewers[0])
    assert (await api.client.get(f"/api/v1/review-tasks/{mine}", headers=me)).status_code == 200
    response = await api.client.get(f"/api/v1/review-tasks/{theirs}", headers=me)
    assert (response.status_code, code(response)) == (404, "ERR_NOT_FOUND")
    listed = (await api.client.get("/api/v1/review-tasks", headers=me)).json()
    assert [t["task_id"] for t in listed["items"]] == [str(mine)]


async def test_a_candidate_cannot_read_another_candidates_resume(gateway: Api) -> None:
    api = gateway
    me = api.auth(Role.CANDIDATE, api.world.candidates[0])
    own = await api.client.get(f"/api/v1/resumes/{api.world.resumes[0]}/content", headers=me)
    assert own.content == b"resume of candidate 0"
    other = await api.client.get(f"/api/v1/resumes/{api.world.resumes[1]}/content", headers=me)
    assert (other.status_code, code(other)) == (404, "ERR_NOT_FOUND")
    assert b"candidate 1" not in other.content


async def test_operators_never_get_resume_contents(gateway: Api) -> None:
    api = gateway
    response = await api.client.get(f"/api/v1/resumes/{api.world.resumes[0]}/content",
                                    headers=api.auth(Role.OPERATOR))
    assert (response.status_code, code(response)) == (403, "ERR_FORBIDDEN")

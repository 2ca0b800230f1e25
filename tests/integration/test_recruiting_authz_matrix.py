"""Authorisation of the recruiting API as a matrix: every route x every role x own/other
company's object.

Employers' people act within their own company only: another company's object answers
404 ERR_NOT_FOUND exactly as one that does not exist (the same body), so neither its ids nor
its existence can be learnt. A role a route does not admit gets 403; no valid token, 401.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from infra.auth import Role
from tests.integration.recruiting_support import (
    SCREENING,
    Company,
    Recruiting,
    good_answers,
    recruiting,
)
from tests.integration.test_authz_matrix import code

pytestmark = pytest.mark.integration
__all__ = ["recruiting"]  # the fixture

OK, OWN, NO = "ok", "own", "no"  # allowed on any company / only on own (404 else) / 403
ROLES = tuple(Role)


def expect(admin: str = NO, recruiter: str = NO, hiring_manager: str = NO,
           company_admin: str = NO) -> dict[Role, str]:
    """Everyone else (operators, supervisors, reviewers, candidates) is refused."""
    return {**dict.fromkeys(Role, NO), Role.ADMIN: admin, Role.RECRUITER: recruiter,
            Role.HIRING_MANAGER: hiring_manager, Role.COMPANY_ADMIN: company_admin}


READERS = expect(admin=OK, recruiter=OWN, hiring_manager=OWN, company_admin=OWN)
POSTERS = expect(recruiter=OWN, company_admin=OWN)


@dataclass(frozen=True)
class Case:
    expect: dict[Role, str]
    body: Callable[[Company], dict[str, Any]] | None = None


MATRIX: dict[tuple[str, str], Case] = {
    ("POST", "/api/v1/companies"): Case(expect(admin=OK), body=lambda c: {"name": "Initech"}),
    ("GET", "/api/v1/companies/{company_id}"): Case(READERS),
    ("GET", "/api/v1/companies/{company_id}/members"): Case(
        expect(admin=OK, company_admin=OWN)),
    ("PUT", "/api/v1/companies/{company_id}/members/{user_id}"): Case(expect(admin=OK)),
    # The company is named in the body: another company's is refused as a missing one.
    ("POST", "/api/v1/jobs"): Case(POSTERS, body=lambda c: {
        "company_id": str(c.company_id), "title": "Data engineer"}),
    ("PATCH", "/api/v1/jobs/{job_id}"): Case(POSTERS, body=lambda c: {"location": "Berlin"}),
    ("GET", "/api/v1/companies/{company_id}/jobs"): Case(READERS),
    ("GET", "/api/v1/jobs/{job_id}/candidates"): Case(READERS),
    ("PATCH", "/api/v1/jobs/{job_id}/candidates/{candidate_id}"): Case(
        expect(recruiter=OWN, hiring_manager=OWN, company_admin=OWN),
        body=lambda c: {"status": "maybe"}),
    # A published job's questions are read by applicants too (candidates, operators for them).
    ("GET", "/api/v1/questionnaires/{questionnaire_id}"): Case(
        {**READERS, Role.CANDIDATE: OK, Role.OPERATOR: OK}),
    ("GET", "/api/v1/jobs/{job_id}/questionnaire"): Case(READERS),
    ("PUT", "/api/v1/jobs/{job_id}/questionnaire"): Case(POSTERS, body=lambda c: SCREENING),
    # Staff answer for a candidate; a candidate only for themselves (here: for another, 403).
    ("POST", "/api/v1/questionnaires/{questionnaire_id}/answers"): Case(
        {**expect(admin=OK), Role.OPERATOR: OK},
        body=lambda c: good_answers(c.candidates[0])),
}


def routes(api: Recruiting) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, operations in api.app.openapi()["paths"].items()
            for method in operations}


def url(path: str, company: Company) -> str:
    # PATCH of a job edits its draft; the candidates are the published job's.
    job = company.published_job if "candidates" in path else company.draft_job
    return path.format(company_id=company.company_id, job_id=job,
                       candidate_id=company.candidates[0], user_id=uuid.uuid4(),
                       questionnaire_id=company.questionnaire)


async def test_every_route_is_in_the_matrix(recruiting: Recruiting) -> None:
    assert routes(recruiting) == set(MATRIX)


async def test_every_role_on_own_and_other_companys_objects(recruiting: Recruiting) -> None:
    api = recruiting
    mine, theirs = api.companies
    failures: list[str] = []
    for (method, path), case in MATRIX.items():
        for role in ROLES:
            for target in (mine, theirs):
                body = case.body(target) if case.body else None
                response = await api.client.request(method, url(path, target), json=body,
                                                    headers=api.auth(role, mine))
                wanted = case.expect[role]
                label = f"{method} {path} as {role} on {'own' if target is mine else 'other'}"
                if wanted == NO or (wanted == OWN and target is theirs):
                    status, error = (403, "ERR_FORBIDDEN") if wanted == NO else (
                        404, "ERR_NOT_FOUND")
                    if (response.status_code, code(response)) != (status, error):
                        failures.append(f"{label}: {response.status_code} {code(response)}, "
                                        f"wanted {status} {error}")
                elif response.status_code not in (200, 201):
                    failures.append(f"{label}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)


async def test_another_companys_object_reads_exactly_as_a_missing_one(
        recruiting: Recruiting) -> None:
    """Same status, code, message and details: nothing tells 'theirs' from 'none'."""
    api = recruiting
    mine, theirs = api.companies
    nobody = Company("Nobody", company_id=uuid.uuid4(), draft_job=uuid.uuid4(),
                     published_job=uuid.uuid4())
    for role in (Role.RECRUITER, Role.HIRING_MANAGER, Role.COMPANY_ADMIN):
        for (method, path), case in MATRIX.items():
            if case.expect[role] != OWN:
                continue
            answers = []
            for target in (theirs, nobody):
                body = case.body(target) if case.body else None
                response = await api.client.request(method, url(path, target), json=body,
                                                    headers=api.auth(role, mine))
                error = response.json()["error"]
                answers.append((response.status_code, error["code"], error["message"],
                                error["details"]))
            assert answers[0] == answers[1], f"{method} {path} as {role}: {answers}"


async def test_a_member_of_no_company_sees_nothing(recruiting: Recruiting) -> None:
    api = recruiting
    mine = api.companies[0]
    stray = api.auth(Role.RECRUITER, user_id=uuid.uuid4())
    for path in ("/api/v1/companies/{company_id}", "/api/v1/companies/{company_id}/jobs",
                 "/api/v1/jobs/{job_id}/candidates"):
        response = await api.client.get(url(path, mine), headers=stray)
        assert (response.status_code, code(response)) == (404, "ERR_NOT_FOUND"), path
    posted = await api.client.post("/api/v1/jobs", json={"title": "Anything"}, headers=stray)
    assert (posted.status_code, code(posted)) == (404, "ERR_NOT_FOUND")


@pytest.mark.parametrize("token", ["none", "tampered", "garbage"])
async def test_no_valid_token_no_access_anywhere(recruiting: Recruiting, token: str) -> None:
    api = recruiting
    good = api.auth(Role.ADMIN)["Authorization"]
    headers = {"none": {}, "garbage": {"Authorization": "Bearer not.a.token"},
               "tampered": {"Authorization": good[:-3] + ("AAA" if good[-3:] != "AAA"
                                                          else "BBB")}}[token]
    mine = api.companies[0]
    for method, path in MATRIX:
        response = await api.client.request(method, url(path, mine), headers=headers,
                                            json={})
        assert (response.status_code, code(response)) == (401, "ERR_AUTH_REQUIRED"), path

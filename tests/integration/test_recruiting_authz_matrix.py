"""Authorisation of the recruiting API as a matrix: every route x every role x own/other
company's object.

Employers' people act within their own company only: another company's object answers
404 ERR_NOT_FOUND exactly as one that does not exist (the same body), so neither its ids nor
its existence can be learnt. A role a route does not admit gets 403; no valid token, 401.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.auth import Role
from services.recruiting.tables import interviews
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
PEOPLE = expect(recruiter=OWN, hiring_manager=OWN, company_admin=OWN)
# Each scheduled interview an hour after the last, so no interviewer is ever booked twice.
_HOURS = itertools.count()


def new_interview(company: Company) -> dict[str, Any]:
    start = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=next(_HOURS))
    return {"kind": "phone", "starts_at": start.isoformat(), "time_zone": "Europe/Paris",
            "duration_min": 30, "interviewer_ids": [str(company.people[Role.HIRING_MANAGER])]}


@dataclass(frozen=True)
class Case:
    expect: dict[Role, str]
    body: Callable[[Company], dict[str, Any]] | None = None
    # What an allowed call may answer besides 200 and 201: (status, error code or None).
    allowed: tuple[tuple[int, str | None], ...] = ()


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
    ("GET", "/api/v1/jobs/{job_id}/candidates/{candidate_id}/notes"): Case(READERS),
    ("POST", "/api/v1/jobs/{job_id}/candidates/{candidate_id}/notes"): Case(
        expect(recruiter=OWN, hiring_manager=OWN, company_admin=OWN),
        body=lambda c: {"body": "Worth a call"}),
    # Each caller edits a note of their own (only its author may: see test_recruiting_notes).
    ("PATCH", "/api/v1/notes/{note_id}"): Case(
        expect(recruiter=OWN, hiring_manager=OWN, company_admin=OWN),
        body=lambda c: {"body": "Worth a second call"}),
    ("GET", "/api/v1/notes/{note_id}/history"): Case(READERS),
    ("POST", "/api/v1/jobs/{job_id}/candidates/{candidate_id}/links"): Case(
        POSTERS, body=lambda c: {}),
    ("GET", "/api/v1/jobs/{job_id}/candidates/{candidate_id}/links"): Case(READERS),
    ("DELETE", "/api/v1/links/{link_id}"): Case(POSTERS),
    ("POST", "/api/v1/jobs/{job_id}/candidates/{candidate_id}/interviews"): Case(
        PEOPLE, body=lambda c: new_interview(c)),
    ("GET", "/api/v1/jobs/{job_id}/interviews"): Case(READERS),
    ("PATCH", "/api/v1/interviews/{interview_id}"): Case(
        PEOPLE, body=lambda c: {"location": "Room 2"}),
    ("POST", "/api/v1/interviews/{interview_id}/cancel"): Case(PEOPLE),
    ("POST", "/api/v1/interviews/{interview_id}/complete"): Case(PEOPLE),
    # The job is named in the body; its one task at a time answers the calls after the first.
    ("POST", "/api/v1/match/run"): Case(
        expect(recruiter=OWN, hiring_manager=OWN, company_admin=OWN),
        body=lambda c: {"job_id": str(c.published_job), "priority": "high"},
        allowed=((202, None), (409, "ERR_TASK_QUEUED"))),
    ("GET", "/api/v1/match/run/{task_id}"): Case(READERS),
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
# Reached without an account: the link's signed token is the only key (test_recruiting_links).
PUBLIC = {("GET", "/api/v1/shared/{token}")}


def routes(api: Recruiting) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, operations in api.app.openapi()["paths"].items()
            for method in operations}


def url(path: str, company: Company, role: Role = Role.RECRUITER,
        interview_id: uuid.UUID | None = None) -> str:
    # PATCH of a job edits its draft; the candidates and interviews are the published job's.
    job = company.published_job if "candidates" in path or "interviews" in path \
        else company.draft_job
    return path.format(company_id=company.company_id, job_id=job,
                       candidate_id=company.candidates[0], user_id=uuid.uuid4(),
                       note_id=company.notes.get(role, company.notes[Role.RECRUITER]),
                       link_id=company.link, interview_id=interview_id or uuid.uuid4(),
                       task_id=company.rescore_task, questionnaire_id=company.questionnaire)


async def notes_and_links(api: Recruiting) -> None:
    """A note on each company's first candidate by each of its people, and a link to them."""
    for company in api.companies:
        path = f"/api/v1/jobs/{company.published_job}/candidates/{company.candidates[0]}"
        for role in company.people:
            note = await api.client.post(f"{path}/notes", json={"body": "First call went well"},
                                         headers=api.auth(role, company))
            assert note.status_code == 201, note.text
            company.notes[role] = uuid.UUID(note.json()["note_id"])
        link = await api.client.post(f"{path}/links", json={},
                                     headers=api.auth(Role.RECRUITER, company))
        assert link.status_code == 201, link.text
        company.link = uuid.UUID(link.json()["link_id"])


async def interview_of(api: Recruiting, path: str, company: Company) -> uuid.UUID | None:
    """For a route of one interview: a fresh one of the company's, begun half an hour ago
    (so it may be completed, cancelled or moved); a made-up id for a company that is not."""
    if "{interview_id}" not in path:
        return None
    interview_id = uuid.uuid4()
    if company.company_id not in {c.company_id for c in api.companies}:
        return interview_id
    start = api.clock.now() - timedelta(minutes=30) - timedelta(hours=next(_HOURS))
    async with api.uow.transaction() as tx:
        await tx.conn.execute(interviews.insert().values(
            interview_id=interview_id, company_id=company.company_id,
            job_id=company.published_job, candidate_id=company.candidates[0], kind="phone",
            status="scheduled", starts_at=start, time_zone="UTC", duration_min=30,
            interviewer_ids=[company.people[Role.HIRING_MANAGER]],
            created_by=company.people[Role.RECRUITER], created_at=start, updated_at=start))
    return interview_id


async def ask_rescores(api: Recruiting) -> None:
    """A re-score task of each company's published job, asked by its recruiter."""
    for company in api.companies:
        asked = await api.client.post("/api/v1/match/run", headers=api.auth(
            Role.RECRUITER, company), json={"job_id": str(company.published_job)})
        assert asked.status_code == 202, asked.text
        company.rescore_task = uuid.UUID(asked.json()["task_id"])


async def test_every_route_is_in_the_matrix(recruiting: Recruiting) -> None:
    assert routes(recruiting) == set(MATRIX) | PUBLIC


async def test_every_role_on_own_and_other_companys_objects(recruiting: Recruiting) -> None:
    api = recruiting
    await ask_rescores(api)
    mine, theirs = api.companies
    await notes_and_links(api)
    failures: list[str] = []
    for (method, path), case in MATRIX.items():
        for role in ROLES:
            for target in (mine, theirs):
                body = case.body(target) if case.body else None
                address = url(path, target, role, await interview_of(api, path, target))
                response = await api.client.request(method, address, json=body,
                                                    headers=api.auth(role, mine))
                wanted = case.expect[role]
                label = f"{method} {path} as {role} on {'own' if target is mine else 'other'}"
                if wanted == NO or (wanted == OWN and target is theirs):
                    status, error = (403, "ERR_FORBIDDEN") if wanted == NO else (
                        404, "ERR_NOT_FOUND")
                    if (response.status_code, code(response)) != (status, error):
                        failures.append(f"{label}: {response.status_code} {code(response)}, "
                                        f"wanted {status} {error}")
                elif response.status_code not in (200, 201, 204) and (
                        response.status_code, code(response)) not in case.allowed:
                    failures.append(f"{label}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)


async def test_another_companys_object_reads_exactly_as_a_missing_one(
        recruiting: Recruiting) -> None:
    """Same status, code, message and details: nothing tells 'theirs' from 'none'."""
    api = recruiting
    await ask_rescores(api)
    mine, theirs = api.companies
    nobody = Company("Nobody", company_id=uuid.uuid4(), draft_job=uuid.uuid4(),
                     published_job=uuid.uuid4(), rescore_task=uuid.uuid4())
    await notes_and_links(api)
    for role in (Role.RECRUITER, Role.HIRING_MANAGER, Role.COMPANY_ADMIN):
        for (method, path), case in MATRIX.items():
            if case.expect[role] != OWN:
                continue
            answers = []
            for target in (theirs, nobody):
                body = case.body(target) if case.body else None
                address = url(path, target, role, await interview_of(api, path, target))
                response = await api.client.request(method, address, json=body,
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
                 "/api/v1/jobs/{job_id}/candidates",
                 "/api/v1/jobs/{job_id}/candidates/{candidate_id}/notes",
                 "/api/v1/jobs/{job_id}/candidates/{candidate_id}/links"):
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

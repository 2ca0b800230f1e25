"""Notes on candidates on a real PostgreSQL: private to their company, every revision kept,
edited by their author only, @mentions told once to members of the company and nobody else,
erased with the candidate."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from infra.auth import Role
from schemas.events.candidates import CandidateErased
from schemas.events.envelope import Envelope
from schemas.events.matching import MatchesScored
from schemas.events.recruiting import NoteMentioned
from services.notifications.app import registry
from services.notifications.tables import notifications
from services.recruiting.tables import audit_log, note_revisions, notes
from tests.integration.recruiting_support import Company, Recruiting, recruiting, scored

pytestmark = pytest.mark.integration
__all__ = ["recruiting"]  # the fixture


def notes_url(company: Company, candidate: uuid.UUID | None = None) -> str:
    return (f"/api/v1/jobs/{company.published_job}/candidates/"
            f"{candidate or company.candidates[0]}/notes")


async def write(api: Recruiting, company: Company, body: str, role: Role = Role.RECRUITER,
                candidate: uuid.UUID | None = None) -> dict[str, Any]:
    made = await api.client.post(notes_url(company, candidate), json={"body": body},
                                 headers=api.auth(role, company))
    assert made.status_code == 201, made.text
    return dict(made.json())


async def listed(api: Recruiting, company: Company, role: Role = Role.HIRING_MANAGER,
                 candidate: uuid.UUID | None = None) -> list[dict[str, Any]]:
    got = await api.client.get(notes_url(company, candidate), headers=api.auth(role, company))
    assert got.status_code == 200, got.text
    return list(got.json()["items"])


async def test_every_revision_is_kept_and_the_list_is_newest_first(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    first = await write(api, acme, "Strong on PostgreSQL.")
    api.clock.advance(60)
    second = await write(api, acme, "Asked about notice period.", Role.HIRING_MANAGER)
    assert [n["note_id"] for n in await listed(api, acme)] == [second["note_id"],
                                                              first["note_id"]]
    for text in ("Strong on PostgreSQL; weak on Kafka.", "Strong on PostgreSQL and Kafka."):
        api.clock.advance(60)
        edited = await api.client.patch(f"/api/v1/notes/{first['note_id']}", json={"body": text},
                                        headers=api.auth(Role.RECRUITER, acme))
        assert edited.status_code == 200, edited.text
    note = edited.json()
    assert (note["body"], note["revision"], note["created_at"]) == (
        "Strong on PostgreSQL and Kafka.", 3, first["created_at"])
    assert note["edited_at"] > first["created_at"]
    history = await api.client.get(f"/api/v1/notes/{first['note_id']}/history",
                                   headers=api.auth(Role.COMPANY_ADMIN, acme))
    assert history.status_code == 200
    assert [(r["revision"], r["body"], r["written_by"]) for r in history.json()["items"]] == [
        (1, "Strong on PostgreSQL.", str(acme.people[Role.RECRUITER])),
        (2, "Strong on PostgreSQL; weak on Kafka.", str(acme.people[Role.RECRUITER])),
        (3, "Strong on PostgreSQL and Kafka.", str(acme.people[Role.RECRUITER]))]
    # The same text again is no new revision.
    same = await api.client.patch(f"/api/v1/notes/{first['note_id']}",
                                  json={"body": note["body"]},
                                  headers=api.auth(Role.RECRUITER, acme))
    assert same.json()["revision"] == 3
    async with api.uow.engine.connect() as conn:
        actions = list(await conn.scalars(sa.select(audit_log.c.action).where(
            audit_log.c.object_id == first["note_id"]).order_by(audit_log.c.time)))
    assert actions == ["note.written", "note.edited", "note.edited"]


async def test_edits_at_once_are_each_kept_as_their_own_revision(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    note = await write(api, acme, "First impressions.")
    edits = [f"Edit {n}." for n in range(2, 7)]
    answers = await asyncio.gather(*(
        api.client.patch(f"/api/v1/notes/{note['note_id']}", json={"body": body},
                         headers=api.auth(Role.RECRUITER, acme)) for body in edits))
    assert [a.status_code for a in answers] == [200] * len(edits)
    assert sorted(a.json()["revision"] for a in answers) == [2, 3, 4, 5, 6]
    history = (await api.client.get(f"/api/v1/notes/{note['note_id']}/history",
                                    headers=api.auth(Role.RECRUITER, acme))).json()["items"]
    assert [r["revision"] for r in history] == [1, 2, 3, 4, 5, 6]
    assert sorted(r["body"] for r in history[1:]) == sorted(edits)
    [current] = await listed(api, acme)
    assert current["body"] == history[-1]["body"] and current["revision"] == 6


async def test_only_the_author_edits_and_a_refusal_changes_nothing(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    note = await write(api, acme, "Keep for the platform team.")
    for role in (Role.HIRING_MANAGER, Role.COMPANY_ADMIN):
        refused = await api.client.patch(f"/api/v1/notes/{note['note_id']}",
                                         json={"body": "Rewritten by someone else"},
                                         headers=api.auth(role, acme))
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "ERR_FORBIDDEN")
    [kept] = await listed(api, acme)
    assert (kept["body"], kept["revision"], kept["edited_at"]) == (
        "Keep for the platform team.", 1, None)


async def test_two_companies_never_see_each_others_notes_on_the_same_candidate(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme, globex = api.companies
    both = uuid.uuid4()  # scored against both companies' jobs
    await api.deliver(MatchesScored(batch_id=uuid.uuid4(), pairs=[
        scored(acme.published_job, both, 70.0), scored(globex.published_job, both, 75.0)]))
    mine = await write(api, acme, "Acme's view of them.", candidate=both)
    theirs = await write(api, globex, "Globex's view of them.", candidate=both)
    assert [n["note_id"] for n in await listed(api, acme, candidate=both)] == [mine["note_id"]]
    assert [n["note_id"] for n in await listed(api, globex, candidate=both)] == [
        theirs["note_id"]]
    # Another company's note, by any route, reads as a missing one.
    missing = await api.client.get(f"/api/v1/notes/{uuid.uuid4()}/history",
                                   headers=api.auth(Role.RECRUITER, globex))
    for method, path, body in (
            ("GET", f"/api/v1/notes/{mine['note_id']}/history", None),
            ("PATCH", f"/api/v1/notes/{mine['note_id']}", {"body": "overwritten"}),
            ("GET", notes_url(acme, both), None),
            ("POST", notes_url(acme, both), {"body": "a note in their file"})):
        response = await api.client.request(method, path, json=body,
                                            headers=api.auth(Role.RECRUITER, globex))
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["message"] == missing.json()["error"]["message"]
    assert [n["body"] for n in await listed(api, acme, candidate=both)] == [
        "Acme's view of them."]


async def test_a_note_on_someone_who_is_not_the_jobs_candidate_or_with_no_text_is_refused(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    stranger = await api.client.post(notes_url(acme, uuid.uuid4()), json={"body": "Hello"},
                                     headers=api.auth(Role.RECRUITER, acme))
    assert stranger.status_code == 404
    for body in ({"body": ""}, {"body": "x" * 20_001}, {"body": "nul \x00"}, {}):
        bad = await api.client.post(notes_url(acme), json=body,
                                    headers=api.auth(Role.RECRUITER, acme))
        assert (bad.status_code, bad.json()["error"]["code"]) == (422, "ERR_VALIDATION"), body
    async with api.uow.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(notes)) == 0


async def _with_email(api: Recruiting, company: Company, role: Role, email: str) -> None:
    put = await api.client.put(
        f"/api/v1/companies/{company.company_id}/members/{company.people[role]}",
        json={"email": email}, headers=api.auth(Role.ADMIN))
    assert put.status_code == 200 and put.json()["email"] == email.lower(), put.text


async def _notified(api: Recruiting) -> list[tuple[uuid.UUID, str]]:
    async with api.uow.engine.connect() as conn:
        return [(r.recipient_id, r.template) for r in await conn.execute(
            sa.select(notifications.c.recipient_id, notifications.c.template)
            .order_by(notifications.c.recipient_id))]


async def test_a_mention_tells_members_of_the_company_once_and_nobody_else(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme, globex = api.companies
    manager, admin, author = (acme.people[r] for r in (
        Role.HIRING_MANAGER, Role.COMPANY_ADMIN, Role.RECRUITER))
    await _with_email(api, acme, Role.COMPANY_ADMIN, "Cora@Acme.example")
    await _with_email(api, globex, Role.RECRUITER, "gil@globex.example")
    outsider = globex.people[Role.HIRING_MANAGER]
    note = await write(api, acme, f"@{manager} and @cora@acme.example: thoughts? "
                                  f"(not @{outsider}, @gil@globex.example or @{uuid.uuid4()}; "
                                  f"and I am @{author})")
    assert sorted(note["mentions"]) == sorted(map(str, (manager, admin, author)))
    # Edits that keep them, drop one and bring them back tell nobody again.
    for body in (f"@{manager} only", f"@{manager} and @cora@acme.example again"):
        edited = await api.client.patch(f"/api/v1/notes/{note['note_id']}", json={"body": body},
                                        headers=api.auth(Role.RECRUITER, acme))
        assert edited.status_code == 200, edited.text
    [told] = await api.emitted(NoteMentioned)
    assert sorted(told["mentioned"]) == sorted(map(str, (manager, admin)))
    assert (told["company_id"], told["candidate_id"], told["revision"]) == (
        str(acme.company_id), str(acme.candidates[0]), 1)
    assert "thoughts" not in str(told), "the note's text stays in recruiting"

    # The notification service, on the same database, tells each of them once, even when the
    # event is delivered twice.
    notify = registry()
    envelope = Envelope.wrap(NoteMentioned.model_validate(told), source="test",
                             time=api.clock.now())
    for _ in range(2):
        async with api.uow.handling(notify.group, envelope) as tx:
            if tx is not None:
                await notify.handlers[NoteMentioned](NoteMentioned.model_validate(told), tx)
    assert await _notified(api) == sorted([(manager, "note_mentioned"),
                                           (admin, "note_mentioned")])


async def test_the_notes_on_an_erased_candidate_go_with_every_revision(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    gone, stays = acme.candidates
    note = await write(api, acme, "Lives on Moonraker Lane.", candidate=gone)
    await api.client.patch(f"/api/v1/notes/{note['note_id']}", json={"body": "Moved."},
                           headers=api.auth(Role.RECRUITER, acme))
    kept = await write(api, acme, "Someone else.", candidate=stays)
    await api.deliver(CandidateErased(candidate_id=gone))
    async with api.uow.engine.connect() as conn:
        for table in (notes, note_revisions):
            left = set(await conn.scalars(sa.select(table.c.note_id)))
            assert left == {uuid.UUID(kept["note_id"])}, table.name
    gone_notes = await api.client.get(notes_url(acme, gone),
                                      headers=api.auth(Role.RECRUITER, acme))
    assert gone_notes.status_code == 404
    history = await api.client.get(f"/api/v1/notes/{note['note_id']}/history",
                                   headers=api.auth(Role.RECRUITER, acme))
    assert history.status_code == 404

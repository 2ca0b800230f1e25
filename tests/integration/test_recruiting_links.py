"""Shared links on a real PostgreSQL: a signed, expiring, revocable, read-only view of one
candidate's profile and match for one job, for someone without an account; every visit
logged; hidden fields never shown; expired or revoked is 410, a forged token 404."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from infra.auth import Role, TokenVerifier
from infra.browser_policy import PAGE_POLICY
from schemas.events.candidates import CandidateErased
from services.recruiting.app import recruiting_app
from services.recruiting.settings import RecruitingSettings
from services.recruiting.shared_links import link_key, sign
from services.recruiting.tables import audit_log, link_views, shared_links
from tests.integration.recruiting_support import SECRET, Company, Recruiting, recruiting

pytestmark = pytest.mark.integration
__all__ = ["recruiting"]  # the fixture

CONTACT = {"name": "Ann Quillfeather", "email": "ann@example.com", "phone": "+447700900123",
           # What a person typed is shown as text, never as markup.
           "address": "12 Moonraker Lane<script>alert(1)</script>",
           "links": ["https://github.com/annq"]}


class KnownContacts:
    async def contact(self, candidate_id: uuid.UUID) -> Mapping[str, Any]:
        return CONTACT


def links_url(company: Company, candidate: uuid.UUID | None = None) -> str:
    return (f"/api/v1/jobs/{company.published_job}/candidates/"
            f"{candidate or company.candidates[0]}/links")


async def share(api: Recruiting, company: Company, **body: Any) -> dict[str, Any]:
    made = await api.client.post(links_url(company), json=body,
                                 headers=api.auth(Role.RECRUITER, company))
    assert made.status_code == 201, made.text
    return dict(made.json())


def token_of(made: dict[str, Any]) -> str:
    url = str(made["url"])
    assert url.startswith("/shared/")
    return url.removeprefix("/shared/")


async def views(api: Recruiting) -> list[dict[str, Any]]:
    async with api.uow.engine.connect() as conn:
        return [dict(r) for r in (await conn.execute(
            sa.select(link_views).order_by(link_views.c.viewed_at))).mappings()]


def settings_of(tmp_path: Path) -> RecruitingSettings:
    """The fixture's service settings as far as links go: the same secret signs them."""
    return RecruitingSettings(jwt_secret=SECRET, data_dir=tmp_path,
                              database_url="postgresql+psycopg://unused/unused")


async def test_a_link_shows_the_profile_and_match_without_an_account_and_logs_each_view(
        recruiting: Recruiting, tmp_path: Path) -> None:
    api = recruiting
    acme = api.companies[0]
    made = await share(api, acme, hidden_fields=["email", "phone", "explanation"],
                       expires_in_s=3600)
    assert made["hidden_fields"] == ["email", "phone", "explanation"]
    settings = settings_of(tmp_path)
    # The same service with a source of contact details: what is not hidden is shown.
    app = recruiting_app(api.uow, TokenVerifier(SECRET, clock=api.clock), settings,
                         contacts=KnownContacts())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://recruiting") as anonymous:
        got = await anonymous.get(f"/api/v1/shared/{token_of(made)}",
                                  headers={"X-Request-ID": "view-1"})
        assert got.status_code == 200, got.text
        view = got.json()
        assert (view["candidate_id"], view["job_id"], view["score"], view["status"]) == (
            str(acme.candidates[0]), str(acme.published_job), 88.0, "pending")
        assert view["job_title"] == f"Backend engineer at {acme.name}"
        assert (view["name"], view["address"], view["links"]) == (
            CONTACT["name"], CONTACT["address"], CONTACT["links"])
        assert not {"email", "phone", "explanation", "company_id", "match_id"} & set(view)
        assert "ann@example.com" not in got.text and "+447700900123" not in got.text

        page = await anonymous.get(f"/shared/{token_of(made)}",
                                   headers={"X-Request-ID": "view-2"})
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == PAGE_POLICY
    assert page.headers["cache-control"] == "no-store"
    assert "<script" not in page.text.lower() and " style=" not in page.text
    assert "Ann Quillfeather" in page.text
    assert "12 Moonraker Lane&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    # Hidden: the e-mail, and the explanation ("score 88.0" in these tests).
    assert "ann@example.com" not in page.text and "score 88.0" not in page.text
    css = await api.client.get("/shared/assets/shared.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")

    logged = await views(api)
    assert [(v["link_id"], v["request_id"], v["client_addr"], v["outcome"]) for v in logged] == [
        (uuid.UUID(made["link_id"]), "view-1", "127.0.0.1", "shown"),
        (uuid.UUID(made["link_id"]), "view-2", "127.0.0.1", "shown")]
    assert all(v["viewed_at"] == api.clock.now() for v in logged)
    listed = await api.client.get(links_url(acme), headers=api.auth(Role.HIRING_MANAGER, acme))
    [link] = listed.json()["items"]
    assert (link["link_id"], link["views"], link["revoked_at"]) == (made["link_id"], 2, None)


async def test_personal_fields_are_hidden_when_the_company_names_none(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    made = await share(api, acme)  # the default: every personal field hidden
    assert made["hidden_fields"] == ["name", "email", "phone", "address", "links"]
    got = await api.client.get(f"/api/v1/shared/{token_of(made)}")
    assert got.status_code == 200, got.text
    assert not {"name", "email", "phone", "address", "links"} & set(got.json())
    assert got.json()["explanation"] == ["score 88.0"]


async def test_a_revoked_link_is_gone_and_only_its_company_revokes_it(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme, globex = api.companies
    made = await share(api, acme)
    path = f"/api/v1/links/{made['link_id']}"
    other = await api.client.delete(path, headers=api.auth(Role.RECRUITER, globex))
    assert (other.status_code, other.json()["error"]["code"]) == (404, "ERR_NOT_FOUND")
    assert (await api.client.get(f"/api/v1/shared/{token_of(made)}")).status_code == 200
    revoked = await api.client.delete(path, headers=api.auth(Role.COMPANY_ADMIN, acme))
    assert revoked.status_code == 204
    revoked_at = api.clock.now()
    api.clock.advance(30)
    again = await api.client.delete(path, headers=api.auth(Role.RECRUITER, acme))
    assert again.status_code == 204
    gone = await api.client.get(f"/api/v1/shared/{token_of(made)}")
    assert gone.status_code == 410
    assert gone.json()["error"]["code"] == "ERR_GONE"
    assert gone.json()["error"]["details"] == {"reason": "revoked"}
    page = await api.client.get(f"/shared/{token_of(made)}")
    assert page.status_code == 410 and "no longer available" in page.text
    assert "was revoked" in page.text
    async with api.uow.engine.connect() as conn:
        link = (await conn.execute(sa.select(shared_links))).mappings().one()
        actions = list(await conn.scalars(sa.select(audit_log.c.action).where(
            audit_log.c.object_id == made["link_id"])))
    # The second revocation changed nothing.
    assert (link["revoked_by"], link["revoked_at"]) == (acme.people[Role.COMPANY_ADMIN],
                                                        revoked_at)
    assert actions == ["link.created", "link.revoked"]
    assert [v["outcome"] for v in await views(api)] == ["shown", "revoked", "revoked"]


async def test_a_link_is_gone_once_it_expires(recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    made = await share(api, acme, expires_in_s=120)
    api.clock.advance(119)
    assert (await api.client.get(f"/api/v1/shared/{token_of(made)}")).status_code == 200
    api.clock.advance(1)
    gone = await api.client.get(f"/api/v1/shared/{token_of(made)}")
    assert (gone.status_code, gone.json()["error"]["details"]) == (410, {"reason": "expired"})
    page = await api.client.get(f"/shared/{token_of(made)}")
    assert page.status_code == 410 and "expired" in page.text
    assert [v["outcome"] for v in await views(api)] == ["shown", "expired", "expired"]


async def test_a_forged_or_altered_token_reads_as_no_link_at_all(recruiting: Recruiting,
                                                                tmp_path: Path) -> None:
    api = recruiting
    acme = api.companies[0]
    made = await share(api, acme)
    token = token_of(made)
    link = uuid.UUID(made["link_id"])
    expires = (await api.client.get(links_url(acme), headers=api.auth(Role.RECRUITER, acme))
               ).json()["items"][0]["expires_at"]
    forged = (
        token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB"),  # signature altered
        sign(link_key("not the service's secret at all"), link, datetime.fromisoformat(expires)),
        sign(settings_of(tmp_path).shared_link_key(), uuid.uuid4(),
             datetime.fromisoformat(expires)),  # well signed, no such link
        "garbage")
    missing = await api.client.get("/api/v1/shared/garbage")
    for bad in forged:
        got = await api.client.get(f"/api/v1/shared/{bad}")
        assert (got.status_code, got.json()["error"]["code"]) == (404, "ERR_NOT_FOUND"), bad
        assert got.json()["error"]["message"] == missing.json()["error"]["message"]
        page = await api.client.get(f"/shared/{bad}")
        assert page.status_code == 404 and "not found" in page.text.lower()
    assert await views(api) == [], "only the visits of a real link are logged"


async def test_a_link_that_cannot_be_made_is_refused_and_nothing_is_made(
        recruiting: Recruiting) -> None:
    api = recruiting
    acme, globex = api.companies
    recruiter = api.auth(Role.RECRUITER, acme)
    for body in ({"hidden_fields": ["score"]}, {"expires_in_s": 31 * 86400},
                 {"expires_in_s": 10}, {"hidden_fields": "name"}):
        bad = await api.client.post(links_url(acme), json=body, headers=recruiter)
        assert (bad.status_code, bad.json()["error"]["code"]) == (422, "ERR_VALIDATION"), body
    stranger = await api.client.post(links_url(acme, uuid.uuid4()), json={},
                                     headers=recruiter)
    theirs = await api.client.post(links_url(globex), json={}, headers=recruiter)
    assert stranger.status_code == theirs.status_code == 404
    async with api.uow.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(shared_links)) == 0


async def test_an_erased_candidates_links_are_gone(recruiting: Recruiting) -> None:
    api = recruiting
    acme = api.companies[0]
    made = await share(api, acme)
    erased = await api.deliver(CandidateErased(candidate_id=acme.candidates[0]))
    async with api.uow.engine.connect() as conn:
        revoked_at = await conn.scalar(sa.select(shared_links.c.revoked_at))
    assert revoked_at == erased.time
    gone = await api.client.get(f"/api/v1/shared/{token_of(made)}")
    assert (gone.status_code, gone.json()["error"]["details"]) == (410, {"reason": "revoked"})

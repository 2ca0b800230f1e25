"""Shared links: a read-only view of one candidate's profile and match for one job, for
someone without an account. Made, listed and revoked by the company
(`/api/v1/jobs/{job_id}/candidates/{candidate_id}/links`, `/api/v1/links/{link_id}`); read at
`/shared/{token}` (a page) and `/api/v1/shared/{token}` (JSON). Every visit is logged."""

from __future__ import annotations

import uuid
from datetime import datetime
from importlib.resources import files
from typing import Any

import jinja2
import sqlalchemy as sa
import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from infra.http_conventions import ERR_VALIDATION, ApiError, current_request_id
from infra.static_files import CSS, serve_files
from infra.uow import UnitOfWork
from services.recruiting import shared_links as rules
from services.recruiting.access import Authorizer, Caller, not_found
from services.recruiting.api import RESPONSES
from services.recruiting.api.notes import candidate_in_scope
from services.recruiting.audit import record
from services.recruiting.contacts import Contacts
from services.recruiting.shared_links import LinkState
from services.recruiting.tables import applications, candidates, jobs, link_views, shared_links

log = structlog.get_logger(__name__)

ERR_GONE = "ERR_GONE"
GONE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **RESPONSES, 410: {"description": "ERR_GONE: the link expired or was revoked"}}
# Labels of the personal fields on the page, in PERSONAL_FIELDS order.
_LABELS = ("Name", "E-mail", "Phone", "Address", "Links")


class NewLink(BaseModel):
    expires_in_s: int | None = Field(
        default=None, ge=60, description="Seconds the link lasts (default and longest: the "
                                         "service's settings)")
    hidden_fields: list[str] | None = Field(
        default=None, max_length=len(rules.HIDEABLE_FIELDS),
        description=f"Fields the viewer is not shown, of {list(rules.HIDEABLE_FIELDS)}; "
                    f"left out: {list(rules.DEFAULT_HIDDEN)}")


class LinkMade(BaseModel):
    link_id: uuid.UUID
    url: str = Field(description="The address to hand over; whoever holds it can read the "
                                 "view until it expires or is revoked")
    expires_at: datetime
    hidden_fields: list[str]


class LinkOut(BaseModel):
    link_id: uuid.UUID
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    hidden_fields: list[str]
    views: int = Field(description="How many times it was viewed")


class Links(BaseModel):
    items: list[LinkOut]


class SharedView(BaseModel):
    """What a link shows; a hidden field is absent, not null."""

    candidate_id: uuid.UUID
    job_id: uuid.UUID
    job_title: str
    link_expires_at: datetime
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    links: list[str] | None = None
    score: float
    decision: str
    breakdown: dict[str, float]
    matched_skills: list[str]
    missing_skills: list[str]
    explanation: list[str] | None = None
    status: str
    applied_at: datetime | None


class LinkMissing(Exception):
    """A token not issued here, or for no link: answered exactly as any unknown address."""


# The candidate's row for the job, with the job's title and when they applied.
_PROFILE = (sa.select(candidates, jobs.c.title.label("job_title"), applications.c.applied_at)
            .select_from(candidates.join(jobs, jobs.c.job_id == candidates.c.job_id).outerjoin(
                applications, sa.and_(applications.c.job_id == candidates.c.job_id,
                                      applications.c.candidate_id == candidates.c.candidate_id))))


class SharedViews:
    """Opens a token: the view it grants, and a log line and row for every visit."""

    def __init__(self, uow: UnitOfWork, key: bytes, contacts: Contacts) -> None:
        self._uow = uow
        self._key = key
        self._contacts = contacts

    async def open(self, token: str,
                   client_addr: str | None) -> tuple[LinkState, SharedView | None]:
        try:
            claimed = rules.verify(self._key, token)
        except rules.BadToken:
            raise LinkMissing from None
        async with self._uow.transaction() as tx:
            link = (await tx.conn.execute(sa.select(shared_links).where(
                shared_links.c.link_id == claimed.link_id))).mappings().first()
            if link is None or link["expires_at"] != claimed.expires_at:
                raise LinkMissing
            now = tx.clock.now()
            status = rules.state(link["expires_at"], link["revoked_at"], now)
            view = None
            if status is LinkState.LIVE:
                row = (await tx.conn.execute(_PROFILE.where(
                    candidates.c.job_id == link["job_id"],
                    candidates.c.candidate_id == link["candidate_id"]))).mappings().first()
                if row is None:  # no longer the job's candidate: as good as revoked
                    status = LinkState.REVOKED
                else:
                    contact = await self._contacts.contact(link["candidate_id"])
                    profile = {**dict(row), "link_expires_at": link["expires_at"],
                               **{name: contact.get(name) for name in rules.PERSONAL_FIELDS}}
                    view = SharedView.model_validate(
                        rules.shown(profile, link["hidden_fields"]))
            outcome = "shown" if view is not None else status.value
            await tx.conn.execute(link_views.insert().values(
                view_id=uuid.uuid4(), link_id=link["link_id"], viewed_at=now,
                request_id=current_request_id() or None, client_addr=client_addr,
                outcome=outcome))
        log.info("shared link viewed", link_id=str(link["link_id"]), outcome=outcome,
                 client_addr=client_addr)
        return status, view


def _gone(status: LinkState) -> str:
    return "expired" if status is LinkState.EXPIRED else "was revoked"


def shared_routes(app: FastAPI, views: SharedViews) -> APIRouter:
    """The views of a link: JSON for programs, a page (no scripts) for people."""
    router = APIRouter(tags=["recruiting"])
    page = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
        files("services.recruiting").joinpath("shared.html").read_text("utf-8"))
    serve_files(app, "/shared/assets", files("services.recruiting"), {"shared.css": CSS})

    @router.get("/api/v1/shared/{token}", response_model=SharedView,
                response_model_exclude_unset=True, responses=GONE_RESPONSES,
                summary="A shared candidate's profile and match (no account; the link's token)")
    async def shared_json(token: str, request: Request) -> SharedView:
        try:
            status, view = await views.open(token, request.client.host if request.client
                                            else None)
        except LinkMissing:
            raise not_found() from None
        if view is None:
            raise ApiError(410, ERR_GONE, f"this link {_gone(status)}",
                           {"reason": status.value})
        return view

    @router.get("/shared/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def shared_page(token: str, request: Request) -> HTMLResponse:
        personal = list(zip(_LABELS, rules.PERSONAL_FIELDS, strict=True))
        headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
        try:
            status, view = await views.open(token, request.client.host if request.client
                                            else None)
        except LinkMissing:
            return HTMLResponse(page.render(profile=None, gone=None, personal=personal),
                                status_code=404, headers=headers)
        if view is None:
            return HTMLResponse(page.render(profile=None, gone=_gone(status), personal=personal),
                                status_code=410, headers=headers)
        shown = view.model_dump(exclude_unset=True)
        return HTMLResponse(page.render(profile=shown, gone=None, personal=personal),
                            headers=headers)

    return router


def link_routes(uow: UnitOfWork, authorize: Authorizer, key: bytes, *, base_url: str,
                ttl_s: int, max_ttl_s: int) -> APIRouter:
    router = APIRouter(tags=["recruiting"], responses=RESPONSES)
    on_candidate = "/api/v1/jobs/{job_id}/candidates/{candidate_id}/links"

    @router.post(on_candidate, status_code=201,
                 summary="Share a candidate's profile and match for the job through a signed, "
                         "expiring, read-only link")
    async def create(job_id: uuid.UUID, candidate_id: uuid.UUID, body: NewLink,
                     caller: Caller = Depends(authorize("links.create"))) -> LinkMade:
        try:
            hidden = rules.hidden_fields(body.hidden_fields)
        except ValueError as exc:
            raise ApiError(422, ERR_VALIDATION, str(exc)) from None
        lasts = body.expires_in_s or ttl_s
        if lasts > max_ttl_s:
            raise ApiError(422, ERR_VALIDATION, f"a link lasts at most {max_ttl_s} s",
                           {"max_expires_in_s": max_ttl_s})
        async with uow.transaction() as tx:
            job = await candidate_in_scope(tx, caller, job_id, candidate_id)
            now = tx.clock.now()
            link = {"link_id": uuid.uuid4(), "company_id": job["company_id"], "job_id": job_id,
                    "candidate_id": candidate_id, "hidden_fields": hidden,
                    "created_by": caller.principal.user_id, "created_at": now,
                    "expires_at": rules.expiry(now, lasts)}
            await tx.conn.execute(shared_links.insert().values(**link))
            await record(tx, caller, "link.created", "link", link["link_id"], job["company_id"],
                         {"candidate_id": str(candidate_id), "job_id": str(job_id),
                          "hidden_fields": hidden})
        token = rules.sign(key, link["link_id"], link["expires_at"])
        return LinkMade(link_id=link["link_id"], url=f"{base_url}/shared/{token}",
                        expires_at=link["expires_at"], hidden_fields=hidden)

    @router.get(on_candidate, summary="The links to a candidate's view, newest first, each "
                                      "with its number of views")
    async def list_links(job_id: uuid.UUID, candidate_id: uuid.UUID,
                         caller: Caller = Depends(authorize("links.list"))) -> Links:
        views = (sa.select(sa.func.count()).where(link_views.c.link_id == shared_links.c.link_id,
                                                  link_views.c.outcome == "shown")
                 .scalar_subquery())
        async with uow.transaction() as tx:
            await candidate_in_scope(tx, caller, job_id, candidate_id)
            rows = (await tx.conn.execute(sa.select(shared_links, views.label("views")).where(
                shared_links.c.job_id == job_id, shared_links.c.candidate_id == candidate_id)
                .order_by(shared_links.c.created_at.desc(), shared_links.c.link_id.desc())
            )).mappings()
            return Links(items=[LinkOut.model_validate(dict(r)) for r in rows])

    @router.delete("/api/v1/links/{link_id}", status_code=204,
                   summary="Revoke a link: it answers 410 from now on (again: no change)")
    async def revoke(link_id: uuid.UUID,
                     caller: Caller = Depends(authorize("links.revoke"))) -> Response:
        async with uow.transaction() as tx:
            link = (await tx.conn.execute(sa.select(shared_links).where(
                shared_links.c.link_id == link_id).with_for_update())).mappings().first()
            company_id = caller.check(link["company_id"] if link else None)
            if link is not None and link["revoked_at"] is None:
                await tx.conn.execute(shared_links.update().where(
                    shared_links.c.link_id == link_id).values(
                    revoked_at=tx.clock.now(), revoked_by=caller.principal.user_id))
                await record(tx, caller, "link.revoked", "link", link_id, company_id)
        return Response(status_code=204)

    return router

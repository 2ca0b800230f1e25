"""Who may do what, and on which company's objects.

A role an action does not admit gets 403 ERR_FORBIDDEN. Employers' people (recruiters, hiring
managers, company admins) act only within their own company: any object of another company
answers 404 ERR_NOT_FOUND with the same message as an object that does not exist, so neither
ids nor the existence of another company's jobs and candidates can be probed. Platform admins
read every company and manage companies and their members; they post nothing for a company.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.auth import RECRUITING_ROLES, Principal, PrincipalDependency, Role
from infra.http_conventions import ERR_FORBIDDEN, ERR_NOT_FOUND, ApiError
from services.recruiting.tables import members

READERS = frozenset({Role.ADMIN, *RECRUITING_ROLES})
POSTERS = frozenset({Role.RECRUITER, Role.COMPANY_ADMIN})

POLICY: Mapping[str, frozenset[Role]] = {
    "companies.create": frozenset({Role.ADMIN}),
    "companies.get": READERS,
    "companies.members.list": frozenset({Role.ADMIN, Role.COMPANY_ADMIN}),
    "companies.members.put": frozenset({Role.ADMIN}),
    "jobs.create": POSTERS,
    "jobs.update": POSTERS,
    "jobs.list": READERS,
    "candidates.list": READERS,
    "candidates.status": RECRUITING_ROLES,
    "notes.list": READERS,
    "notes.create": RECRUITING_ROLES,
    "notes.update": RECRUITING_ROLES,  # and only by the note's author
    "notes.history": READERS,
    "links.create": POSTERS,
    "links.list": READERS,
    "links.revoke": POSTERS,
    "interviews.schedule": RECRUITING_ROLES,
    "interviews.list": READERS,
    "interviews.update": RECRUITING_ROLES,
    "match.run": RECRUITING_ROLES,
    "match.status": READERS,
    "questionnaires.get": frozenset({*READERS, Role.CANDIDATE, Role.OPERATOR}),
    "questionnaires.job": READERS,
    "questionnaires.put": POSTERS,
    "questionnaires.answer": frozenset({Role.CANDIDATE, Role.ADMIN, Role.OPERATOR}),
}


def not_found() -> ApiError:
    """The one answer for a missing object and for another company's."""
    return ApiError(404, ERR_NOT_FOUND, "not found")


@dataclass(frozen=True)
class Caller:
    """An allowed caller and the company they act for (None: an admin, or no company yet)."""

    principal: Principal
    company_id: uuid.UUID | None

    @property
    def every_company(self) -> bool:
        return self.principal.role is Role.ADMIN

    def sees(self, company_id: uuid.UUID | None) -> bool:
        if company_id is None:
            return False
        return self.every_company or company_id == self.company_id

    def check(self, company_id: uuid.UUID | None) -> uuid.UUID:
        """The object's company if the caller may see it; 404 otherwise (or if missing)."""
        if not self.sees(company_id):
            raise not_found()
        assert company_id is not None  # sees() is False for None
        return company_id


CallerDependency = Callable[..., Awaitable[Caller]]


class Authorizer:
    """Makes the dependency each route uses: `Depends(authorizer("jobs.create"))`."""

    def __init__(self, principal: PrincipalDependency, engine: AsyncEngine,
                 policy: Mapping[str, frozenset[Role]] = POLICY) -> None:
        self._principal = principal
        self._engine = engine
        self._policy = policy

    def __call__(self, action: str) -> CallerDependency:
        roles = self._policy[action]  # KeyError at start-up for an action missing here

        async def caller(principal: Principal = Depends(self._principal)) -> Caller:
            if principal.role not in roles:
                raise ApiError(403, ERR_FORBIDDEN, "your role may not do this",
                               {"action": action})
            return await caller_of(self._engine, principal)

        return caller


async def caller_of(engine: AsyncEngine, principal: Principal) -> Caller:
    """The principal with the company they act for: an employer's by membership."""
    company = None
    if principal.role in RECRUITING_ROLES:
        async with engine.connect() as conn:
            company = await conn.scalar(sa.select(members.c.company_id).where(
                members.c.user_id == principal.user_id))
    return Caller(principal, company)

"""Who may do what through the API: one table, one dependency every router uses.

A role missing from an action's roles gets 403 ERR_FORBIDDEN. A role with an ownership rule
may act only on its own objects; anyone else's object answers 404 ERR_NOT_FOUND, exactly as
an object that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncConnection

from infra.auth import Principal, PrincipalDependency, Role
from infra.http_conventions import ERR_FORBIDDEN, ERR_NOT_FOUND, ApiError
from schemas.events.matching import without_resume_quotes
from services.gateway.readmodel import tables as t

A, S = Role.ADMIN, Role.SUPERVISOR
STAFF = frozenset({Role.ADMIN, Role.OPERATOR, Role.SUPERVISOR})
EVERYONE = frozenset(Role)


class Owner(StrEnum):
    """How an object belongs to a caller of a restricted role."""

    CANDIDATE = "candidate"  # the object's candidate_id is the caller
    REVIEWER = "reviewer"  # the object's reviewer_id is the caller
    REVIEWER_OF_CANDIDATE = "reviewer_of_candidate"  # the caller holds a task for the candidate


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    owners: Mapping[Role, Owner] = field(default_factory=dict)


def _rule(roles: frozenset[Role] | set[Role], **owners: Owner) -> Rule:
    by_role = {Role(name): owner for name, owner in owners.items()}
    return Rule(frozenset(roles) | frozenset(by_role), by_role)


OWN_CANDIDATE = Owner.CANDIDATE
TASK_HOLDER = Owner.REVIEWER_OF_CANDIDATE

POLICY: Mapping[str, Rule] = {
    "candidates.list": _rule(STAFF),
    "candidates.get": _rule(STAFF, candidate=OWN_CANDIDATE, reviewer=TASK_HOLDER),
    "candidates.preferences.get": _rule({A, S}, candidate=OWN_CANDIDATE),
    "candidates.preferences.put": _rule({A}, candidate=OWN_CANDIDATE),
    "candidates.answers.get": _rule({A, S}, candidate=OWN_CANDIDATE),
    "candidates.answers.put": _rule({A}, candidate=OWN_CANDIDATE),
    "candidates.export": _rule({A}, candidate=OWN_CANDIDATE),
    "candidates.delete": _rule({A}, candidate=OWN_CANDIDATE),
    # A portal session is handed over, never read back: by the candidate or an operator.
    "candidates.portal_sessions.put": _rule({A, Role.OPERATOR}, candidate=OWN_CANDIDATE),
    "resumes.list": _rule(STAFF, candidate=OWN_CANDIDATE, reviewer=TASK_HOLDER),
    "resumes.get": _rule(STAFF, candidate=OWN_CANDIDATE, reviewer=TASK_HOLDER),
    # Resume contents: never operators or supervisors.
    "resumes.content": _rule({A}, candidate=OWN_CANDIDATE, reviewer=TASK_HOLDER),
    "jobs.list": _rule(EVERYONE),
    "jobs.get": _rule(EVERYONE),
    "matches.list": _rule(STAFF, candidate=OWN_CANDIDATE),
    "matches.get": _rule(STAFF, candidate=OWN_CANDIDATE, reviewer=TASK_HOLDER),
    "applications.list": _rule(STAFF, candidate=OWN_CANDIDATE),
    "applications.get": _rule(STAFF, candidate=OWN_CANDIDATE),
    # Evidence holds what was typed into the form (contact details): not for operators.
    "applications.evidence": _rule({A, S}, candidate=OWN_CANDIDATE),
    "tasks.list": _rule(STAFF, reviewer=Owner.REVIEWER),
    "tasks.get": _rule(STAFF, reviewer=Owner.REVIEWER),
    "reviewers.list": _rule(STAFF),
    "reviewers.get": _rule(STAFF, reviewer=Owner.REVIEWER),
    "reviewers.strikes": _rule(STAFF, reviewer=Owner.REVIEWER),
    "reviewers.unlock": _rule({A}),
    "sources.list": _rule(STAFF),
    "sources.get": _rule(STAFF),
    "scrape_runs.list": _rule(STAFF),
    "config.list": _rule(STAFF),
    "config.get": _rule(STAFF),
    "config.current": _rule(STAFF),
    "config.put": _rule({A}),
    # Switching a portal's automation on or off: its terms are the operators' to weigh.
    "portals.automation.put": _rule({A, Role.OPERATOR}),
}


# Who may read resume contents at all; explanations reach anyone else with the resume's
# quotes withheld.
RESUME_READERS = POLICY["resumes.content"].roles


def not_found(what: str = "not found") -> ApiError:
    return ApiError(404, ERR_NOT_FOUND, what)


def narrowed(own: uuid.UUID | None, asked: uuid.UUID | None) -> uuid.UUID | None:
    """Whose items a list shows: `own` for a caller who sees only their own (asking for
    someone else's is 404), otherwise whoever was asked for, if anyone."""
    if own is None:
        return asked
    if asked is not None and asked != own:
        raise not_found()
    return own


@dataclass(frozen=True)
class Access:
    """The caller, allowed to attempt `action`; objects still need `check`."""

    principal: Principal
    action: str
    rule: Rule

    @property
    def owner_rule(self) -> Owner | None:
        return self.rule.owners.get(self.principal.role)

    def readable(self, row: dict[str, Any]) -> dict[str, Any]:
        """A row with an explanation as the caller may read it: as stored for those who may
        read resume contents, with the resume's quotes withheld for operators and
        supervisors."""
        if self.principal.role in RESUME_READERS or row["explanation"] is None:
            return row
        return {**row, "explanation": without_resume_quotes(row["explanation"])}

    def own_candidate(self) -> uuid.UUID | None:
        """The candidate id lists must be narrowed to, if the caller sees only their own."""
        return self.principal.user_id if self.owner_rule is Owner.CANDIDATE else None

    def own_reviewer(self) -> uuid.UUID | None:
        """The reviewer id lists must be narrowed to, if the caller sees only their own."""
        return self.principal.user_id if self.owner_rule is Owner.REVIEWER else None

    async def check(self, conn: AsyncConnection, *, candidate_id: uuid.UUID | None = None,
                    reviewer_id: uuid.UUID | None = None) -> None:
        """404 unless the object (with these owners) is the caller's to see."""
        match self.owner_rule:
            case None:
                return
            case Owner.CANDIDATE:
                allowed = self.principal.owns(candidate_id)
            case Owner.REVIEWER:
                allowed = self.principal.owns(reviewer_id)
            case Owner.REVIEWER_OF_CANDIDATE:
                allowed = candidate_id is not None and await holds_task_for(
                    conn, self.principal.user_id, candidate_id)
        if not allowed:
            raise not_found()


async def holds_task_for(conn: AsyncConnection, reviewer_id: uuid.UUID,
                         candidate_id: uuid.UUID) -> bool:
    """True while a review task for the candidate is offered to or held by the reviewer."""
    return bool(await conn.scalar(sa.select(sa.exists().where(
        t.review_tasks.c.reviewer_id == reviewer_id,
        t.review_tasks.c.candidate_id == candidate_id,
        t.review_tasks.c.status.in_(("offered", "assigned"))))))


AccessDependency = Callable[..., Awaitable[Access]]


class Authorizer:
    """Makes the one dependency routers use: `Depends(authorizer("jobs.list"))`."""

    def __init__(self, principal: PrincipalDependency,
                 policy: Mapping[str, Rule] = POLICY) -> None:
        self._principal = principal
        self._policy = policy

    def __call__(self, action: str) -> AccessDependency:
        rule = self._policy[action]  # KeyError at start-up for an action missing here

        async def access(caller: Principal = Depends(self._principal)) -> Access:
            if caller.role not in rule.roles:
                raise ApiError(403, ERR_FORBIDDEN, "your role may not do this",
                               {"action": action})
            return Access(caller, action, rule)

        return access

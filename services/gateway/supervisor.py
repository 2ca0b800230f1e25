"""The supervisor's view: presence, load, tasks in flight, misses, locks; admins unlock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from infra.auth import Principal, PrincipalDependency, Role, TokenVerifier, require_roles
from infra.clock import Clock
from infra.http_conventions import ERROR_RESPONSES
from infra.presence import PresenceEntry, PresenceReader
from infra.uow import UnitOfWork
from schemas.events.review import UnlockReviewer
from services.gateway import audit
from services.gateway.accounts.store import emails_of
from services.gateway.adapters.offers import RedisReviewerBoard
from services.gateway.policy import STAFF
from services.gateway.web import page_for

SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})


class UnlockRequest(BaseModel):
    """An admin's unlock of one reviewer, with the reason that is recorded."""

    reviewer_id: uuid.UUID
    reason: str = Field(min_length=3, max_length=2000)


@dataclass(frozen=True)
class SupervisorView:
    """Reads what the gateway keeps in Redis; unlocks go to the workflow as commands."""

    presence: PresenceReader
    board: RedisReviewerBoard
    clock: Clock
    uow: UnitOfWork

    async def unlock(self, admin: Principal, reviewer_id: uuid.UUID, reason: str) -> None:
        """Order the workflow to unlock; the order and its audit entry commit together."""
        async with self.uow.transaction() as tx:
            tx.emit(UnlockReviewer(reviewer_id=reviewer_id, admin_id=str(admin.user_id),
                                   reason=reason))
            await audit.record(tx.conn, at=tx.clock.now(), actor=admin,
                               action="reviewer.unlock_requested", object_type="reviewer",
                               object_id=reviewer_id, details={"reason": reason})

    async def overview(self) -> dict[str, Any]:
        now = self.clock.now()
        tasks = await self.board.open_tasks()
        load: dict[str, int] = {}
        for task in tasks:
            load[task["reviewer_id"]] = load.get(task["reviewer_id"], 0) + 1
        states = await self.board.states()
        presence = await self.presence.entries()
        reviewers = sorted({*(str(r) for r in presence), *states})
        async with self.uow.engine.connect() as conn:
            names = {str(k): v for k, v in (await emails_of(conn, [
                uuid.UUID(rid) for rid in {*reviewers, *(t["reviewer_id"] for t in tasks)}
            ])).items()}
        return {
            "reviewers": [{
                "reviewer_id": rid, "reviewer": names.get(rid, rid),
                "status": _status(presence.get(uuid.UUID(rid)), now),
                "load": load.get(rid, 0),
                **{"strikes": 0, "misses": 0, "locked": False, **states.get(rid, {})},
            } for rid in reviewers],
            "tasks": [{
                "task_id": t["task_id"], "reviewer_id": t["reviewer_id"],
                "reviewer": names.get(t["reviewer_id"], t["reviewer_id"]),
                "job_title": t.get("job_title", ""), "state": t.get("state", "offered"),
                "warned": bool(t.get("warned")),
                "seconds_left": _left(t.get("due_at") or t.get("offer_expires_at"), now),
            } for t in tasks],
        }


def _status(entry: PresenceEntry | None, now: datetime) -> str:
    return "offline" if entry is None else entry.status


def _left(deadline: str | None, now: datetime) -> float | None:
    if not deadline:
        return None
    return round((datetime.fromisoformat(deadline) - now).total_seconds(), 1)


def supervisor_routes(app: FastAPI, view: SupervisorView, page: str,
                      verifier: TokenVerifier, principal: PrincipalDependency) -> FastAPI:
    """The supervisor page (supervisors, admins) and its API routes (unlock: admins) on `app`,
    and the names of people for every staff page."""
    supervisor = require_roles(*SUPERVISORS, principal=principal)
    staff = require_roles(*STAFF, principal=principal)
    admin = require_roles(Role.ADMIN, principal=principal)

    @app.get("/supervisor", include_in_schema=False)
    async def supervisor_page(request: Request) -> Response:
        return page_for(verifier, request, page, SUPERVISORS)

    @app.get("/api/supervisor/overview", tags=["supervisor"], responses=ERROR_RESPONSES)
    async def overview(_: Principal = Depends(supervisor)) -> dict[str, Any]:
        return await view.overview()

    @app.get("/api/v1/people", tags=["users"], responses=ERROR_RESPONSES,
             summary="How pages name people: the e-mail of each account asked for (staff)")
    async def people(ids: list[uuid.UUID] = Query(default=[], max_length=500),
                     _: Principal = Depends(staff)) -> dict[str, dict[str, str]]:
        async with view.uow.engine.connect() as conn:
            found = await emails_of(conn, ids)
        return {"people": {str(user_id): email for user_id, email in found.items()}}

    @app.post("/api/supervisor/unlock", status_code=202, tags=["supervisor"],
              responses=ERROR_RESPONSES)
    async def unlock(request: UnlockRequest,
                     caller: Principal = Depends(admin)) -> dict[str, str]:
        await view.unlock(caller, request.reviewer_id, request.reason)
        return {"status": "unlock requested"}

    return app

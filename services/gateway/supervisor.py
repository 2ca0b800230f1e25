"""The supervisor's view: presence, load, tasks in flight, misses, locks; admins unlock."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel, Field, SecretStr

from infra.clock import Clock
from schemas.events.review import UnlockReviewer
from services.gateway.adapters.offers import RedisReviewerBoard
from services.gateway.adapters.presence import PresenceStore
from services.gateway.publisher import DirectPublisher


class UnlockRequest(BaseModel):
    """An admin's unlock of one reviewer, with the reason that is recorded."""

    reviewer_id: uuid.UUID
    reason: str = Field(min_length=3, max_length=2000)


@dataclass(frozen=True)
class SupervisorView:
    """Reads what the gateway keeps in Redis; unlocks go to the workflow as commands."""

    admins: Mapping[str, SecretStr]
    presence: PresenceStore
    board: RedisReviewerBoard
    publisher: DirectPublisher
    clock: Clock

    def admin_of(self, admin_id: str | None, token: str | None) -> str:
        expected = self.admins.get(admin_id or "")
        if expected is None or not token or not hmac.compare_digest(
                expected.get_secret_value().encode(), token.encode()):
            raise HTTPException(status_code=401, detail="unknown admin or token")
        return str(admin_id)

    async def overview(self) -> dict[str, Any]:
        now = self.clock.now()
        tasks = await self.board.open_tasks()
        load: dict[str, int] = {}
        for task in tasks:
            load[task["reviewer_id"]] = load.get(task["reviewer_id"], 0) + 1
        states = await self.board.states()
        presence = await self.presence.entries()
        reviewers = sorted({*(str(r) for r in presence), *states})
        return {
            "reviewers": [{
                "reviewer_id": rid,
                "status": _status(presence.get(uuid.UUID(rid)), now),
                "load": load.get(rid, 0),
                **{"strikes": 0, "misses": 0, "locked": False, **states.get(rid, {})},
            } for rid in reviewers],
            "tasks": [{
                "task_id": t["task_id"], "reviewer_id": t["reviewer_id"],
                "job_title": t.get("job_title", ""), "state": t.get("state", "offered"),
                "warned": bool(t.get("warned")),
                "seconds_left": _left(t.get("due_at") or t.get("offer_expires_at"), now),
            } for t in tasks],
        }


def _status(entry: Any, now: datetime) -> str:
    return "offline" if entry is None else str(entry.status)


def _left(deadline: str | None, now: datetime) -> float | None:
    if not deadline:
        return None
    return round((datetime.fromisoformat(deadline) - now).total_seconds(), 1)


def supervisor_routes(app: FastAPI, view: SupervisorView, page: str) -> FastAPI:
    """The supervisor page and its two API routes on `app`."""
    from fastapi.responses import HTMLResponse

    @app.get("/supervisor", response_class=HTMLResponse, include_in_schema=False)
    async def supervisor_page() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get("/api/supervisor/overview")
    async def overview(x_admin_id: str | None = Header(default=None),
                       x_admin_token: str | None = Header(default=None)) -> dict[str, Any]:
        view.admin_of(x_admin_id, x_admin_token)
        return await view.overview()

    @app.post("/api/supervisor/unlock", status_code=202)
    async def unlock(request: UnlockRequest, x_admin_id: str | None = Header(default=None),
                     x_admin_token: str | None = Header(default=None)) -> dict[str, str]:
        admin = view.admin_of(x_admin_id, x_admin_token)
        await view.publisher.publish(UnlockReviewer(
            reviewer_id=request.reviewer_id, admin_id=admin, reason=request.reason))
        return {"status": "unlock requested"}

    return app

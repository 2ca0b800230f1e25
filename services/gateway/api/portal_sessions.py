"""Candidates' portal sessions: handed over as Playwright storage state, sealed, sent on.

The session goes to the bot the way files do: sealed (AES-GCM) into the blob store, its key in
a PortalSessionProvided event. It is never read back through the API, logged or audited
beyond the fact that it was handed over.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from infra.http_conventions import ERR_DEPENDENCY, ApiError
from infra.portal_sessions import PORTAL, session_blob_key
from schemas.events.candidates import PortalSessionProvided
from services.gateway.api.common import ApiDeps
from services.gateway.api.models import Accepted, ErrorOut
from services.gateway.audit import record
from services.gateway.policy import Access, not_found
from services.gateway.readmodel import queries

_Text = Annotated[str, Field(max_length=8192)]
_Name = Annotated[str, Field(min_length=1, max_length=512)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Cookie(_Strict):
    """A cookie as Playwright's `storage_state()` writes it."""

    name: _Name
    value: _Text
    domain: Annotated[str, Field(min_length=1, max_length=255)]
    path: Annotated[str, Field(max_length=1024)] = "/"
    expires: float = -1
    # Playwright's own spelling of the fields.
    httpOnly: bool = False
    secure: bool = False
    sameSite: Literal["Strict", "Lax", "None"] = "Lax"


class StorageItem(_Strict):
    name: _Name
    value: Annotated[str, Field(max_length=65536)]


class OriginStorage(_Strict):
    origin: Annotated[str, Field(min_length=1, max_length=2048)]
    localStorage: list[StorageItem] = Field(default_factory=list, max_length=500)


class StorageStateIn(_Strict):
    """Playwright's storage state of a browser signed in to the portal."""

    cookies: list[Cookie] = Field(default_factory=list, max_length=500)
    origins: list[OriginStorage] = Field(default_factory=list, max_length=50)


PortalName = Annotated[str, Path(pattern=PORTAL.pattern, max_length=100,
                                 description="The portal, as the bot names it: linkedin, indeed")]


def router(deps: ApiDeps) -> APIRouter:
    api = APIRouter(tags=["candidates"])

    @api.put("/candidates/{candidate_id}/portal-sessions/{portal}",
             name="candidates.portal_sessions.put", status_code=202, response_model=Accepted,
             responses={503: {"model": ErrorOut,
                              "description": "No key to seal portal sessions is configured"}})
    async def put_session(
        candidate_id: uuid.UUID, portal: PortalName, body: StorageStateIn,
        access: Access = Depends(deps.authorize("candidates.portal_sessions.put")),
    ) -> Accepted:
        if deps.keyring is None:
            raise ApiError(503, ERR_DEPENDENCY, "portal sessions are not configured")
        async with deps.read() as conn:
            await access.check(conn, candidate_id=candidate_id)
            row = await queries.candidate(conn, candidate_id)
        if row is not None and row["erased_at"] is not None:
            raise not_found()
        key = session_blob_key(candidate_id, portal)
        state = json.dumps(body.model_dump(mode="json"), separators=(",", ":")).encode()
        # The file first: an event always names a file that is there.
        await deps.blobs.put(key, deps.keyring.seal(state, candidate_id, portal))
        async with deps.uow.transaction() as tx:
            envelope = tx.emit(PortalSessionProvided(
                candidate_id=candidate_id, portal=portal, blob_key=key,
                actor_id=access.principal.user_id))
            await record(tx.conn, at=tx.clock.now(), actor=access.principal,
                         action="candidate.portal_session.update", object_type="candidate",
                         object_id=candidate_id,
                         details={"event_id": str(envelope.id), "portal": portal})
        return Accepted(event_id=envelope.id)

    return api

"""Portals' automation, switched by operators: applying and scraping, each on or off."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from schemas.events.config import PortalAutomationChanged
from services.gateway.api.common import ApiDeps
from services.gateway.api.models import Accepted
from services.gateway.api.portal_sessions import PortalName
from services.gateway.audit import record
from services.gateway.policy import Access


class AutomationIn(BaseModel):
    """What to switch; a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    applying: bool | None = Field(default=None, description="The bot applies on the portal")
    scraping: bool | None = Field(default=None, description="Discovery scrapes the portal")


def router(deps: ApiDeps) -> APIRouter:
    api = APIRouter(tags=["portals"])

    @api.put("/portals/{portal}/automation", name="portals.automation.put", status_code=202,
             response_model=Accepted)
    async def put_automation(
        portal: PortalName, body: AutomationIn,
        access: Access = Depends(deps.authorize("portals.automation.put")),
    ) -> Accepted:
        async with deps.uow.transaction() as tx:
            envelope = tx.emit(PortalAutomationChanged(
                portal=portal, applying=body.applying, scraping=body.scraping,
                actor_id=access.principal.user_id))
            await record(tx.conn, at=tx.clock.now(), actor=access.principal,
                         action="portal.automation.update", object_type="portal",
                         object_id=portal, details={"event_id": str(envelope.id),
                                                    **body.model_dump(exclude_none=True)})
        return Accepted(event_id=envelope.id)

    return api

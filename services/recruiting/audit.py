"""The recruiting audit log: written in the transaction of the change it describes."""

from __future__ import annotations

import uuid
from typing import Any

from infra.http_conventions import current_request_id
from infra.uow import Transaction
from services.recruiting.access import Caller
from services.recruiting.tables import audit_log


async def record(tx: Transaction, caller: Caller, action: str, object_type: str,
                 object_id: uuid.UUID | str, company_id: uuid.UUID,
                 details: dict[str, Any] | None = None) -> None:
    await tx.conn.execute(audit_log.insert().values(
        audit_id=uuid.uuid4(), time=tx.clock.now(), actor=caller.principal.user_id,
        actor_role=str(caller.principal.role), company_id=company_id, action=action,
        object_type=object_type, object_id=str(object_id), details=details or {},
        request_id=current_request_id() or None))

"""The e-mails page: what the local SMTP sink of the embedded default received (staff only)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response

from infra.auth import Principal, PrincipalDependency, TokenVerifier, require_roles
from infra.http_conventions import ERROR_RESPONSES
from infra.mail_sink import read_sunk_mail
from services.gateway.policy import STAFF
from services.gateway.web import page, page_for


def mail_routes(app: FastAPI, sink_file: Path, verifier: TokenVerifier,
                principal: PrincipalDependency) -> FastAPI:
    """`/mail` and `/api/v1/mail`: the newest e-mails kept in `sink_file`, newest first."""
    staff = require_roles(*STAFF, principal=principal)
    html = page("mail.html")

    @app.get("/mail", include_in_schema=False)
    async def mail_page(request: Request) -> Response:
        return page_for(verifier, request, html, STAFF)

    @app.get("/api/v1/mail", tags=["mail"], responses=ERROR_RESPONSES,
             summary="E-mails the local SMTP sink received, newest first")
    async def sent_mail(_: Principal = Depends(staff)) -> dict[str, Any]:
        return {"messages": await asyncio.to_thread(read_sunk_mail, sink_file)}

    return app

"""Resume upload route: POST a file, get a new immutable resume version (or a clear 4xx)."""

from __future__ import annotations

import hmac
import uuid

from fastapi import FastAPI, Header, HTTPException, UploadFile
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from infra.blobs import BlobStore
from infra.runtime import Platform
from infra.uow import UnitOfWork
from services.ats_engine.documents import DocumentError
from services.ats_engine.engine import Engine
from services.ats_engine.intake import upload_resume
from services.ats_engine.settings import AtsSettings
from services.ats_engine.skills import default_taxonomy


def with_resume_uploads(app: FastAPI, platform: Platform,
                        tokens: dict[uuid.UUID, SecretStr]) -> FastAPI:
    """Add `POST /candidates/{candidate_id}/resumes` to `app` and return it."""
    return resume_routes(app, platform.unit_of_work("gateway"), platform.blobs, tokens,
                         AtsSettings())


def resume_routes(app: FastAPI, uow: UnitOfWork, blobs: BlobStore,
                  tokens: dict[uuid.UUID, SecretStr], settings: AtsSettings) -> FastAPI:
    """The upload route on `app`, with its dependencies given."""
    engine = Engine(default_taxonomy(), settings.limits())

    def authorised(reviewer: uuid.UUID | None, token: str | None) -> bool:
        expected = tokens.get(reviewer) if reviewer else None
        return bool(expected and token and hmac.compare_digest(
            expected.get_secret_value().encode(), token.encode()))

    @app.post("/candidates/{candidate_id}/resumes", status_code=201)
    async def upload(candidate_id: uuid.UUID, file: UploadFile,
                     task_id: uuid.UUID | None = None,
                     x_reviewer_id: uuid.UUID | None = Header(default=None),
                     x_reviewer_token: str | None = Header(default=None)) -> JSONResponse:
        # Skeleton auth, as for the reviewer socket: staff upload with their reviewer token.
        if not authorised(x_reviewer_id, x_reviewer_token):
            raise HTTPException(status_code=401, detail="unknown reviewer or token")
        content = await file.read(settings.max_upload_bytes + 1)
        try:
            uploaded = await upload_resume(
                uow, blobs, engine, candidate_id, file.filename or "resume",
                content, file.content_type,
                created_by="reviewer" if task_id else "candidate", task_id=task_id)
        except DocumentError as exc:
            status = 413 if len(content) > settings.max_upload_bytes else 422
            raise HTTPException(status_code=status, detail=str(exc)) from exc
        return JSONResponse(status_code=201 if uploaded.new else 200, content={
            "resume_version_id": str(uploaded.event.resume_version_id),
            "blob_key": uploaded.event.blob_key, "new": uploaded.new})

    return app

"""Resume upload route: check a file while the uploader waits, store it, announce it.

The checks that must answer at once (type, size, pages, corrupt or encrypted PDF, zip bomb,
empty file, non-UTF-8 text) run here; bad input gets a 4xx and nothing is stored. A good file
goes to the blob store under a key named by its content, and ResumeFileUploaded tells the ATS
engine, which makes it a resume version once per content and announces ResumeVersionCreated.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from fastapi import Depends, FastAPI, UploadFile
from fastapi.responses import JSONResponse

from infra.auth import Principal, PrincipalDependency, Role
from infra.blobs import BlobStore
from infra.http_conventions import ERR_FORBIDDEN, ERR_VALIDATION, ApiError
from infra.resume_files import (
    DocumentError,
    ResumeFileSettings,
    check_file,
    resume_blob_key,
    resume_version_id,
)
from infra.runtime import Platform
from infra.uow import UnitOfWork
from schemas.events.resumes import ResumeFileUploaded
from services.gateway.adapters.offers import RedisOfferBook

PATHS = ("/api/v1/candidates/{candidate_id}/resumes", "/candidates/{candidate_id}/resumes")
# (reviewer, task, candidate) -> does the reviewer hold that task, and is it for that candidate?
TaskCheck = Callable[[uuid.UUID, uuid.UUID, uuid.UUID], Awaitable[bool]]


def offered_task_check(offers: RedisOfferBook) -> TaskCheck:
    """A reviewer holds a task while it is offered to them or accepted, until it closes."""

    async def holds(reviewer_id: uuid.UUID, task_id: uuid.UUID,
                    candidate_id: uuid.UUID) -> bool:
        return any(offer.get("task_id") == str(task_id)
                   and offer.get("candidate_id") == str(candidate_id)
                   for offer in await offers.open_offers(reviewer_id))

    return holds


def with_resume_uploads(app: FastAPI, platform: Platform, principal: PrincipalDependency,
                        offers: RedisOfferBook) -> FastAPI:
    """Add the upload route to `app` and return it."""
    return resume_routes(app, platform.unit_of_work("gateway"), platform.blobs, principal,
                         offered_task_check(offers), ResumeFileSettings())


async def _authorise(caller: Principal, candidate_id: uuid.UUID, task_id: uuid.UUID | None,
                     holds_task: TaskCheck) -> str:
    """Who the version is made by, or ApiError: the candidate, a reviewer on their task, admin."""
    if caller.role is Role.ADMIN:
        return "reviewer" if task_id else "candidate"
    if caller.role is Role.CANDIDATE and caller.owns(candidate_id):
        if task_id is not None:
            raise ApiError(403, ERR_FORBIDDEN, "a candidate's own upload names no review task")
        return "candidate"
    if caller.role is Role.REVIEWER:
        if task_id is None:
            raise ApiError(403, ERR_FORBIDDEN, "a reviewer uploads for a review task: "
                           "give task_id")
        if not await holds_task(caller.user_id, task_id, candidate_id):
            raise ApiError(403, ERR_FORBIDDEN, "that review task is not yours, not open, "
                           "or not for this candidate")
        return "reviewer"
    raise ApiError(403, ERR_FORBIDDEN, "you may not upload resumes for this candidate")


def resume_routes(app: FastAPI, uow: UnitOfWork, blobs: BlobStore,
                  principal: PrincipalDependency, holds_task: TaskCheck,
                  settings: ResumeFileSettings) -> FastAPI:
    """The upload route on `app`, with its dependencies given."""
    limits = settings.limits()

    async def upload(candidate_id: uuid.UUID, file: UploadFile,
                     task_id: uuid.UUID | None = None,
                     caller: Principal = Depends(principal)) -> JSONResponse:
        created_by = await _authorise(caller, candidate_id, task_id, holds_task)
        content = await file.read(limits.max_bytes + 1)
        try:
            checked = check_file(content, file.filename, file.content_type, limits)
        except DocumentError as exc:
            status = 413 if len(content) > limits.max_bytes else 422
            raise ApiError(status, ERR_VALIDATION, str(exc)) from exc
        version = resume_version_id(candidate_id, checked.sha256)
        key = resume_blob_key(candidate_id, version, checked.extension)
        new = not await blobs.exists(key)
        # The blob first, the event with the commit: a failed commit leaves a file nobody
        # names, and the uploader's retry announces it. Announcing a known file again is
        # harmless: the ATS engine makes one version per content.
        await blobs.put(key, content)
        async with uow.transaction() as tx:
            tx.emit(ResumeFileUploaded(
                candidate_id=candidate_id, resume_version_id=version, blob_key=key,
                content_sha256=checked.sha256, kind=checked.kind,
                filename=(file.filename or "resume")[:300], created_by=created_by,
                task_id=task_id, uploaded_by=caller.user_id))
        return JSONResponse(status_code=201 if new else 200, content={
            "resume_version_id": str(version), "blob_key": key, "new": new})

    for path in PATHS:
        app.add_api_route(path, upload, methods=["POST"], status_code=201,
                          summary="Upload a resume file as a new version")
    return app

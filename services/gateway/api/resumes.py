"""Resume versions: metadata to staff and owners; contents only to the candidate, a reviewer
holding a task for them, and admins."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from services.gateway.api.common import ApiDeps, Cursor, Limit, page_of, paged, visible_row
from services.gateway.api.models import PageOut, ResumeVersionOut
from services.gateway.policy import Access, not_found
from services.gateway.readmodel import queries


def router(deps: ApiDeps) -> APIRouter:
    api = APIRouter(tags=["resumes"])

    @api.get("/candidates/{candidate_id}/resumes", name="resumes.list",
             response_model=PageOut[ResumeVersionOut])
    async def list_resumes(
        candidate_id: uuid.UUID,
        access: Access = Depends(deps.authorize("resumes.list")),
        cursor: Cursor = None, limit: Limit = 50,
    ) -> PageOut[ResumeVersionOut]:
        async with deps.read() as conn:
            await access.check(conn, candidate_id=candidate_id)
            return page_of(ResumeVersionOut, await paged(
                queries.resume_versions(conn, candidate_id, cursor, limit)))

    async def visible(access: Access, resume_version_id: uuid.UUID) -> dict[str, Any]:
        return await visible_row(deps, access, lambda conn: queries.resume_version(
            conn, resume_version_id), "candidate_id")

    @api.get("/resumes/{resume_version_id}", name="resumes.get",
             response_model=ResumeVersionOut)
    async def get_resume(
        resume_version_id: uuid.UUID,
        access: Access = Depends(deps.authorize("resumes.get")),
    ) -> ResumeVersionOut:
        return ResumeVersionOut.model_validate(await visible(access, resume_version_id))

    @api.get("/resumes/{resume_version_id}/content", name="resumes.content",
             response_class=Response,
             responses={200: {"content": {"application/octet-stream": {}},
                              "description": "The resume file as uploaded"}})
    async def get_content(
        resume_version_id: uuid.UUID,
        access: Access = Depends(deps.authorize("resumes.content")),
    ) -> Response:
        row = await visible(access, resume_version_id)
        try:
            content = await deps.blobs.get(row["blob_key"])
        except FileNotFoundError as exc:
            raise not_found("resume file not found") from exc
        return Response(content, media_type="application/octet-stream", headers={
            "Content-Disposition": f'attachment; filename="resume-{resume_version_id}"'})

    return api

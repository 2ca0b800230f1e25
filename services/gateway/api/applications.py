"""Applications and their evidence (fetched from the blob store by the event's key)."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from infra.blobs import BlobStore
from services.gateway.api.common import ApiDeps, Cursor, Limit, page_of, paged, visible_row
from services.gateway.api.models import ApplicationOut, PageOut
from services.gateway.policy import Access, narrowed, not_found
from services.gateway.readmodel import queries


def shaped(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "has_evidence": bool(row.get("evidence_key"))}


def router(deps: ApiDeps) -> APIRouter:
    api = APIRouter(tags=["applications"])

    @api.get("/applications", name="applications.list", response_model=PageOut[ApplicationOut])
    async def list_applications(
        access: Access = Depends(deps.authorize("applications.list")),
        cursor: Cursor = None, limit: Limit = 50, candidate_id: uuid.UUID | None = None,
        status: Annotated[str | None, Query(pattern="^(submitted|failed|needs_review)$")]
        = None,
    ) -> PageOut[ApplicationOut]:
        async with deps.read() as conn:
            return page_of(ApplicationOut, await paged(queries.applications(
                conn, candidate_id=narrowed(access.own_candidate(), candidate_id), status=status,
                cursor=cursor, limit=limit)), shaped)

    async def visible(access: Access, application_id: uuid.UUID) -> dict[str, Any]:
        return await visible_row(deps, access, lambda conn: queries.application(
            conn, application_id), "candidate_id")

    @api.get("/applications/{application_id}", name="applications.get",
             response_model=ApplicationOut)
    async def get_application(
        application_id: uuid.UUID,
        access: Access = Depends(deps.authorize("applications.get")),
    ) -> ApplicationOut:
        return ApplicationOut.model_validate(shaped(await visible(access, application_id)))

    @api.get("/applications/{application_id}/evidence", name="applications.evidence",
             response_class=Response,
             responses={200: {"content": {"application/json": {}},
                              "description": "The evidence the bot stored"}})
    async def get_evidence(
        application_id: uuid.UUID,
        access: Access = Depends(deps.authorize("applications.evidence")),
    ) -> Response:
        row = await visible(access, application_id)
        if not row["evidence_key"]:
            raise not_found("no evidence for this application")
        try:
            content = await deps.blobs.get(row["evidence_key"])
        except FileNotFoundError as exc:
            raise not_found("evidence not found") from exc
        return Response(content, media_type="application/json")

    @api.get("/applications/{application_id}/evidence/{name}", name="applications.evidence",
             response_class=Response,
             responses={200: {"content": {"application/octet-stream": {}},
                              "description": "One file the evidence manifest lists"}})
    async def get_evidence_file(
        application_id: uuid.UUID,
        name: Annotated[str, Path(pattern="^[a-z_]{1,40}$")],
        access: Access = Depends(deps.authorize("applications.evidence")),
    ) -> Response:
        row = await visible(access, application_id)
        files = await evidence_files(deps.blobs, row["evidence_key"])
        if name not in files:
            raise not_found("no such evidence file")
        try:
            content = await deps.blobs.get(files[name])
        except FileNotFoundError as exc:
            raise not_found("evidence not found") from exc
        media = "image/png" if files[name].endswith(".png") else "application/octet-stream"
        return Response(content, media_type=media)

    return api


async def evidence_files(blobs: BlobStore, manifest_key: str | None) -> dict[str, str]:
    """The files an evidence manifest lists (name -> blob key); none if it is unreadable."""
    if not manifest_key:
        return {}
    try:
        manifest = json.loads(await blobs.get(manifest_key))
    except (FileNotFoundError, ValueError):
        return {}
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict):
        return {}
    return {str(k): v for k, v in files.items() if isinstance(v, str) and v}

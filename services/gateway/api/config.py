"""The scoring config, versioned: list and read versions; admins store a new one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy.dialects.postgresql import insert

from infra.http_conventions import ERR_CONFLICT, ERR_VALIDATION, ApiError
from schemas.events.config import ScoringConfigChanged
from services.gateway.api.common import ApiDeps, Cursor, Limit, found, page_of, paged
from services.gateway.api.models import (
    WEIGHT_NAMES,
    PageOut,
    ScoringConfigIn,
    ScoringConfigOut,
    Text,
)
from services.gateway.audit import record
from services.gateway.policy import Access, not_found
from services.gateway.readmodel import queries
from services.gateway.readmodel import tables as t


def problems(config: ScoringConfigIn) -> list[str]:
    """What the ATS engine would refuse in this config (it keeps its old one then)."""
    found_problems = []
    unknown = sorted(set(config.weights) - set(WEIGHT_NAMES))
    if unknown:
        found_problems.append(f"unknown weights: {unknown}")
    if any(w < 0 for w in config.weights.values()) or sum(config.weights.values()) <= 0:
        found_problems.append("weights must be non-negative and not all zero")
    if config.thresholds.review_floor > config.thresholds.auto_apply:
        found_problems.append("thresholds.review_floor must not exceed thresholds.auto_apply")
    return found_problems


def router(deps: ApiDeps) -> APIRouter:
    api = APIRouter(tags=["scoring config"])

    @api.get("/scoring-config", name="config.current", response_model=ScoringConfigOut)
    async def current(access: Access = Depends(deps.authorize("config.current")),
                      ) -> ScoringConfigOut:
        async with deps.read() as conn:
            current = await queries.current_scoring_config(conn)
        if current is None:
            raise not_found("no version stored through the API yet: the ATS engine scores "
                            "with its weights file")
        return ScoringConfigOut.model_validate(current)

    @api.get("/scoring-config/versions", name="config.list",
             response_model=PageOut[ScoringConfigOut])
    async def versions(access: Access = Depends(deps.authorize("config.list")),
                       cursor: Cursor = None, limit: Limit = 50) -> PageOut[ScoringConfigOut]:
        async with deps.read() as conn:
            return page_of(ScoringConfigOut,
                           await paged(queries.scoring_configs(conn, cursor, limit)))

    @api.get("/scoring-config/versions/{version}", name="config.get",
             response_model=ScoringConfigOut)
    async def version(version: Annotated[Text, Path(max_length=200)],
                      access: Access = Depends(deps.authorize("config.get")),
                      ) -> ScoringConfigOut:
        async with deps.read() as conn:
            return ScoringConfigOut.model_validate(
                found(await queries.scoring_config(conn, version)))

    @api.put("/scoring-config", name="config.put", status_code=201,
             response_model=ScoringConfigOut)
    async def store(body: ScoringConfigIn,
                    access: Access = Depends(deps.authorize("config.put")),
                    ) -> ScoringConfigOut:
        if found_problems := problems(body):
            raise ApiError(422, ERR_VALIDATION, "invalid scoring config", found_problems)
        document = body.model_dump(mode="json")
        async with deps.uow.transaction() as tx:
            now = tx.clock.now()
            # Written here too, so the new version reads back at once and a taken version
            # number is refused; the projection of the event then changes nothing.
            stored = await tx.conn.scalar(insert(t.scoring_configs).values(
                version=body.version, config=document, actor_id=access.principal.user_id,
                created_at=now).on_conflict_do_nothing().returning(t.scoring_configs.c.version))
            if stored is None:
                raise ApiError(409, ERR_CONFLICT, f"version {body.version!r} exists already")
            envelope = tx.emit(ScoringConfigChanged(version=body.version, config=document,
                                                    actor_id=access.principal.user_id))
            await record(tx.conn, at=now, actor=access.principal, action="scoring_config.put",
                         object_type="scoring_config", object_id=body.version,
                         details={"event_id": str(envelope.id), "config": document})
        return ScoringConfigOut(version=body.version, config=document,
                                actor_id=access.principal.user_id, created_at=now)

    return api

"""Adds the read model's projections and the `/api/v1` routers to the gateway's spec."""

from __future__ import annotations

import dataclasses

from infra.auth import TokenVerifier, principal_dependency
from infra.portal_sessions import Keyring
from infra.runtime import Platform
from infra.service import RawHandler, ServiceSpec, TransactionalHandler
from infra.uow import UnitOfWork
from schemas.events.envelope import Envelope, EventData
from services.gateway.api.common import ApiDeps
from services.gateway.api.routes import api_router
from services.gateway.policy import Authorizer
from services.gateway.readmodel.projections import PROJECTIONS


def projected_then(projection: TransactionalHandler, raw: RawHandler, uow: UnitOfWork,
                   group: str) -> RawHandler:
    """Project once per event id, then run the raw handler (live pushes) as before."""

    async def handle(data: EventData, envelope: Envelope) -> None:
        async with uow.handling(group, envelope) as tx:
            if tx is not None:
                await projection(data, tx)
        await raw(data, envelope)

    return handle


def with_read_model(spec: ServiceSpec, uow: UnitOfWork) -> ServiceSpec:
    """`spec` with every projection registered next to the handlers it already has."""
    raw = dict(spec.raw_handlers)
    handlers = dict(spec.handlers)
    for event_type, projection in PROJECTIONS.items():
        if event_type in raw:
            raw[event_type] = projected_then(projection, raw[event_type], uow, spec.group)
        elif event_type in handlers:
            raise ValueError(f"{event_type.__name__} already has a transactional handler")
        else:
            handlers[event_type] = projection
    return dataclasses.replace(spec, handlers=handlers, raw_handlers=raw)


def with_api(spec: ServiceSpec, platform: Platform, verifier: TokenVerifier,
             keyring: Keyring | None = None) -> ServiceSpec:
    """The read model's projections and the `/api/v1` routers on the gateway's spec."""
    uow = platform.unit_of_work(spec.name)
    if spec.http_app is not None:
        deps = ApiDeps(platform.engine, uow, platform.blobs,
                       Authorizer(principal_dependency(verifier)), platform.clock, keyring)
        spec.http_app.include_router(api_router(deps))
    return with_read_model(spec, uow)

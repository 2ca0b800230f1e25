"""All `/api/v1` routers together."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.api import (
    applications,
    candidates,
    config,
    jobs,
    matches,
    portal_sessions,
    portals,
    resumes,
    reviewers,
    sources,
    tasks,
)
from services.gateway.api.common import ApiDeps
from services.gateway.api.models import ERRORS

PREFIX = "/api/v1"
MODULES = (candidates, portal_sessions, resumes, jobs, matches, applications, tasks, reviewers,
           sources, config, portals)


def api_router(deps: ApiDeps) -> APIRouter:
    router = APIRouter(prefix=PREFIX, responses=ERRORS)
    for module in MODULES:
        router.include_router(module.router(deps))
    return router

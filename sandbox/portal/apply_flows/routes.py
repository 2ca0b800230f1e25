"""Every application flow of the sandbox beyond Greenhouse's form, as one router."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox.portal.apply_flows.easy_apply import easy_apply_router
from sandbox.portal.apply_flows.lever import lever_router
from sandbox.portal.submissions import SubmissionStore


def apply_flows_router(store: SubmissionStore) -> APIRouter:
    """LinkedIn Easy Apply-style modals and Lever-style hosted pages, recording into `store`."""
    router = APIRouter()
    router.include_router(easy_apply_router(store))
    router.include_router(lever_router(store))
    return router

"""Every application flow of the sandbox beyond Greenhouse's form, as one router."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox.portal.apply_flows.ashby import ashby_router
from sandbox.portal.apply_flows.career_site import career_site_router
from sandbox.portal.apply_flows.easy_apply import easy_apply_router
from sandbox.portal.apply_flows.indeed import indeed_router
from sandbox.portal.apply_flows.lever import lever_router
from sandbox.portal.apply_flows.sign_in import SandboxSessions, sign_in_router
from sandbox.portal.apply_flows.workday import workday_router
from sandbox.portal.submissions import SubmissionStore


def apply_flows_router(store: SubmissionStore) -> APIRouter:
    """LinkedIn Easy Apply, Lever, Ashby, Workday, Indeed Apply and a plain career site."""
    router = APIRouter()
    sessions = SandboxSessions()
    router.include_router(sign_in_router(sessions))
    router.include_router(easy_apply_router(store, sessions))
    router.include_router(lever_router(store))
    router.include_router(ashby_router(store))
    router.include_router(workday_router(store))
    router.include_router(indeed_router(store, sessions))
    router.include_router(career_site_router(store))
    return router

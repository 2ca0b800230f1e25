"""Composition root of the workflow service: ports wired, handlers registered."""

from __future__ import annotations

from datetime import timedelta

from infra.runtime import Platform
from infra.service import ServiceSpec
from schemas.events.matching import (
    ApplicationApproved,
    ManualReviewRequired,
    MatchRejected,
    MatchScored,
)
from schemas.events.review import (
    CompleteReviewTask,
    RejectReviewTask,
    ReviewerLocked,
    ReviewerPresenceChanged,
    ReviewerStruck,
)
from services.workflow.adapters.presence import RedisPresence
from services.workflow.assignment import Assigner, Sweeper
from services.workflow.handlers import WorkflowHandlers
from services.workflow.settings import WorkflowSettings

NAME = "workflow"


def build(platform: Platform, settings: WorkflowSettings) -> ServiceSpec:
    """The workflow service on this platform."""
    assigner = Assigner(
        presence=RedisPresence(platform.redis, settings.presence_namespace),
        sla=timedelta(seconds=settings.review_sla_s),
        presence_ttl=timedelta(seconds=settings.presence_ttl_s),
    )
    handlers = WorkflowHandlers(assigner)
    sweeper = Sweeper(assigner, platform.unit_of_work(NAME), platform.clock,
                      settings.assign_sweep_s)
    return ServiceSpec(
        name=NAME,
        handlers={
            ManualReviewRequired: handlers.on_manual_review_required,
            ReviewerPresenceChanged: handlers.on_presence_changed,
            CompleteReviewTask: handlers.on_complete,
            RejectReviewTask: handlers.on_reject,
        },
        # Other decisions belong to the bot and the ATS engine; strikes are ours from a
        # later issue.
        ignores=frozenset(
            {MatchScored, ApplicationApproved, MatchRejected, ReviewerStruck, ReviewerLocked}
        ),
        background=[sweeper.run],
    )

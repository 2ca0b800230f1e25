"""Composition root of the workflow service: ports wired, handlers registered."""

from __future__ import annotations

from datetime import timedelta

from infra.presence import ValkeyPresence
from infra.runtime import Platform
from infra.service import ServiceSpec
from schemas.events import review
from schemas.events.applications import (
    ApplicationNeedsReview,
)
from schemas.events.candidates import CandidateErased
from schemas.events.jobs import JobUpdated
from schemas.events.matching import (
    ManualReviewRequired,
)
from services.workflow.assignment import Assigner, Sweeper
from services.workflow.domain import SlaPolicy
from services.workflow.handlers import WorkflowHandlers
from services.workflow.lifecycle import Lifecycle
from services.workflow.priority import PriorityWeights
from services.workflow.privacy_handlers import on_candidate_erased
from services.workflow.settings import WorkflowSettings
from services.workflow.strikes import StrikeRules
from services.workflow.timer_worker import TimerWorker

NAME = "workflow"


def build(platform: Platform, settings: WorkflowSettings) -> ServiceSpec:
    """The workflow service on this platform."""
    assigner = Assigner(
        presence=ValkeyPresence(platform.redis, settings.presence_namespace),
        sla=SlaPolicy(
            offer_window=timedelta(seconds=settings.offer_window_s),
            sla=timedelta(seconds=settings.review_sla_s),
            warning_before=timedelta(seconds=settings.warning_before_s),
        ),
        presence_ttl=timedelta(seconds=settings.presence_ttl_s),
        policy=settings.assignment_policy,
        capacity=settings.reviewer_capacity,
        skills={rid: frozenset(tags) for rid, tags in settings.reviewer_skills.items()},
    )
    lifecycle = Lifecycle(
        assigner,
        StrikeRules(timedelta(seconds=settings.strike_window_s), settings.strike_warn_at,
                    settings.strike_lock_at),
        settings.reviewer_supervisors,
    )
    handlers = WorkflowHandlers(
        assigner, lifecycle,
        PriorityWeights(auto_threshold=settings.auto_apply_threshold,
                        review_floor=settings.review_floor),
        timedelta(seconds=settings.priority_boost_s),
    )
    uow = platform.unit_of_work(NAME)
    sweeper = Sweeper(assigner, uow, platform.clock, settings.assign_sweep_s)
    timers = TimerWorker(uow, lifecycle, platform.clock, settings.timer_poll_s,
                         settings.timer_batch)
    return ServiceSpec(
        name=NAME,
        handlers={
            ManualReviewRequired: handlers.on_manual_review_required,
            ApplicationNeedsReview: handlers.on_application_needs_review,
            JobUpdated: handlers.on_job_updated,
            review.ReviewerPresenceChanged: handlers.on_presence_changed,
            review.AcceptReviewTask: handlers.on_accept,
            review.CompleteReviewTask: handlers.on_complete,
            review.RejectReviewTask: handlers.on_reject,
            review.HandBackReviewTask: handlers.on_hand_back,
            review.UnlockReviewer: handlers.on_unlock,
            review.ReviewerAccessChanged: handlers.on_access_changed,
            CandidateErased: on_candidate_erased,
        },
        background=[sweeper.run, timers.run],
    )

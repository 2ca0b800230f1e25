"""Composition root of the gateway: Redis adapters, socket sessions, pushes, HTTP app."""

from __future__ import annotations

from infra.runtime import Platform
from infra.service import ServiceSpec
from schemas.events.review import (
    ReviewTaskAssigned,
    ReviewTaskCreated,
    ReviewTaskMissed,
    ReviewTaskWarning,
    TaskCompleted,
    TaskRejected,
)
from services.gateway.adapters.fanout import RedisFanout
from services.gateway.adapters.offers import RedisOfferBook
from services.gateway.adapters.presence import RedisPresenceStore
from services.gateway.hub import ReviewerHub
from services.gateway.publisher import DirectPublisher
from services.gateway.pushes import TaskPushes
from services.gateway.sessions import ReviewerSessions
from services.gateway.settings import GatewaySettings
from services.gateway.web import create_http_app, review_page

NAME = "gateway"


def build(platform: Platform, settings: GatewaySettings) -> ServiceSpec:
    """The gateway service on this platform."""
    hub = ReviewerHub()
    offers = RedisOfferBook(platform.redis, settings.presence_namespace)
    fanout = RedisFanout(platform.redis, settings.presence_namespace, deliver=hub.deliver)
    sessions = ReviewerSessions(
        tokens=settings.reviewer_tokens,
        presence=RedisPresenceStore(platform.redis, settings.presence_namespace),
        offers=offers,
        hub=hub,
        publisher=DirectPublisher(platform.bus, platform.clock),
        clock=platform.clock,
    )
    pushes = TaskPushes(offers, fanout)
    return ServiceSpec(
        name=NAME,
        raw_handlers={
            ReviewTaskAssigned: pushes.on_assigned,
            TaskCompleted: pushes.on_completed,
            TaskRejected: pushes.on_rejected,
            ReviewTaskMissed: pushes.on_missed,
        },
        # Queued tasks concern no reviewer yet; SLA warnings reach the page in a later issue.
        ignores=frozenset({ReviewTaskCreated, ReviewTaskWarning}),
        background=[fanout.run],
        http_app=create_http_app(sessions, review_page(settings.heartbeat_interval_s)),
    )

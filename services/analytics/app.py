"""Composition root of the analytics service."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from fastapi import FastAPI

from infra.api_docs import api_app
from infra.auth import Role, TokenVerifier, principal_dependency, require_roles, user_key
from infra.http_conventions import RateLimits, install_api_conventions
from infra.revocation_store import RedisRevocations
from infra.runtime import Platform
from infra.service import BackgroundTask, ServiceSpec
from infra.socket_sessions import SessionSockets
from schemas.events.registry import EVENT_TYPES
from services.analytics.dead_letters import DeadLetterDesk, dead_letter_routes
from services.analytics.handlers import FigureRecorder
from services.analytics.live import LiveFigures
from services.analytics.repository import FiguresReader
from services.analytics.settings import AnalyticsSettings
from services.analytics.shared import Shared
from services.analytics.web import figures_routes, live_routes

NAME = "analytics"


def build(platform: Platform, settings: AnalyticsSettings) -> ServiceSpec:
    """The service: one handler for every event, the live push loops and the HTTP app."""
    namespace = settings.analytics_namespace
    reader = FiguresReader(platform.engine, figures_window_s=settings.figures_window_s,
                           active_scraper_window_s=settings.active_scraper_window_s)
    shared = Shared(platform.engine, platform.redis, platform.clock, namespace)
    live = LiveFigures(reader, shared, debounce_s=settings.push_debounce_s,
                       tick_interval_s=settings.tick_interval_s,
                       retention_days=settings.retention_days)
    desk = DeadLetterDesk(platform.bus.transport, shared)

    async def count_dead_letters(stop: asyncio.Event) -> None:
        await live.run_periodic(stop, "dlq-count", settings.dlq_poll_interval_s,
                                desk.count_all)

    # The gateway's revocations (logout, disable, lock, role change), read from the namespace
    # both share; they close the operators' sockets too.
    revocations = RedisRevocations(platform.redis, namespace, platform.clock)
    verifier = TokenVerifier(settings.jwt_secret, clock=platform.clock,
                             revoked=revocations.list)
    operator = require_roles(Role.OPERATOR, Role.ADMIN,
                             principal=principal_dependency(verifier))
    app = api_app("JAMS analytics")
    install_api_conventions(app, redis=platform.redis, user_of=user_key(verifier),
                            limits=RateLimits(namespace=namespace),
                            hsts_max_age_s=settings.hsts_max_age_s)
    app.include_router(figures_routes(reader, platform.clock, operator))
    app.include_router(dead_letter_routes(desk, operator, settings.dlq_page_limit,
                                          after_replay=live.changed))
    sockets = SessionSockets()
    revocations.on_revoked(sockets.revoked)
    live_routes(app, live, verifier, sockets, platform.clock)
    return registry(live.changed, background=[live.run_listener, live.run_pusher,
                                              count_dead_letters, revocations.run],
                    http_app=app)


def registry(on_change: Callable[[], None] = lambda: None, *,
             background: Sequence[BackgroundTask] = (),
             http_app: FastAPI | None = None) -> ServiceSpec:
    """Every event type goes to the one figure recorder: analytics reads all streams."""
    recorder = FigureRecorder(on_change)
    return ServiceSpec(name=NAME, handlers=dict.fromkeys(EVENT_TYPES, recorder),
                       background=list(background),
                       http_app=http_app)

"""Composition root of the gateway: Redis adapters, socket sessions, pushes, HTTP app."""

from __future__ import annotations

from infra.portal_sessions import keyring_of
from infra.presence import ValkeyPresence
from infra.runtime import Platform
from infra.service import ServiceSpec
from schemas.events import review
from schemas.events.candidates import CandidateErased
from schemas.events.notifications import NotificationDelivered
from services.gateway.adapters.fanout import RedisFanout
from services.gateway.adapters.offers import RedisOfferBook, RedisReviewerBoard
from services.gateway.adapters.resume_text import BlobResumeText
from services.gateway.api.wiring import with_api
from services.gateway.auth import build_auth, install_auth, sessions_end_on_lock
from services.gateway.hub import ReviewerHub
from services.gateway.mail import mail_routes
from services.gateway.privacy import offers_forgotten
from services.gateway.publisher import DirectPublisher
from services.gateway.pushes import TaskPushes
from services.gateway.recruiting_forward import install_recruiting_forward
from services.gateway.resumes import with_resume_uploads
from services.gateway.sessions import ReviewerSessions
from services.gateway.settings import GatewaySettings
from services.gateway.socket_limits import SocketMessageLimit
from services.gateway.supervisor import SupervisorView, supervisor_routes
from services.gateway.web import create_http_app, page, review_page

NAME = "gateway"


def build(platform: Platform, settings: GatewaySettings) -> ServiceSpec:
    """The gateway service on this platform."""
    auth = build_auth(platform, settings)
    hub = ReviewerHub()
    offers = RedisOfferBook(platform.redis, settings.presence_namespace)
    board = RedisReviewerBoard(platform.redis, settings.presence_namespace)
    presence = ValkeyPresence(platform.redis, settings.presence_namespace)
    publisher = DirectPublisher(platform.bus, platform.clock)
    fanout = RedisFanout(platform.redis, settings.presence_namespace, deliver=hub.deliver)
    auth.revocations.on_revoked(hub.revoked)
    sessions = ReviewerSessions(
        verifier=auth.verifier,
        presence=presence,
        offers=offers,
        board=board,
        hub=hub,
        publisher=publisher,
        clock=platform.clock,
    )
    pushes = TaskPushes(offers, fanout, board, presence, BlobResumeText(platform.blobs))
    supervisor = SupervisorView(presence, board, platform.clock, platform.unit_of_work(NAME))
    http_app = with_resume_uploads(
        supervisor_routes(
            install_auth(create_http_app(sessions, review_page(settings.heartbeat_interval_s),
                                         auth.verifier), auth, platform.redis, settings),
            supervisor, page("supervisor.html"), auth.verifier, auth.principal),
        platform, auth.principal, offers)
    if settings.mail_sink_file is not None:
        mail_routes(http_app, settings.mail_sink_file, auth.verifier, auth.principal)
    if settings.recruiting_url is not None:
        install_recruiting_forward(http_app, settings.recruiting_url,
                                   settings.recruiting_timeout_s)
    http_app.add_middleware(SocketMessageLimit, per_s=settings.socket_messages_per_s,
                            burst=settings.socket_message_burst)
    return with_api(ServiceSpec(
        name=NAME,
        raw_handlers={
            review.ReviewTaskOffered: pushes.on_offered,
            review.ReviewTaskAssigned: pushes.on_assigned,
            review.ReviewTaskWarning: pushes.on_warning,
            review.ReviewTaskJobChanged: pushes.on_job_changed,
            review.TaskCompleted: pushes.on_completed,
            review.TaskRejected: pushes.on_rejected,
            review.ReviewTaskMissed: pushes.on_missed,
            review.ReviewTaskOfferExpired: pushes.on_offer_expired,
            review.ReviewTaskHandedBack: pushes.on_handed_back,
            review.ReviewTaskWithdrawn: pushes.on_withdrawn,
            review.ReviewerPresenceChanged: pushes.on_presence,
            review.ReviewerStruck: pushes.on_struck,
            review.ReviewerStrikeWarning: pushes.on_strike_warning,
            review.ReviewerLocked: sessions_end_on_lock(pushes.on_locked, auth.accounts),
            review.ReviewerUnlocked: pushes.on_unlocked,
            NotificationDelivered: pushes.on_notification,
            CandidateErased: offers_forgotten(offers),
        },
        background=[fanout.run, auth.revocations.run],
        http_app=http_app,
    ), platform, auth.verifier,
        keyring_of(settings.portal_session_keys, settings.portal_session_key_id))

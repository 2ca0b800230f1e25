"""Composition root of the recruiting service."""

from __future__ import annotations

from fastapi import FastAPI
from redis.asyncio import Redis

from infra.api_docs import api_app
from infra.auth import TokenVerifier, principal_dependency, user_key
from infra.http_conventions import RateLimits, install_api_conventions
from infra.revocation_store import RedisRevocations
from infra.runtime import Platform
from infra.service import ServiceSpec
from infra.socket_sessions import SessionSockets
from infra.uow import UnitOfWork
from schemas.events.applications import ApplicationSubmitted, ScreeningAnswersGiven
from schemas.events.candidates import CandidateErased
from schemas.events.matching import MatchesScored
from schemas.events.rescoring import RescoreProgressed, ScoringWeightsChanged
from services.recruiting.access import Authorizer
from services.recruiting.api.candidates import candidate_routes
from services.recruiting.api.companies import company_routes
from services.recruiting.api.interviews import interview_routes
from services.recruiting.api.jobs import JobPublisher, job_routes
from services.recruiting.api.links import SharedViews, link_routes, shared_routes
from services.recruiting.api.notes import note_routes
from services.recruiting.api.questionnaires import questionnaire_routes
from services.recruiting.api.rescore import rescore_routes
from services.recruiting.contacts import Contacts, contacts_of
from services.recruiting.handlers import (
    on_application_submitted,
    on_candidate_erased,
    on_matches_scored,
)
from services.recruiting.live import CompanyFeed, with_live_news
from services.recruiting.questionnaire_handlers import on_screening_answers_given
from services.recruiting.questionnaire_store import fit_questionnaire
from services.recruiting.rescoring import on_rescore_progressed, on_scoring_weights_changed
from services.recruiting.settings import RecruitingSettings
from services.recruiting.web import page_routes

NAME = "recruiting"


def build(platform: Platform, settings: RecruitingSettings) -> ServiceSpec:
    """The service: its API, and the scores of its jobs' candidates from the ATS engine."""
    uow = platform.unit_of_work(NAME)
    # The gateway's revocations (logout, disable, role change), read from the namespace both
    # share, so an ended session ends here too.
    revocations = RedisRevocations(platform.redis, settings.presence_namespace, platform.clock)
    verifier = TokenVerifier(settings.jwt_secret, clock=platform.clock, revoked=revocations.list)
    app = recruiting_app(uow, verifier, settings, platform.redis)
    # The recruiters' page and its live socket: scores and statuses announced once committed.
    feed = CompanyFeed(platform.redis, settings.presence_namespace)
    sockets = SessionSockets()
    revocations.on_revoked(sockets.revoked)
    page_routes(app, uow.engine, verifier, feed, sockets, platform.clock)
    spec = ServiceSpec(name=NAME, handlers={MatchesScored: on_matches_scored,
                                            CandidateErased: on_candidate_erased,
                                            ApplicationSubmitted: on_application_submitted,
                                            RescoreProgressed: on_rescore_progressed,
                                            ScoringWeightsChanged: on_scoring_weights_changed,
                                            ScreeningAnswersGiven: on_screening_answers_given},
                       background=[revocations.run], http_app=app)
    return with_live_news(spec, uow, feed)


def recruiting_app(uow: UnitOfWork, verifier: TokenVerifier, settings: RecruitingSettings,
                   redis: Redis | None = None, contacts: Contacts | None = None) -> FastAPI:
    """The HTTP API: its routes behind the API conventions (errors, request ids, limits)."""
    authorize = Authorizer(principal_dependency(verifier), uow.engine)
    app = api_app("JAMS recruiting")
    install_api_conventions(app, redis=redis, user_of=user_key(verifier),
                            limits=RateLimits(namespace=settings.presence_namespace),
                            hsts_max_age_s=settings.hsts_max_age_s)
    app.include_router(company_routes(uow, authorize))
    app.include_router(job_routes(uow, authorize, JobPublisher(settings.employer_apply_url),
                                  settings.page_limit))
    app.include_router(candidate_routes(uow, authorize, settings.page_limit))
    app.include_router(note_routes(uow, authorize))
    key = settings.shared_link_key()
    app.include_router(link_routes(uow, authorize, key, base_url=settings.shared_link_base_url,
                                   ttl_s=settings.shared_link_ttl_s,
                                   max_ttl_s=settings.shared_link_max_ttl_s))
    app.include_router(shared_routes(app, SharedViews(
        uow, key, contacts or contacts_of(settings.candidates_seed))))
    app.include_router(interview_routes(uow, authorize))
    app.include_router(rescore_routes(uow, authorize))
    app.include_router(questionnaire_routes(uow, authorize, fit_questionnaire()))
    return app

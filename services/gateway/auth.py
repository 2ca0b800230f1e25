"""The gateway's authentication, wired: token checks, accounts, auth routes, API conventions."""

from __future__ import annotations

import uuid
from typing import NamedTuple

from argon2 import PasswordHasher
from fastapi import APIRouter, FastAPI
from redis.asyncio import Redis

from infra.auth import (
    PrincipalDependency,
    Role,
    TokenIssuer,
    TokenVerifier,
    VerifiedToken,
    principal_dependency,
    user_key,
)
from infra.clock import Clock
from infra.http_conventions import ApiError, install_api_conventions
from infra.revocation_store import RedisRevocations
from infra.runtime import Platform
from infra.service import RawHandler
from infra.uow import UnitOfWork
from schemas.events.envelope import Envelope
from schemas.events.review import ReviewerLocked
from services.gateway.accounts.passwords import Passwords
from services.gateway.accounts.routes import account_routes
from services.gateway.accounts.service import Accounts
from services.gateway.accounts.throttle import LoginThrottle
from services.gateway.settings import GatewaySettings

# Private-use WebSocket close codes mirroring HTTP 401 and 403.
UNAUTHORIZED = 4401
FORBIDDEN = 4403


class GatewayAuth(NamedTuple):
    """What the rest of the gateway needs: check tokens, a principal dependency, the routes."""

    verifier: TokenVerifier
    principal: PrincipalDependency
    router: APIRouter
    accounts: Accounts
    revocations: RedisRevocations


def build_auth(platform: Platform, settings: GatewaySettings,
               passwords: Passwords | None = None) -> GatewayAuth:
    """Auth on this platform; the JWT secret must be set (JAMS_JWT_SECRET) unless embedded."""
    return auth_from(platform.unit_of_work("gateway"), platform.redis, platform.clock, settings,
                     passwords)


def auth_from(uow: UnitOfWork, redis: Redis, clock: Clock, settings: GatewaySettings,
              passwords: Passwords | None = None) -> GatewayAuth:
    """Auth from its parts (tests build it without a whole platform)."""
    revocations = RedisRevocations(redis, settings.presence_namespace, clock)
    verifier = TokenVerifier(settings.jwt_secret, clock=clock, revoked=revocations.list)
    issuer = TokenIssuer(settings.jwt_secret, ttl_s=settings.access_token_ttl_s, clock=clock)
    throttle = LoginThrottle(redis, settings.presence_namespace, settings.login_limits())
    hasher = PasswordHasher(time_cost=settings.password_hash_time_cost,
                            memory_cost=settings.password_hash_memory_kib)
    passwords = passwords or Passwords(hasher, concurrency=settings.password_hash_concurrency,
                                       queue=settings.password_hash_queue)
    accounts = Accounts(uow, passwords, issuer, throttle,
                        refresh_ttl_s=settings.refresh_token_ttl_s, revocations=revocations,
                        family_max_age_s=settings.refresh_family_max_age_s)
    principal = principal_dependency(verifier)
    router = account_routes(accounts, principal, verifier, cookie_secure=settings.cookie_secure)
    return GatewayAuth(verifier, principal, router, accounts, revocations)


def install_auth(app: FastAPI, auth: GatewayAuth, redis: Redis,
                 settings: GatewaySettings) -> FastAPI:
    """The API conventions (errors, request ids, limits) and the account routes on `app`."""
    install_api_conventions(app, redis=redis, max_body_bytes=settings.max_body_bytes,
                            max_upload_bytes=settings.max_upload_body_bytes,
                            limits=settings.rate_limits(), user_of=user_key(auth.verifier),
                            hsts_max_age_s=settings.hsts_max_age_s)
    app.include_router(auth.router)
    return app


def reviewer_token(verifier: TokenVerifier, token: str,
                   reviewer_id: uuid.UUID) -> VerifiedToken | None:
    """The verified token if it is that reviewer's own, unexpired and unrevoked; else None."""
    try:
        verified = verifier.verified(token)
    except ApiError:
        return None
    principal = verified.principal
    if principal.role is not Role.REVIEWER or principal.user_id != reviewer_id:
        return None
    return verified


def sessions_end_on_lock(push: RawHandler, accounts: Accounts) -> RawHandler:
    """A reviewer locked by strikes: their page hears of it, then every token and socket of
    theirs issued before the lock ends, on every replica, as a disable's would."""

    async def on_locked(event: ReviewerLocked, envelope: Envelope) -> None:
        await push(event, envelope)
        await accounts.end_sessions(event.reviewer_id, envelope.time)

    return on_locked

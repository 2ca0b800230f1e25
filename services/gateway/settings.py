"""Settings of the gateway service."""

from __future__ import annotations

import uuid
from pathlib import Path

from pydantic import Field

from infra.http_conventions import RateLimits
from infra.settings import CommonSettings
from services.gateway.accounts.throttle import LoginLimits

# The embedded default's demo reviewer: a fixed id, so their history survives restarts.
DEMO_REVIEWER_ID = uuid.UUID("00000000-0000-4000-8000-00000000a11c")


class GatewaySettings(CommonSettings):
    """Tokens, cookies, limits and presence layout, from `JAMS_*` variables."""

    presence_namespace: str = Field(
        default="jams",
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Prefix of the Redis presence, push and rate-limit keys; must match the "
        "workflow's",
    )
    mail_sink_file: Path | None = Field(
        default=None, description="The local SMTP sink's file (`jams run --sandbox` starts "
        "one): its e-mails are listed for staff on /mail; unset: no such page",
    )
    heartbeat_interval_s: float = Field(
        default=15.0, gt=0, description="How often the reviewer page sends a heartbeat"
    )
    access_token_ttl_s: int = Field(
        default=15 * 60, ge=10, le=24 * 3600, description="Lifetime of access tokens (JWT)"
    )
    refresh_token_ttl_s: int = Field(
        default=14 * 24 * 3600, ge=60, description="Lifetime of a refresh token (each rotation "
        "starts a new one)"
    )
    refresh_family_max_age_s: int = Field(
        default=30 * 24 * 3600, ge=60, description="Longest life of a login: past this since "
        "the password was given, refreshing fails and the login (refresh-token family) ends"
    )
    cookie_secure: bool = Field(
        default=False, description="Mark the auth cookies Secure (set it when served over TLS)"
    )
    max_body_bytes: int = Field(
        default=1_000_000, ge=1024, description="Largest request body, except file uploads"
    )
    max_upload_body_bytes: int = Field(
        default=6_000_000, ge=1024, description="Largest multipart/form-data body (resume files)"
    )
    rate_limit_per_ip: int = Field(
        default=120_000, ge=1, description="Requests per window from one client IP"
    )
    rate_limit_per_user: int = Field(
        default=60_000, ge=1, description="Requests per window by one authenticated user"
    )
    rate_limit_window_s: int = Field(
        default=60, ge=1, le=3600, description="The rate-limit window (fixed windows)"
    )
    socket_messages_per_s: float = Field(
        default=5.0, gt=0, description="Messages a second one WebSocket may send, sustained "
        "(a page sends a heartbeat every heartbeat_interval_s and a message per click)"
    )
    socket_message_burst: int = Field(
        default=30, ge=1, description="Messages one WebSocket may send at once before the "
        "sustained rate applies; past both it is closed with 1008"
    )
    login_max_failures: int = Field(
        default=10, ge=1, description="Wrong passwords for one account from one address per "
        "window before that address gets 429 for it"
    )
    login_max_failures_per_address: int = Field(
        default=50, ge=1, description="Wrong passwords from one address per window (any "
        "accounts) before its logins get 429"
    )
    login_max_failures_overall: int = Field(
        default=2000, ge=1, description="Wrong passwords per window on the whole system before "
        "every login gets 429"
    )
    login_free_failures: int = Field(
        default=3, ge=0, description="Wrong passwords for an account before its logins slow down"
    )
    login_delay_base_s: float = Field(
        default=0.5, ge=0, description="First delay of a slowed account's logins; it doubles "
        "with each further wrong password"
    )
    login_delay_max_s: float = Field(
        default=15.0, ge=0, description="Longest delay of a login (the owner still gets in)"
    )
    login_failure_window_s: int = Field(
        default=300, ge=1, description="Window of the failed-login counts"
    )

    password_hash_time_cost: int = Field(
        default=3, ge=1, le=20, description="argon2id passes (argon2-cffi's default)"
    )
    password_hash_memory_kib: int = Field(
        default=65_536, ge=1024, description="argon2id memory per hash in KiB (64 MiB default)"
    )
    password_hash_concurrency: int = Field(
        default=2, ge=1, description="Password hashes computed at once per process (each takes "
        "its memory and a core); the others wait"
    )
    password_hash_queue: int = Field(
        default=64, ge=1, description="Password hashes waiting or running per process before "
        "further logins get 429"
    )
    recruiting_url: str | None = Field(
        default=None, description="The recruiting service's own address where it runs apart "
        "(Kubernetes: `http://recruiting`): employers' `POST /api/v1/jobs` and "
        "`PATCH /api/v1/jobs/{id}`, which the Ingress sends here with the jobs' reads, are "
        "forwarded to it; unset (`jams run`, where its routes are the gateway's): none",
    )
    recruiting_timeout_s: float = Field(
        default=10.0, gt=0, le=60, description="How long a forwarded job write may take"
    )

    def login_limits(self) -> LoginLimits:
        return LoginLimits(per_account_and_address=self.login_max_failures,
                           per_address=self.login_max_failures_per_address,
                           overall=self.login_max_failures_overall,
                           free_failures=self.login_free_failures,
                           delay_base_s=self.login_delay_base_s,
                           delay_max_s=self.login_delay_max_s,
                           window_s=self.login_failure_window_s)

    def rate_limits(self) -> RateLimits:
        return RateLimits(per_ip=self.rate_limit_per_ip, per_user=self.rate_limit_per_user,
                          window_s=self.rate_limit_window_s, namespace=self.presence_namespace)

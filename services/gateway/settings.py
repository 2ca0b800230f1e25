"""Settings of the gateway service."""

from __future__ import annotations

import uuid

from pydantic import Field

from infra.http_conventions import RateLimits
from infra.settings import CommonSettings

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
        default=10, ge=1, description="Wrong passwords per email per window before 429"
    )
    login_failure_window_s: int = Field(
        default=300, ge=1, description="Window of the failed-login count"
    )

    password_hash_time_cost: int = Field(
        default=3, ge=1, le=20, description="argon2id passes (argon2-cffi's default)"
    )
    password_hash_memory_kib: int = Field(
        default=65_536, ge=1024, description="argon2id memory per hash in KiB (64 MiB default)"
    )

    def rate_limits(self) -> RateLimits:
        return RateLimits(per_ip=self.rate_limit_per_ip, per_user=self.rate_limit_per_user,
                          window_s=self.rate_limit_window_s, namespace=self.presence_namespace)

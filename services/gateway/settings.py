"""Settings of the gateway service."""

from __future__ import annotations

import secrets
import uuid
from typing import Self

from pydantic import Field, SecretStr, model_validator

from infra.settings import CommonSettings

# The embedded default's one reviewer: a fixed id, so their history survives restarts.
DEMO_REVIEWER_ID = uuid.UUID("00000000-0000-4000-8000-00000000a11c")


class GatewaySettings(CommonSettings):
    """Reviewer tokens and presence layout, from `JAMS_*` variables."""

    # Skeleton auth: a later issue replaces this map with signed JWTs.
    reviewer_tokens: dict[uuid.UUID, SecretStr] = Field(
        default_factory=dict,
        description="JSON map reviewer id -> WebSocket token (JAMS_REVIEWER_TOKENS)",
    )
    admin_tokens: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="JSON map admin id -> token for the supervisor view (JAMS_ADMIN_TOKENS)",
    )
    presence_namespace: str = Field(
        default="jams",
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Prefix of the Redis presence and push keys; must match the workflow's",
    )
    heartbeat_interval_s: float = Field(
        default=15.0, gt=0, description="How often the reviewer page sends a heartbeat"
    )

    @model_validator(mode="after")
    def _demo_reviewer(self) -> Self:
        # One machine, nothing configured: invent one reviewer with a random token so the
        # dashboard works out of the box. Distributed deployments get no such default and
        # refuse every socket until tokens are configured.
        if not self.reviewer_tokens and self.bus == "embedded":
            self.reviewer_tokens = {DEMO_REVIEWER_ID: SecretStr(secrets.token_urlsafe(18))}
        return self

    def first_reviewer(self) -> tuple[uuid.UUID, str]:
        """A reviewer id and token to print in the dashboard link of the embedded default."""
        if not self.reviewer_tokens:
            raise LookupError("no reviewer tokens configured (JAMS_REVIEWER_TOKENS)")
        reviewer_id, token = next(iter(self.reviewer_tokens.items()))
        return reviewer_id, token.get_secret_value()

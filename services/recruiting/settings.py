"""Settings of the recruiting service."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator

from infra.employer_jobs import DEFAULT_APPLY_URL
from infra.settings import CommonSettings
from services.recruiting.shared_links import link_key


class RecruitingSettings(CommonSettings):
    """Read from `JAMS_*` variables, like every service's settings."""

    presence_namespace: str = Field(
        default="jams", pattern=r"^[A-Za-z0-9_.-]+$",
        description="Prefix of the gateway's Redis keys: token revocations and rate limits are "
                    "read from it, so it must match the gateway's",
    )
    employer_apply_url: str = Field(
        default=DEFAULT_APPLY_URL, max_length=500,
        description="Where an employer job without an apply link of its own is applied for "
                    "(its id is appended)",
    )
    page_limit: int = Field(default=50, ge=1, le=200, description="Default page size of lists")
    candidates_seed: Path | None = Field(
        default=None,
        description="A file of candidates' contact details (JAMS_CANDIDATES_SEED) shown through "
                    "shared links, until a candidate service owns them; unset: none are known",
    )
    shared_link_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Key that signs shared links to candidates (JAMS_SHARED_LINK_SECRET, 16 "
                    "characters or more); unset: one derived from the JWT secret. Changing it "
                    "ends every link")
    shared_link_ttl_s: int = Field(
        default=7 * 86400, ge=60, description="How long a shared link lasts unless its maker "
                                              "says otherwise")
    shared_link_max_ttl_s: int = Field(
        default=30 * 86400, ge=60, description="The longest a shared link may last")
    shared_link_base_url: str = Field(
        default="", max_length=500,
        description="Where the shared page is reached from outside (the Ingress host, e.g. "
                    "https://jams.example.com); a link's url is this and /shared/<token>")

    @field_validator("shared_link_secret")
    @classmethod
    def _long_enough(cls, secret: SecretStr) -> SecretStr:
        if 0 < len(secret.get_secret_value()) < 16:
            raise ValueError("a shared link secret has 16 characters or more")
        return secret

    def shared_link_key(self) -> bytes:
        secret = self.shared_link_secret.get_secret_value() or self.jwt_secret.get_secret_value()
        return link_key(secret)

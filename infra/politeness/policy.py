"""How politely one portal is treated: its rate, concurrency, retries, breaker and identity."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_USER_AGENT = "JAMS-job-discovery/0.1 (+https://github.com/jams)"


class PortalPolicy(BaseModel):
    """Limits for one portal; every worker process reads the same numbers from settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rate_per_s: float = Field(default=1.0, gt=0, description="Sustained requests per second")
    burst: int = Field(default=1, ge=1, description="Requests allowed back to back")
    daily_limit: int | None = Field(default=None, ge=1, description="Requests per UTC day")
    max_concurrency: int = Field(default=2, ge=1, description="Requests in flight, fleet-wide")
    lease_s: float = Field(default=60.0, gt=0, description="A dead worker's slot frees after")
    max_attempts: int = Field(default=4, ge=1, le=20)
    backoff_base_s: float = Field(default=1.0, ge=0)
    backoff_max_s: float = Field(default=60.0, ge=0)
    max_retry_after_s: float = Field(default=900.0, ge=0,
                                     description="A longer Retry-After fails the fetch instead")
    breaker_failures: int = Field(default=5, ge=1, description="Consecutive failures to open")
    breaker_open_s: float = Field(default=60.0, gt=0, description="Open time before a probe")
    timeout_s: float = Field(default=15.0, gt=0)
    user_agent: str = Field(default=DEFAULT_USER_AGENT, min_length=1, max_length=500)
    proxies: tuple[Annotated[str, Field(pattern=r"^http://\S+$")], ...] = Field(
        default=(), description="Upstream HTTP proxies (http://[user:pass@]host:port), "
                                "rotated on a block; none: requests go out directly")
    proxy_cooldown_s: float = Field(default=600.0, gt=0,
                                    description="A blocked or failing proxy rests this long")
    proxy_failures_to_cool: int = Field(default=3, ge=1,
                                        description="Network failures in a row that cool one")
    captcha_markers: tuple[str, ...] = (
        "g-recaptcha", "h-captcha", "cf-challenge", "captcha-delivery", "px-captcha",
        "are you a robot", "verify you are human",
    )

    @model_validator(mode="after")
    def _lease_outlives_request(self) -> PortalPolicy:
        # A slot whose lease ends mid-request would let a second request in: over the cap.
        if self.lease_s <= self.timeout_s:
            raise ValueError("lease_s must be longer than timeout_s")
        return self

    @classmethod
    def adzuna(cls) -> PortalPolicy:
        """Adzuna's default quota: 25 requests a minute and 250 a day."""
        return cls(rate_per_s=25 / 60, burst=1, daily_limit=250)

"""Settings of the application bot."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from infra.chromium import ChromiumSettings
from infra.employer_jobs import DEFAULT_APPLY_URL
from infra.politeness import PortalPolicy
from infra.politeness.defaults import APPLYING_POLICIES, BROWSER_SITE
from infra.settings import CommonSettings


class ApplicationBotSettings(CommonSettings, ChromiumSettings):
    """Read from `JAMS_*` variables, like every service's settings."""

    candidates_seed: Path | None = Field(
        default=None,
        description="A file of candidates' contact details (JAMS_CANDIDATES_SEED), until a "
                    "candidate service owns them; unset: none are known",
    )
    allow_private_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts (host, host:port or CIDR) on non-public addresses the browser may "
                    "open or load from; every other URL must resolve to global addresses",
    )
    navigation_timeout_s: float = Field(default=20.0, gt=0, le=300,
                                        description="Longest wait for a page or an element")
    confirmation_timeout_s: float = Field(default=20.0, gt=0, le=300,
                                          description="Longest wait for the portal's confirmation")
    portal_check_timeout_s: float = Field(default=10.0, gt=0, le=300,
                                          description="Longest wait when asking the portal")
    sandbox_ledger: bool = Field(
        default=False,
        description="Settle orphans from the sandbox portal's own record of submissions "
                    "(GET /_sandbox/submissions); only the sandbox portal has one",
    )
    confirmation_imap_url: SecretStr | None = Field(
        default=None,
        description="imap[s]://user:password@host:port/folder where the candidates' "
                    "application confirmations arrive; read to settle orphans",
    )
    orphan_review_after_s: float = Field(
        default=3600.0, ge=0, le=30 * 86400,
        description="How long an orphan that neither the portal's page nor an e-mail settles "
                    "waits before a person is asked whether it went through",
    )
    employer_apply_url: str = Field(
        default=DEFAULT_APPLY_URL, max_length=500,
        description="The recruiting service's base for jobs employers post without a form of "
                    "their own (the same JAMS_EMPLOYER_APPLY_URL): an application to one goes "
                    "to the employer's pipeline, no browser",
    )
    max_attempts: int = Field(default=3, ge=1, le=20,
                              description="Visits that send nothing before giving up")
    sweep_interval_s: float = Field(default=30.0, gt=0, le=3600,
                                    description="How often to look for orphaned applications")
    sweep_grace_s: float = Field(
        default=60.0, ge=0, le=86400,
        description="Age of a `submitting`/`unknown` row before the sweep may settle it",
    )
    portal_policies: dict[str, PortalPolicy] = Field(
        default_factory=lambda: dict(APPLYING_POLICIES),
        description="Politeness per portal (greenhouse, lever, ashby, workday, linkedin, "
                    "indeed, or a career site's host): rate, burst, concurrency, breaker; "
                    "shared in Redis with discovery's limits of the same portal",
    )
    default_portal_policy: PortalPolicy = Field(
        default=BROWSER_SITE,
        description="Politeness of a career site with no entry in `portal_policies`",
    )
    politeness_prefix: str = Field(
        default="jams:polite", min_length=1, max_length=100,
        description="Redis key prefix of the shared politeness state; discovery's, so both "
                    "count against the same bucket, slots and breaker per portal",
    )
    breaker_wait_max_s: float = Field(
        default=60.0, ge=0, le=3600,
        description="How long an application waits for an open portal breaker before it is "
                    "handed back to the bus to retry later (never failed for it)",
    )
    session_wait_s: float = Field(
        default=3 * 86400.0, gt=0, le=30 * 86400,
        description="How long an application waits for the candidate's new portal session "
                    "after the portal showed its sign-in page, before it is failed (retryable)",
    )
    consumer_batch_size: int = Field(
        default=4, ge=1, le=500,
        description="Approvals fetched at once: small, since each takes a browser seconds",
    )
    consumer_max_poll_interval_s: float = Field(
        default=900.0, gt=0, le=3600,
        description="Kafka's max.poll.interval for the bot's consumer; keep above "
                    "consumer_batch_size x the longest visit, or a slow batch is redelivered",
    )

    @property
    def worst_visit_s(self) -> float:
        """The longest one application can keep the consumer busy, retries aside."""
        return (self.breaker_wait_max_s + 3 * self.navigation_timeout_s
                + self.confirmation_timeout_s)

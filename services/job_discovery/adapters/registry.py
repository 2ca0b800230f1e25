"""One adapter per configured source, each talking through the shared politeness client."""

from __future__ import annotations

from collections.abc import Callable

from infra.chromium import find_chromium
from infra.politeness import PoliteClient
from infra.politeness.client import Attempt
from services.job_discovery.adapters.adzuna import AdzunaAdapter
from services.job_discovery.adapters.base import SourceAdapter
from services.job_discovery.adapters.boards import AshbyAdapter, GreenhouseAdapter, LeverAdapter
from services.job_discovery.adapters.browser import BrowserAdapter
from services.job_discovery.adapters.http import PortalHttp
from services.job_discovery.adapters.workday import WorkdayAdapter
from services.job_discovery.sources import (
    AdzunaSource,
    AshbySource,
    BrowserSource,
    GreenhouseSource,
    LeverSource,
    SourceConfig,
    WorkdaySource,
    policy_for,
)


def make_adapter(config: SourceConfig, client: PoliteClient,
                 observer: Callable[[Attempt], None] | None = None,
                 chromium_path: str | None = None) -> SourceAdapter:
    """The adapter for `config`; its requests obey the portal's policy."""
    if isinstance(config, BrowserSource):
        return BrowserAdapter(config, client, policy_for(config, config.site), observer,
                              chromium_path or find_chromium())
    http = PortalHttp(client, config.kind, policy_for(config, config.kind), observer)
    if isinstance(config, GreenhouseSource):
        return GreenhouseAdapter(config, http)
    if isinstance(config, LeverSource):
        return LeverAdapter(config, http)
    if isinstance(config, AshbySource):
        return AshbyAdapter(config, http)
    if isinstance(config, WorkdaySource):
        return WorkdayAdapter(config, http)
    if isinstance(config, AdzunaSource):
        return AdzunaAdapter(config, http)
    raise TypeError(f"no adapter for source kind {type(config).__name__}")

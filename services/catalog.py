"""The services, for processes that run several of them (`jams run`, end-to-end tests), and
every table they declare (migrations compare against it)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import MetaData

from infra.db import INFRA_TABLE_MODULES, metadata
from infra.runtime import Platform
from infra.service import ServiceSpec
from infra.settings import CommonSettings
from services.analytics.app import build as build_analytics
from services.analytics.settings import AnalyticsSettings
from services.application_bot.app import build as build_application_bot
from services.application_bot.settings import ApplicationBotSettings
from services.ats_engine.app import build as build_ats_engine
from services.ats_engine.settings import AtsSettings
from services.gateway.app import build as build_gateway
from services.gateway.settings import GatewaySettings
from services.job_discovery.app import build as build_job_discovery
from services.job_discovery.settings import JobDiscoverySettings
from services.notifications.app import build as build_notifications
from services.notifications.settings import NotificationsSettings
from services.recruiting.app import build as build_recruiting
from services.recruiting.settings import RecruitingSettings
from services.workflow.app import build as build_workflow
from services.workflow.settings import WorkflowSettings


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    settings_type: type[CommonSettings]
    build: Callable[[Platform, Any], ServiceSpec]
    tables: tuple[str, ...]  # the modules that declare its tables


CATALOG: tuple[ServiceEntry, ...] = (
    ServiceEntry("job_discovery", JobDiscoverySettings, build_job_discovery,
                 ("services.job_discovery.tables", "services.job_discovery.fleet_tables")),
    ServiceEntry("ats_engine", AtsSettings, build_ats_engine, ("services.ats_engine.tables",)),
    ServiceEntry("workflow", WorkflowSettings, build_workflow, ("services.workflow.tables",)),
    ServiceEntry("application_bot", ApplicationBotSettings, build_application_bot,
                 ("services.application_bot.tables",)),
    ServiceEntry("gateway", GatewaySettings, build_gateway,
                 ("services.gateway.tables", "services.gateway.readmodel.tables")),
    ServiceEntry("notifications", NotificationsSettings, build_notifications,
                 ("services.notifications.tables",)),
    ServiceEntry("analytics", AnalyticsSettings, build_analytics, ("services.analytics.tables",)),
    ServiceEntry("recruiting", RecruitingSettings, build_recruiting,
                 ("services.recruiting.tables",)),
)


def load_all_tables() -> MetaData:
    """The shared metadata with every table declared: the runtime's and each service's."""
    for module in (*INFRA_TABLE_MODULES, *(m for entry in CATALOG for m in entry.tables)):
        importlib.import_module(module)
    return metadata


def build_all(
    platform: Platform,
    shared: Mapping[str, Any],
    per_service: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[ServiceSpec]:
    """Every service with settings from the environment, `shared` and its own overrides."""
    overrides = per_service or {}
    return [
        entry.build(platform, entry.settings_type(**{**shared, **overrides.get(entry.name, {})}))
        for entry in CATALOG
    ]

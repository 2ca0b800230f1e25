"""Imports every module that declares tables, so the shared metadata is complete."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from infra.db import metadata

TABLE_MODULES = (
    "infra.outbox",
    "infra.inbox",
    "infra.documents.postgres",
    "infra.bus.embedded",
    "services.job_discovery.tables",
    "services.job_discovery.fleet_tables",
    "services.ats_engine.tables",
    "services.workflow.tables",
    "services.application_bot.tables",
    "services.gateway.tables",
    "services.gateway.readmodel.tables",
    "services.notifications.tables",
    "services.analytics.tables",
)


def load_all_tables() -> MetaData:
    for module in TABLE_MODULES:
        importlib.import_module(module)
    return metadata

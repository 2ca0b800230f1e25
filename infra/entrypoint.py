"""`python -m services.<name>`: one service alone in its process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

import structlog

from infra.logging import configure_logging
from infra.migrate import upgrade
from infra.runtime import Platform, install_signal_handlers, open_platform, run_services
from infra.service import ServiceSpec
from infra.settings import CommonSettings
from infra.tracing import configure_tracing, shutdown_tracing

S = TypeVar("S", bound=CommonSettings)
ServiceFactory = Callable[[Platform, S], ServiceSpec]

log = structlog.get_logger(__name__)


def serve(name: str, settings_type: type[S], build: Callable[[Platform, S], ServiceSpec]) -> None:
    """Read settings, build the service, run it until SIGTERM."""
    settings = settings_type()
    configure_logging(settings.log_level, settings.log_format)
    asyncio.run(_serve(name, settings, build))


async def _serve(name: str, settings: S, build: Callable[[Platform, S], ServiceSpec]) -> None:
    stop = asyncio.Event()
    install_signal_handlers(stop)
    configure_tracing(name, otlp_endpoint=settings.otlp_endpoint, trace_file=settings.trace_file)
    await asyncio.to_thread(upgrade, settings.database_url)
    try:
        async with open_platform(settings) as platform:
            spec = build(platform, settings)
            log.info("service starting", service=name, bus=settings.bus, topics=spec.topics)
            await run_services(
                platform, [spec], stop,
                on_listening=lambda port: log.info("http listening", service=name, port=port),
            )
    finally:
        shutdown_tracing()  # flush the spans still queued for the collector
    log.info("service stopped", service=name)

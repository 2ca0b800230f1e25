"""The notification service's loops: one round every interval, until told to stop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from sqlalchemy.exc import SQLAlchemyError

from infra.clock import Clock, sleep_unless_stopped

log = structlog.get_logger(__name__)


async def every(clock: Clock, interval_s: float, stop: asyncio.Event,
                one_round: Callable[[], Awaitable[object]], name: str) -> None:
    """`one_round` every `interval_s` on `clock` until `stop`; a round that meets a database or
    network outage is logged, and the next one tries again."""
    while not await sleep_unless_stopped(clock, interval_s, stop):
        try:
            await one_round()
        except (OSError, SQLAlchemyError) as exc:
            log.warning(f"{name} round failed", error=type(exc).__name__)

"""The embedded log's retention: a record goes once it is old and every group has passed it."""

from __future__ import annotations

import asyncio
from typing import Protocol

import structlog

from infra.clock import Clock, sleep_unless_stopped

log = structlog.get_logger(__name__)


class PrunableLog(Protocol):
    async def prune(self, older_than_s: float) -> int: ...


async def prune_forever(stop: asyncio.Event, bus_log: PrunableLog, clock: Clock, *,
                        retention_s: float, interval_s: float) -> None:
    """Every `interval_s` until `stop`: prune records older than `retention_s`."""
    while not await sleep_unless_stopped(clock, interval_s, stop):
        try:
            pruned = await bus_log.prune(retention_s)
        except Exception as exc:  # the next round retries; the log only grows meanwhile
            log.warning("bus log pruning failed", error=str(exc) or repr(exc))
            continue
        if pruned:
            log.info("bus log pruned", records=pruned, older_than_s=retention_s)

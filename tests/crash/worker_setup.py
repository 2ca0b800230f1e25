"""What every crash-test worker process needs: its options, a database engine, a bus, a stop."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from infra.bus.bus import EventBus
from infra.clock import SystemClock
from infra.db import create_engine
from infra.runtime import install_signal_handlers
from tests.busfixtures import make_transport


def worker_parser() -> argparse.ArgumentParser:
    """Options shared by the workers; each adds its own."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--adapter", default="kafka")
    parser.add_argument("--bootstrap", default="")
    parser.add_argument("--database-url", required=True)
    return parser


@dataclass(frozen=True)
class Worker:
    engine: AsyncEngine
    bus: EventBus
    stop: asyncio.Event


@contextlib.asynccontextmanager
async def worker(args: argparse.Namespace) -> AsyncIterator[Worker]:
    """Connect; SIGTERM sets `stop`; everything is closed on the way out."""
    stop = asyncio.Event()
    install_signal_handlers(stop)
    engine = create_engine(args.database_url)
    transport = make_transport(args.adapter, kafka_bootstrap=args.bootstrap,
                               database_url=args.database_url)
    await transport.start()
    try:
        yield Worker(engine, EventBus(transport, clock=SystemClock()), stop)
    finally:
        await transport.close()
        await engine.dispose()

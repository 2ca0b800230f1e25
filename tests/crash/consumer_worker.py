"""A consumer in its own process, for the crash tests: applies events until SIGTERM/SIGKILL."""

from __future__ import annotations

import argparse
import asyncio

from infra.bus.bus import EventBus
from infra.clock import SystemClock
from infra.db import create_engine
from infra.runtime import install_signal_handlers
from infra.uow import UnitOfWork
from tests.busfixtures import make_transport
from tests.crash.ledger import effect_handler


async def main(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    install_signal_handlers(stop)
    engine = create_engine(args.database_url)
    transport = make_transport(args.adapter, kafka_bootstrap=args.bootstrap,
                               database_url=args.database_url)
    await transport.start()
    bus = EventBus(transport, clock=SystemClock())
    uow = UnitOfWork(engine, SystemClock(), source="tests/crash")
    try:
        await bus.consume(args.group, [args.topic], effect_handler(engine, uow, args.group),
                          stop=stop, batch_size=200)
    finally:
        await transport.close()
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--adapter", default="kafka")
    parser.add_argument("--bootstrap", default="")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    asyncio.run(main(parser.parse_args()))

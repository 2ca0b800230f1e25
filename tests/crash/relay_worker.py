"""An outbox relay in its own process that can SIGKILL itself after publishing, before marking."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from collections.abc import Sequence

from infra.bus.bus import EventBus
from infra.bus.port import OutboundRecord
from infra.clock import SystemClock
from infra.db import create_engine
from infra.outbox import OutboxRelay
from infra.runtime import install_signal_handlers
from tests.busfixtures import make_transport


class DyingRelay(OutboxRelay):
    """Dies the hard way right after its Nth batch is acknowledged by the broker."""

    def __init__(self, *args: object, die_after_batches: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._batches_left = die_after_batches

    async def publish(self, records: Sequence[OutboundRecord]) -> None:
        await super().publish(records)
        self._batches_left -= 1
        if self._batches_left == 0:
            os.kill(os.getpid(), signal.SIGKILL)


async def main(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    install_signal_handlers(stop)
    engine = create_engine(args.database_url)
    transport = make_transport(args.adapter, kafka_bootstrap=args.bootstrap,
                               database_url=args.database_url)
    await transport.start()
    bus = EventBus(transport, clock=SystemClock())
    relay: OutboxRelay
    if args.die_after_batches > 0:
        relay = DyingRelay(engine, bus, SystemClock(), batch_size=args.batch_size,
                           die_after_batches=args.die_after_batches)
    else:
        relay = OutboxRelay(engine, bus, SystemClock(), batch_size=args.batch_size)
    try:
        await relay.run(stop)
    finally:
        await transport.close()
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--adapter", default="kafka")
    parser.add_argument("--bootstrap", default="")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--die-after-batches", type=int, default=0)
    asyncio.run(main(parser.parse_args()))

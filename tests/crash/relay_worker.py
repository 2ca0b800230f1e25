"""An outbox relay in its own process that can SIGKILL itself after publishing, before marking."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from collections.abc import Sequence

from infra.bus.port import OutboundRecord
from infra.clock import SystemClock
from infra.outbox import OutboxRelay
from tests.crash.worker_setup import worker, worker_parser


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
    async with worker(args) as w:
        relay: OutboxRelay
        if args.die_after_batches > 0:
            relay = DyingRelay(w.engine, w.bus, SystemClock(), batch_size=args.batch_size,
                               die_after_batches=args.die_after_batches)
        else:
            relay = OutboxRelay(w.engine, w.bus, SystemClock(), batch_size=args.batch_size)
        await relay.run(w.stop)


if __name__ == "__main__":
    parser = worker_parser()
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--die-after-batches", type=int, default=0)
    asyncio.run(main(parser.parse_args()))

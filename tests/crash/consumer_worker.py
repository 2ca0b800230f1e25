"""A consumer in its own process, for the crash tests: applies events until SIGTERM/SIGKILL."""

from __future__ import annotations

import argparse
import asyncio

from infra.clock import SystemClock
from infra.uow import UnitOfWork
from tests.crash.ledger import effect_handler
from tests.crash.worker_setup import worker, worker_parser


async def main(args: argparse.Namespace) -> None:
    async with worker(args) as w:
        uow = UnitOfWork(w.engine, SystemClock(), source="tests/crash")
        await w.bus.consume(args.group, [args.topic], effect_handler(w.engine, uow, args.group),
                            stop=w.stop, batch_size=200)


if __name__ == "__main__":
    parser = worker_parser()
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    asyncio.run(main(parser.parse_args()))

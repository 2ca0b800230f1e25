"""The embedded log's pruning loop: the configured retention, every interval, until stopped."""

from __future__ import annotations

import asyncio

from infra.bus.retention import prune_forever
from infra.clock import FakeClock


class RecordingLog:
    def __init__(self, fail_first: bool = False) -> None:
        self.calls: list[float] = []
        self._fail = fail_first

    async def prune(self, older_than_s: float) -> int:
        self.calls.append(older_than_s)
        if self._fail:
            self._fail = False
            raise OSError("database restarting")
        return 3


async def _until_asleep(clock: FakeClock) -> None:
    async with asyncio.timeout(5):
        while clock.sleepers == 0:
            await asyncio.sleep(0)


async def test_it_prunes_with_the_retention_each_interval_and_outlives_a_failure() -> None:
    clock, log, stop = FakeClock(), RecordingLog(fail_first=True), asyncio.Event()
    task = asyncio.create_task(
        prune_forever(stop, log, clock, retention_s=604800, interval_s=300))

    for rounds in (1, 2, 3):
        await _until_asleep(clock)
        clock.advance(299)
        await asyncio.sleep(0)
        assert len(log.calls) == rounds - 1  # not before the interval is up
        clock.advance(1)
        async with asyncio.timeout(5):
            while len(log.calls) < rounds:
                await asyncio.sleep(0)
    stop.set()
    await _until_asleep(clock)
    clock.advance(300)
    await asyncio.wait_for(task, 5)

    assert log.calls == [604800, 604800, 604800]

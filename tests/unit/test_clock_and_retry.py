"""The fake clock moves only when told; back-off grows and is capped."""

import asyncio

from infra.bus.bus import RetryPolicy
from infra.clock import FakeClock


async def test_fake_clock_wakes_sleepers_when_their_time_comes() -> None:
    clock = FakeClock()
    woke: list[str] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append(name)

    tasks = [asyncio.create_task(sleeper("short", 5)), asyncio.create_task(sleeper("long", 60))]
    await asyncio.sleep(0)
    assert clock.sleepers == 2
    clock.advance(4.9)
    await asyncio.sleep(0)
    assert woke == []
    clock.advance(0.1)
    await asyncio.sleep(0)
    assert woke == ["short"]
    clock.advance(3600)
    await asyncio.gather(*tasks)
    assert woke == ["short", "long"]


def test_backoff_doubles_and_is_capped() -> None:
    policy = RetryPolicy(max_attempts=10, initial_backoff_s=0.5, multiplier=2, max_backoff_s=3)
    assert [policy.backoff_s(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]

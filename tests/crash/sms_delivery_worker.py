"""A notifications delivery loop in a process of its own, to be killed mid-send.

`python -m tests.crash.sms_delivery_worker`: one delivery round with the settings from the
`JAMS_*` environment (database, SMS provider), then exit.
"""

from __future__ import annotations

import asyncio

from infra.clock import SystemClock
from infra.db import create_engine
from infra.uow import UnitOfWork
from services.notifications.app import NAME, make_deliverer
from services.notifications.settings import NotificationsSettings


async def deliver_once() -> int:
    settings = NotificationsSettings()
    engine = create_engine(settings.database_url, pool_size=2)
    try:
        uow = UnitOfWork(engine, SystemClock(), source=f"jams/{NAME}")
        return await make_deliverer(uow, uow.clock, settings).run_once()
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(deliver_once())

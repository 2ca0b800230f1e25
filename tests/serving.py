"""Services of one platform served on a free port, as `jams run` serves them, with staff
accounts to log in with."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from infra.auth import Role
from infra.runtime import Platform, run_services
from infra.service import ServiceSpec
from services.gateway.auth import auth_from
from services.gateway.settings import GatewaySettings

WAIT_S = 30


async def seed_accounts(platform: Platform, settings: GatewaySettings, password: str,
                        accounts: Iterable[tuple[uuid.UUID, str, Role]]) -> None:
    """Staff accounts (user id, email, role) sharing one password."""
    service = auth_from(platform.unit_of_work("gateway"), platform.redis, platform.clock,
                        settings).accounts
    for user_id, email, role in accounts:
        await service.create_staff("test", email, password, role, user_id)


@asynccontextmanager
async def serving(platform: Platform, specs: list[ServiceSpec]) -> AsyncIterator[str]:
    """The services running, their HTTP app on a free port; its base URL."""
    stop = asyncio.Event()
    bound: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    runner = asyncio.create_task(run_services(platform, specs, stop, port=0,
                                              on_listening=bound.set_result))
    try:
        port = await asyncio.wait_for(bound, WAIT_S)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        await asyncio.wait_for(runner, WAIT_S)

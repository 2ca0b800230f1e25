"""Helpers of the scrape-fleet tests (no tests here): a sandbox behind a polite client."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.bus import codec
from infra.bus.port import InboundRecord
from infra.clock import FakeClock
from infra.documents.postgres import PostgresDocumentStore
from infra.outbox import outbox
from infra.politeness import PoliteClient
from infra.uow import UnitOfWork
from sandbox.portal import SubmissionStore, create_app
from sandbox.portal.sources import Faults, SourceData, seed_data, sources_router
from schemas.events.envelope import Envelope
from services.job_discovery.fleet_run import RunContext

API = "http://portal.test"


class SteppingClock(FakeClock):
    """A fake clock whose sleeps pass at once, moving time; it records every sleep."""

    def __init__(self) -> None:
        super().__init__()
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)


@dataclass
class Sandbox:
    """The sandbox portal's source APIs over mutable data, with faults and request counts."""

    data: SourceData
    faults: Faults
    app: FastAPI

    def requests_to(self, prefix: str) -> int:
        return sum(n for path, n in self.faults.requests.items() if path.startswith(prefix))


def sandbox(with_greenhouse: bool = True) -> Sandbox:
    data, faults = seed_data(), Faults()
    app = create_app(SubmissionStore()) if with_greenhouse else FastAPI()
    # Routes match in order: these come before the default seed's, so they win.
    app.router.routes[:0] = sources_router(data, faults).routes
    return Sandbox(data, faults, app)


async def polite_context(engine: AsyncEngine, redis: Redis, clock: FakeClock,
                         http: httpx.AsyncClient,
                         allow_private: Sequence[str] = ("portal.test",)) -> RunContext:
    prefix = f"test:polite:{uuid.uuid4().hex}"
    client = PoliteClient(http, redis, clock, prefix=prefix, allow_private=allow_private)
    uow = UnitOfWork(engine, clock, source="jams/job_discovery")
    return RunContext(uow, PostgresDocumentStore(engine), client, clock)


async def open_http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        yield http


async def outbox_events(engine: AsyncEngine, types: Sequence[type[Any]]) -> list[Envelope]:
    """Staged events of the given types, decoded as a consumer receives them."""
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(outbox).order_by(outbox.c.id))).all()
    envelopes = [
        codec.decode(InboundRecord(
            topic=row.topic, partition=0, offset=row.id, key=row.key, value=row.value,
            headers=tuple((k, v.encode()) for k, v in row.headers),
        ))
        for row in rows
    ]
    wanted = {t.TYPE for t in types}
    return [e for e in envelopes if e.type in wanted]

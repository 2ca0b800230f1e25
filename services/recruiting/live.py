"""Live news for the recruiters' pages: which of a company's jobs have new scores, or a
candidate moved in their pipeline by a colleague.

A batch of scores is announced after its transaction commits, a status change when its
CandidateStatusChanged comes back from the bus (committed, then), on one Redis channel per
company; every replica listens and forwards each announcement to the pages of that company it
holds, so a page hears of it whichever replica handled it. A message names job ids only: the
page fetches the list again through the API, which checks the caller as always.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Literal

import sqlalchemy as sa
import structlog
from fastapi import WebSocket, WebSocketDisconnect
from redis.asyncio import Redis
from redis.exceptions import RedisError

from infra.service import ServiceSpec, TransactionalHandler
from infra.uow import UnitOfWork
from schemas.events.envelope import Envelope
from schemas.events.matching import MatchesScored
from schemas.events.recruiting import CandidateStatusChanged
from services.recruiting.tables import jobs

log = structlog.get_logger(__name__)
SEND_TIMEOUT_S = 5.0
_CHANNEL = "recruiting:live"


def news(kind: Literal["scores", "statuses"], job_ids: Iterable[uuid.UUID]) -> str:
    """What a page is told: which of its company's jobs changed, and how."""
    return json.dumps({"type": kind, "job_ids": sorted({str(j) for j in job_ids})})


class CompanyFeed:
    """The recruiters' sockets this replica holds, by company, and the Redis fan-out."""

    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._prefix = f"{namespace}:{_CHANNEL}:"
        self._sockets: dict[uuid.UUID, set[WebSocket]] = {}
        self.listening = asyncio.Event()

    async def announce(self, company_id: uuid.UUID, message: str) -> None:
        """Tell the company's pages; a lost announcement is only a late refresh."""
        try:
            await self._redis.publish(f"{self._prefix}{company_id}", message)
        except (RedisError, OSError):
            log.warning("recruiting live announcement lost", company_id=str(company_id))

    async def _broadcast(self, company_id: uuid.UUID, text: str) -> None:
        held = self._sockets.get(company_id, set())

        async def send(socket: WebSocket) -> None:
            try:
                await asyncio.wait_for(socket.send_text(text), SEND_TIMEOUT_S)
            except Exception:  # a slow or gone page loses its place, not the others
                held.discard(socket)

        await asyncio.gather(*(send(s) for s in list(held)))

    async def run_listener(self, stop: asyncio.Event) -> None:
        """Forward announcements to this replica's sockets until `stop`; resubscribe after
        outages."""
        while not stop.is_set():
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.psubscribe(f"{self._prefix}*")
                    self.listening.set()
                    while not stop.is_set():
                        message = await pubsub.get_message(ignore_subscribe_messages=True,
                                                           timeout=0.5)
                        if message is not None:
                            await self._deliver(message["channel"], message["data"])
            except (RedisError, OSError):
                self.listening.clear()
                log.exception("recruiting live fan-out lost; resubscribing")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)

    async def _deliver(self, channel: bytes | str, data: bytes | str) -> None:
        name = channel.decode() if isinstance(channel, bytes) else channel
        try:
            company_id = uuid.UUID(name.removeprefix(self._prefix))
        except ValueError:
            return
        await self._broadcast(company_id, data.decode() if isinstance(data, bytes) else data)

    async def serve(self, socket: WebSocket, company_id: uuid.UUID) -> None:
        """An authorised page's socket (accepted already): a hello, then every announcement
        of its company until it leaves."""
        held = self._sockets.setdefault(company_id, set())
        held.add(socket)
        try:
            await socket.send_text(json.dumps({"type": "hello"}))
            while True:  # the page only listens; reading notices it leave
                await socket.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            held.discard(socket)
            if not held:
                self._sockets.pop(company_id, None)


def with_live_news(spec: ServiceSpec, uow: UnitOfWork, feed: CompanyFeed) -> ServiceSpec:
    """`spec` whose handler of MatchesScored announces each batch once committed, which
    announces each status change, and whose replica forwards the announcements to the pages
    it holds."""
    handlers = dict(spec.handlers)
    handle = handlers.pop(MatchesScored)

    async def status_changed(event: CandidateStatusChanged, _: Envelope) -> None:
        await feed.announce(event.company_id, news("statuses", [event.job_id]))

    return dataclasses.replace(
        spec, handlers=handlers,
        raw_handlers={**spec.raw_handlers,
                      MatchesScored: announcing_scores(uow, spec.group, feed, handle),
                      CandidateStatusChanged: status_changed},
        background=[*spec.background, feed.run_listener])


def announcing_scores(uow: UnitOfWork, group: str, feed: CompanyFeed,
                      handle: TransactionalHandler,
                      ) -> Callable[[MatchesScored, Envelope], Awaitable[None]]:
    """`handle` run once per event in its own transaction, then, once committed, each company
    whose jobs the batch touched told which: a page never refetches before the rows are there."""

    async def handled(event: MatchesScored, envelope: Envelope) -> None:
        async with uow.handling(group, envelope) as tx:
            if tx is None:
                return  # a redelivery: announced the first time
            await handle(event, tx)
        job_ids = sorted({pair.job_id for pair in event.pairs})
        async with uow.engine.connect() as conn:
            rows = (await conn.execute(sa.select(jobs.c.company_id, jobs.c.job_id).where(
                jobs.c.job_id.in_(job_ids)))).all()
        touched: dict[uuid.UUID, set[uuid.UUID]] = {}
        for company_id, job_id in rows:
            touched.setdefault(company_id, set()).add(job_id)
        for company_id, ids in touched.items():
            await feed.announce(company_id, news("scores", ids))

    return handled

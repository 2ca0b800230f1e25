"""Unit of work: a handler's state change, its inbox mark and its events commit together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infra.clock import Clock
from infra.inbox import claim_event
from infra.outbox import add_to_outbox
from schemas.events.envelope import Envelope, EventData


@dataclass
class Transaction:
    """An open database transaction that can also emit events."""

    conn: AsyncConnection
    clock: Clock
    source: str
    cause: Envelope | None = None
    _pending: list[Envelope] = field(default_factory=list)

    def emit(self, data: EventData) -> Envelope:
        """Queue an event; it is published only if the transaction commits."""
        envelope = Envelope.wrap(data, source=self.source, time=self.clock.now(), cause=self.cause)
        self._pending.append(envelope)
        return envelope

    async def flush(self) -> None:
        await add_to_outbox(self.conn, self._pending, self.clock.now())
        self._pending.clear()


class UnitOfWork:
    """Opens transactions for one service."""

    def __init__(self, engine: AsyncEngine, clock: Clock, source: str) -> None:
        self.engine = engine
        self.clock = clock
        self.source = source

    @asynccontextmanager
    async def transaction(self, cause: Envelope | None = None) -> AsyncIterator[Transaction]:
        async with self.engine.begin() as conn:
            tx = Transaction(conn, self.clock, self.source, cause)
            yield tx
            await tx.flush()

    @asynccontextmanager
    async def handling(self, group: str, envelope: Envelope) -> AsyncIterator[Transaction | None]:
        """A transaction for handling `envelope` once; yields None if it was handled before."""
        async with self.transaction(cause=envelope) as tx:
            if not await claim_event(tx.conn, group, envelope.id, self.clock.now()):
                yield None
                return
            yield tx

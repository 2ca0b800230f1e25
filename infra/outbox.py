"""Transactional outbox: events are written with the state change, a relay publishes them."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg
import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infra import tracing
from infra.bus import codec
from infra.bus.bus import EventBus
from infra.bus.port import OutboundRecord
from infra.clock import Clock, sleep_unless_stopped
from infra.db import libpq_conninfo, metadata
from schemas.events.envelope import Envelope

log = structlog.get_logger(__name__)

OUTBOX_CHANNEL = "jams_outbox"

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("key", sa.LargeBinary),
    sa.Column("value", sa.LargeBinary, nullable=False),
    sa.Column("headers", JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True)),
    sa.Index("ix_outbox_unpublished", "id", postgresql_where=sa.text("published_at IS NULL")),
)


async def add_to_outbox(
    conn: AsyncConnection,
    envelopes: Sequence[Envelope],
    now: datetime,
    *,
    topic: str | None = None,
) -> None:
    """Stage events in the caller's transaction; they are published only if it commits."""
    if not envelopes:
        return
    rows = []
    for staged in envelopes:
        envelope = tracing.published(staged, topic)  # carries this span on as traceparent
        record = codec.encode(envelope, topic=topic)
        rows.append(
            {
                "event_id": envelope.id,
                "topic": record.topic,
                "key": record.key,
                "value": record.value,
                "headers": [[k, v.decode()] for k, v in record.headers],
                "created_at": now,
            }
        )
    await conn.execute(outbox.insert(), rows)
    await conn.execute(sa.select(sa.func.pg_notify(OUTBOX_CHANNEL, "")))


class OutboxRelay:
    """Publishes staged events in order, then marks them done.

    A crash between publishing and marking publishes the batch again; consumers are
    idempotent on event id (the inbox), so that costs a duplicate delivery, never an effect.
    Rows are locked with SKIP LOCKED so several relays can run side by side.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        bus: EventBus,
        clock: Clock,
        *,
        batch_size: int = 500,
        idle_poll_s: float = 0.5,
    ) -> None:
        self._engine = engine
        self._bus = bus
        self._clock = clock
        self._batch_size = batch_size
        self._idle_poll_s = idle_poll_s

    async def run(self, stop: asyncio.Event) -> None:
        listener = await self._listen()
        try:
            while not stop.is_set():
                try:
                    published = await self.relay_once()
                except Exception:  # a broker or database outage: keep trying, events wait safely
                    log.exception("outbox relay failed; retrying")
                    await sleep_unless_stopped(self._clock, self._idle_poll_s * 5, stop)
                    continue
                if published == 0:
                    listener = await self._wait_for_work(listener, stop)
        finally:
            if listener is not None:
                await listener.close()

    async def _listen(self) -> psycopg.AsyncConnection[Any] | None:
        """A connection that hears `add_to_outbox`'s NOTIFY, so the relay need not poll fast."""
        url = self._engine.url.render_as_string(hide_password=False)
        try:
            conn = await psycopg.AsyncConnection.connect(libpq_conninfo(url), autocommit=True)
            await conn.execute(f"LISTEN {OUTBOX_CHANNEL}")
        except psycopg.Error:
            log.warning("outbox relay cannot LISTEN; polling instead")
            return None
        return conn

    async def _wait_for_work(
        self, listener: psycopg.AsyncConnection[Any] | None, stop: asyncio.Event
    ) -> psycopg.AsyncConnection[Any] | None:
        """Until a NOTIFY or `idle_poll_s` (a missed notification costs at most that)."""
        if listener is None:
            await sleep_unless_stopped(self._clock, self._idle_poll_s, stop)
            return await self._listen()
        try:
            async for _ in listener.notifies(timeout=self._idle_poll_s, stop_after=1):
                break
        except psycopg.Error:
            await listener.close()
            return None
        return listener

    async def relay_once(self) -> int:
        """Publish one batch; how many events went out."""
        async with self._engine.begin() as conn:
            rows = (
                await conn.execute(
                    sa.select(outbox.c.id, outbox.c.topic, outbox.c.key, outbox.c.value,
                              outbox.c.headers)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            await self.publish([_record_of(row) for row in rows])
            await conn.execute(
                outbox.update()
                .where(outbox.c.id.in_([row.id for row in rows]))
                .values(published_at=self._clock.now())
            )
        return len(rows)

    async def publish(self, records: Sequence[OutboundRecord]) -> None:
        """Hand a batch to the bus; durable when this returns."""
        await self._bus.publish_records(records)



def _record_of(row: Any) -> OutboundRecord:
    return OutboundRecord(
        topic=row.topic,
        key=row.key,
        value=row.value,
        headers=tuple((k, v.encode()) for k, v in row.headers),
    )

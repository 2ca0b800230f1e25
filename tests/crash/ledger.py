"""The durable effects a crash test checks: one row per applied event, deliveries counted."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from infra.uow import UnitOfWork
from schemas.events.envelope import Envelope

ledger_metadata = sa.MetaData()

# No unique constraint on event_id on purpose: a second effect must be visible, not refused.
effects = sa.Table(
    "crash_effects",
    ledger_metadata,
    sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=True), nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
)
deliveries = sa.Table(
    "crash_deliveries",
    ledger_metadata,
    sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)


def create_ledger(database_url: str) -> None:
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    ledger_metadata.create_all(engine)
    engine.dispose()


def effect_handler(engine: AsyncEngine, uow: UnitOfWork, group: str):
    """Counts each delivery, then applies the event's effect once through the inbox."""

    async def handle(envelope: Envelope) -> None:
        async with engine.begin() as conn:
            statement = insert(deliveries).values(event_id=envelope.id, count=1)
            await conn.execute(statement.on_conflict_do_update(
                index_elements=[deliveries.c.event_id],
                set_={"count": deliveries.c.count + 1},
            ))
        async with uow.handling(group, envelope) as tx:
            if tx is None:
                return
            await tx.conn.execute(effects.insert().values(
                event_id=envelope.id, key=envelope.subject, n=int(envelope.data["title"])
            ))

    return handle


@dataclass(frozen=True)
class CrashReport:
    attempted: int
    acknowledged: int
    lost: int
    unexpected: int
    duplicate_deliveries: int
    duplicate_effects: int
    order_violations: int

    def render(self, title: str) -> str:
        width = max(map(len, asdict(self)))
        lines = [f"── {title} ──"] + [f"  {k.ljust(width)}  {v}" for k, v in asdict(self).items()]
        return "\n".join(lines)


def build_report(database_url: str, sent: dict[uuid.UUID, tuple[str, int]],
                 acknowledged: int) -> CrashReport:
    """Compare what was sent with the effects and deliveries recorded."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        applied = conn.execute(
            sa.select(effects.c.event_id, effects.c.key, effects.c.n).order_by(effects.c.seq)
        ).all()
        delivered = conn.execute(sa.select(deliveries.c.count.label("times"))).scalars().all()
    engine.dispose()
    per_event = Counter(row.event_id for row in applied)
    last_n: dict[str, int] = defaultdict(lambda: -1)
    violations = 0
    for row in applied:
        if row.n <= last_n[row.key]:
            violations += 1
        last_n[row.key] = max(last_n[row.key], row.n)
    return CrashReport(
        attempted=len(sent),
        acknowledged=acknowledged,
        lost=sum(1 for event_id in sent if event_id not in per_event),
        unexpected=sum(1 for event_id in per_event if event_id not in sent),
        duplicate_deliveries=sum(times - 1 for times in delivered if times > 1),
        duplicate_effects=sum(count - 1 for count in per_event.values() if count > 1),
        order_violations=violations,
    )

"""What a service is to the runtime: its handlers, its background loops, its HTTP app."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from fastapi import FastAPI

from infra.bus.bus import Handler
from infra.bus.metrics import BusMetrics
from infra.ops import ReadinessCheck
from infra.uow import Transaction, UnitOfWork
from schemas.events.envelope import Envelope, EventData
from schemas.events.registry import BY_TYPE

log = structlog.get_logger(__name__)

# A handler gets the validated event and an open transaction (already claimed in the inbox).
TransactionalHandler = Callable[[Any, Transaction], Awaitable[None]]
# A raw handler gets the event and its envelope and manages its own transactions (side
# effects outside the database, like submitting a form, cannot share one).
RawHandler = Callable[[Any, Envelope], Awaitable[None]]
BackgroundTask = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class ServiceSpec:
    """A service as the composition root built it."""

    name: str
    # The event types it handles; the rest of their topics is skipped by the runtime.
    handlers: Mapping[type[EventData], TransactionalHandler] = field(default_factory=dict)
    raw_handlers: Mapping[type[EventData], RawHandler] = field(default_factory=dict)
    background: Sequence[BackgroundTask] = ()
    http_app: FastAPI | None = None
    # Its own dependencies for /readyz beside the platform's (a browser), by name.
    readiness: Mapping[str, ReadinessCheck] = field(default_factory=dict)
    # Records fetched at once, and Kafka's max.poll.interval (None: the transport's default);
    # a service with slow handlers keeps the first small (see EventBus.consume).
    consumer_batch_size: int = 500
    consumer_max_poll_interval_s: float | None = None
    # Members of its consumer group this process runs: each fetches and commits its own
    # partitions, so one slow batch holds up no other; they share the handlers (one model).
    consumer_members: int = 1

    @property
    def group(self) -> str:
        return f"jams.{self.name}"

    @property
    def handled_types(self) -> frozenset[type[EventData]]:
        return frozenset({*self.handlers, *self.raw_handlers})

    @property
    def topics(self) -> list[str]:
        return sorted({t.TOPIC for t in self.handled_types})

    def dispatcher(self, uow: UnitOfWork, metrics: BusMetrics | None = None) -> Handler:
        """The bus handler that routes each envelope to this service's handler for its type;
        a type it does not handle is skipped and counted (an unknown type never gets here: the
        codec sends it to the dead letters)."""
        skipped = (metrics or BusMetrics.default()).skipped
        handled = self.handled_types

        async def dispatch(envelope: Envelope) -> None:
            model = BY_TYPE[envelope.type]
            if model not in handled:
                skipped.labels(self.group, envelope.type).inc()
                return
            data = model.model_validate(envelope.data)
            if (raw := self.raw_handlers.get(model)) is not None:
                await raw(data, envelope)
                return
            handler = self.handlers[model]
            async with uow.handling(self.group, envelope) as tx:
                if tx is None:
                    log.info("duplicate delivery ignored")
                    return
                await handler(data, tx)

        return dispatch

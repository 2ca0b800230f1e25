"""What a service is to the runtime: its handlers, its background loops, its HTTP app."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from fastapi import FastAPI

from infra.bus.bus import Handler
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
    handlers: Mapping[type[EventData], TransactionalHandler] = field(default_factory=dict)
    raw_handlers: Mapping[type[EventData], RawHandler] = field(default_factory=dict)
    ignores: frozenset[type[EventData]] = frozenset()
    background: Sequence[BackgroundTask] = ()
    http_app: FastAPI | None = None
    # Records fetched at once, and Kafka's max.poll.interval (None: the transport's default);
    # a service with slow handlers keeps the first small (see EventBus.consume).
    consumer_batch_size: int = 500
    consumer_max_poll_interval_s: float | None = None

    @property
    def group(self) -> str:
        return f"jams.{self.name}"

    @property
    def topics(self) -> list[str]:
        return sorted({t.TOPIC for t in (*self.handlers, *self.raw_handlers)})

    def dispatcher(self, uow: UnitOfWork) -> Handler:
        """The bus handler that routes each envelope to this service's handler for its type."""

        async def dispatch(envelope: Envelope) -> None:
            model = BY_TYPE[envelope.type]  # the codec already rejected unknown types
            data = model.model_validate(envelope.data)
            if (raw := self.raw_handlers.get(model)) is not None:
                await raw(data, envelope)
                return
            handler = self.handlers.get(model)
            if handler is None:
                if model not in self.ignores:
                    log.debug("event type not handled here", event_type=envelope.type)
                return
            async with uow.handling(self.group, envelope) as tx:
                if tx is None:
                    log.info("duplicate delivery ignored")
                    return
                await handler(data, tx)

        return dispatch


def unrouted_event_types(spec: ServiceSpec) -> list[type[EventData]]:
    """Event types on this service's topics that it neither handles nor knowingly ignores."""
    routed = {*spec.handlers, *spec.raw_handlers, *spec.ignores}
    return [m for m in BY_TYPE.values() if m.TOPIC in spec.topics and m not in routed]

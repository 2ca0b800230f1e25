"""Straight-to-bus publishing, for a service without a database of its own."""

from __future__ import annotations

from infra.bus.bus import EventBus
from infra.clock import Clock
from schemas.events.envelope import Envelope, EventData

SOURCE = "jams/gateway"


class DirectPublisher:
    """Publishes without an outbox, which is safe here because nothing must commit alongside.

    The outbox exists so a state change and its events commit together. The gateway changes
    no database state: a command that fails to publish is reported to the reviewer, who can
    send it again (the workflow ignores repeats); a lost presence event is made good by the
    workflow's assignment sweep, which reads presence from Redis, and by the next heartbeat.
    """

    def __init__(self, bus: EventBus, clock: Clock) -> None:
        self._bus = bus
        self._clock = clock

    async def publish(self, data: EventData) -> Envelope:
        envelope = Envelope.wrap(data, source=SOURCE, time=self._clock.now())
        await self._bus.publish(envelope)
        return envelope

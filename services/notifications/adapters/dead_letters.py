"""How many dead letters each topic holds, read through the bus's operator tools."""

from __future__ import annotations

from collections.abc import Sequence

from infra.bus.deadletters import list_dead_letters
from infra.bus.port import Transport
from schemas.events.topics import dead_letter_topic


class TransportDeadLetters:
    """Counts each topic's dead letters (Kafka or the embedded log alike)."""

    def __init__(self, transport: Transport, topics: Sequence[str]) -> None:
        self._transport = transport
        self._topics = tuple(topics)

    async def sizes(self) -> dict[str, int]:
        """Dead-letter topic -> letters it holds; a topic never created holds none."""
        return {dead_letter_topic(topic): len(await list_dead_letters(self._transport, topic))
                for topic in self._topics}

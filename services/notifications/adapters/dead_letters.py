"""How many dead letters wait in each topic, from the bus's offsets (never read in full)."""

from __future__ import annotations

from collections.abc import Sequence

from infra.bus.deadletters import count_dead_letters
from infra.bus.port import Transport
from schemas.events.topics import dead_letter_topic


class TransportDeadLetters:
    """Counts each topic's dead letters waiting for replay (Kafka or the embedded log alike)."""

    def __init__(self, transport: Transport, topics: Sequence[str]) -> None:
        self._transport = transport
        self._topics = tuple(topics)

    async def sizes(self) -> dict[str, int]:
        """Dead-letter topic -> letters not yet replayed (by the CLI or the API alike); a topic
        never created holds none."""
        counts = await count_dead_letters(self._transport, self._topics)
        return {dead_letter_topic(topic): count.waiting for topic, count in counts.items()}

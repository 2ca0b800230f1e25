"""Event contracts: the envelope, one pydantic model per event, and the registry."""

from schemas.events.envelope import Envelope, EventData
from schemas.events.registry import EVENT_TYPES, parse_data, topic_of

__all__ = ["EVENT_TYPES", "Envelope", "EventData", "parse_data", "topic_of"]

"""Every event type the system speaks, and how to turn an envelope into its model."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

from schemas.events.envelope import Envelope, EventData

# Modules of the package that hold no event types.
_PLUMBING = frozenset({"envelope", "registry", "generate", "compatibility", "topics"})


def _declared_in(module: ModuleType) -> list[type[EventData]]:
    """The event types a module defines (those with a TYPE of their own), in their order."""
    return [value for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, EventData)
            and "TYPE" in vars(value) and value.__module__ == module.__name__]


# Every event type of the package: a new one is registered by being defined in schemas/events.
EVENT_TYPES: tuple[type[EventData], ...] = tuple(
    model
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name)
    if info.name not in _PLUMBING
    for model in _declared_in(importlib.import_module(f"schemas.events.{info.name}"))
)

BY_TYPE: Mapping[str, type[EventData]] = {model.TYPE: model for model in EVENT_TYPES}


class UnknownEventType(ValueError):
    """The envelope names a type this build does not know."""


def topic_of(event_type: str) -> str:
    """The topic an event type is published on."""
    return model_for(event_type).TOPIC


def model_for(event_type: str) -> type[EventData]:
    try:
        return BY_TYPE[event_type]
    except KeyError:
        raise UnknownEventType(f"unknown event type {event_type!r}") from None


def parse_data(envelope: Envelope) -> EventData:
    """Validate an envelope's `data` against its type's model."""
    return model_for(envelope.type).model_validate(envelope.data)


def topics_in_use() -> list[str]:
    """All topics, in a stable order."""
    return sorted({model.TOPIC for model in EVENT_TYPES})

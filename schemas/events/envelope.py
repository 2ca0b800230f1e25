"""The one envelope every event travels in (CloudEvents 1.0 attributes plus tracing ids)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator


class EventData(BaseModel):
    """Base of every event payload; subclasses name their type, topic and key."""

    # Tolerant reader: a consumer built before an optional field was added still accepts it.
    model_config = ConfigDict(extra="ignore", frozen=True)

    TYPE: ClassVar[str]
    TOPIC: ClassVar[str]
    VERSION: ClassVar[int] = 1
    KEY_FIELD: ClassVar[str]
    DESCRIPTION: ClassVar[str] = ""

    def key(self) -> str:
        """The partition key: events about one thing share it and stay in order."""
        return str(getattr(self, self.KEY_FIELD))


class Envelope(BaseModel):
    """An event as it travels: routing attributes around an opaque `data` payload."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: uuid.UUID
    type: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=200)
    time: AwareDatetime
    subject: str = Field(min_length=1, max_length=500)
    specversion: Literal["1.0"] = "1.0"
    dataschema: str = Field(min_length=1, max_length=200)
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    traceparent: str | None = Field(default=None, max_length=55)
    data: dict[str, Any]

    @field_validator("time")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @classmethod
    def wrap(
        cls,
        data: EventData,
        *,
        source: str,
        time: datetime,
        cause: Envelope | None = None,
        event_id: uuid.UUID | None = None,
    ) -> Self:
        """Envelope `data`; a `cause` passes on its correlation id and trace."""
        new_id = event_id or uuid.uuid4()
        return cls(
            id=new_id,
            type=data.TYPE,
            source=source,
            time=time,
            subject=data.key(),
            dataschema=dataschema_for(data.TYPE, data.VERSION),
            correlation_id=cause.correlation_id if cause else new_id,
            causation_id=cause.id if cause else None,
            traceparent=cause.traceparent if cause else None,
            data=data.model_dump(mode="json"),
        )


def dataschema_for(event_type: str, version: int) -> str:
    """The `dataschema` attribute: which committed JSON Schema describes `data`."""
    return f"schemas/events/json/{event_type}.v{version}.schema.json"

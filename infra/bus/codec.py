"""CloudEvents binary mode: `data` is the record value, the other attributes `ce_*` headers."""

from __future__ import annotations

from typing import Any

import pydantic_core
from pydantic import ValidationError

from infra.bus.port import Headers, InboundRecord, OutboundRecord
from schemas.events.envelope import Envelope
from schemas.events.registry import UnknownEventType, model_for, topic_of

CONTENT_TYPE = b"application/json"

# Envelope field -> header name. CloudEvents extension names are lower-case alphanumerics.
_ATTRIBUTE_HEADERS: dict[str, str] = {
    "id": "ce_id",
    "type": "ce_type",
    "source": "ce_source",
    "time": "ce_time",
    "subject": "ce_subject",
    "specversion": "ce_specversion",
    "dataschema": "ce_dataschema",
    "correlation_id": "ce_correlationid",
    "causation_id": "ce_causationid",
    "traceparent": "ce_traceparent",
}
_HEADER_ATTRIBUTES = {header: attr for attr, header in _ATTRIBUTE_HEADERS.items()}


class UndecodableRecord(ValueError):
    """A record that is not a valid envelope of a known event type: a poison message."""


def encode(envelope: Envelope, topic: str | None = None) -> OutboundRecord:
    """The record that carries `envelope`; its topic comes from the event type."""
    # Read attributes directly rather than through model_dump: this is the publish hot path.
    headers: list[tuple[str, bytes]] = [("content-type", CONTENT_TYPE)]
    for attr, header in _ATTRIBUTE_HEADERS.items():
        value = getattr(envelope, attr)
        if value is not None:
            text = value.isoformat() if attr == "time" else str(value)
            headers.append((header, text.encode()))
    return OutboundRecord(
        topic=topic or topic_of(envelope.type),
        key=envelope.subject.encode(),
        value=pydantic_core.to_json(envelope.data),
        headers=tuple(headers),
    )


def decode(record: InboundRecord) -> Envelope:
    """Rebuild and validate the envelope, and its `data` against the event's model."""
    attributes: dict[str, Any] = {}
    for name, raw in record.headers:
        attr = _HEADER_ATTRIBUTES.get(name)
        if attr is not None:
            attributes[attr] = raw.decode("utf-8", errors="replace")
    try:
        attributes["data"] = pydantic_core.from_json(record.value)
        envelope = Envelope.model_validate(attributes)
        model_for(envelope.type).model_validate(envelope.data)
    except (ValueError, ValidationError, UnknownEventType) as exc:
        raise UndecodableRecord(_reason(exc)) from exc
    return envelope


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "envelope"
        return f"schema-invalid: {where}: {first['msg']} ({exc.error_count()} error(s))"
    if isinstance(exc, UnknownEventType):
        return f"unknown-type: {exc}"
    return f"undecodable: {exc}"


def headers_without(headers: Headers, prefix: str) -> Headers:
    return tuple((k, v) for k, v in headers if not k.startswith(prefix))

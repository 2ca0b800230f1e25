"""Generate the committed event contracts: one JSON Schema per event and an AsyncAPI 3 document."""

# Run `python -m schemas.events.generate` (or `make schemas`) after changing an event
# model; `--check` only reports stale files. Output is deterministic: a second run
# changes nothing.

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from schemas.events.envelope import Envelope, EventData, dataschema_for
from schemas.events.registry import EVENT_TYPES, topics_in_use
from schemas.events.topics import dead_letter_topic

PACKAGE_DIR = Path(__file__).resolve().parent
JSON_DIR = "json"
ASYNCAPI_FILE = "asyncapi.yaml"
ENVELOPE_FILE = "envelope.schema.json"
ASYNCAPI_VERSION = "3.0.0"
# Version of the AsyncAPI document itself; bump it when the set of events changes.
DOC_VERSION = "1.2.0"
KAFKA_BINDING_VERSION = "0.5.0"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
CONTENT_TYPE = "application/json"
DEAD_LETTER = "DeadLetter"

# Envelope attribute -> Kafka header, as written by infra.bus.codec (CloudEvents binary mode).
CE_HEADERS: tuple[tuple[str, str], ...] = (
    ("id", "ce_id"),
    ("type", "ce_type"),
    ("source", "ce_source"),
    ("time", "ce_time"),
    ("subject", "ce_subject"),
    ("specversion", "ce_specversion"),
    ("dataschema", "ce_dataschema"),
    ("correlation_id", "ce_correlationid"),
    ("causation_id", "ce_causationid"),
    ("traceparent", "ce_traceparent"),
)

_NUMBER = {"type": "string", "pattern": "^[0-9]+$"}
# Headers infra.bus.EventBus adds when it dead-letters a record.
DLQ_HEADERS: tuple[tuple[str, Mapping[str, Any]], ...] = (
    ("dlq_original_topic", {"type": "string", "description": "Topic the record was read from."}),
    ("dlq_original_partition", {**_NUMBER, "description": "Partition it was read from."}),
    ("dlq_original_offset", {**_NUMBER, "description": "Its offset in that partition."}),
    ("dlq_consumer_group", {"type": "string", "description": "Consumer group that gave up."}),
    ("dlq_reason", {"type": "string",
                    "description": "Why it was dead-lettered (at most 4000 bytes)."}),
    ("dlq_exception", {"type": "string",
                       "description": "The last exception, one line (at most 8000 bytes)."}),
    ("dlq_attempts", {**_NUMBER, "description": "How many times the handler was tried."}),
    ("dlq_failed_at", {"type": "string", "format": "date-time",
                       "description": "When it was dead-lettered (ISO 8601, UTC)."}),
)


def schema_file_name(model: type[EventData]) -> str:
    """The JSON Schema file of an event model, as named by its `dataschema`."""
    return Path(dataschema_for(model.TYPE, model.VERSION)).name


def event_json_schema(model: type[EventData]) -> dict[str, Any]:
    """The committed JSON Schema of one event model, with its contract annotations."""
    schema = model.model_json_schema()
    schema.update(_annotations(model))
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["$id"] = dataschema_for(model.TYPE, model.VERSION)
    return canonical_schema(schema)


def envelope_json_schema() -> dict[str, Any]:
    """The committed JSON Schema of the envelope itself."""
    schema = Envelope.model_json_schema()
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["$id"] = f"schemas/events/{JSON_DIR}/{ENVELOPE_FILE}"
    schema["description"] = _first_line(Envelope.__doc__)
    return canonical_schema(schema)


def _annotations(model: type[EventData]) -> dict[str, Any]:
    """Title, description and the `x-*` routing annotations of an event model."""
    return {
        "title": model.__name__,
        "description": model.DESCRIPTION or _first_line(model.__doc__),
        "x-type": model.TYPE,
        "x-version": model.VERSION,
        "x-topic": model.TOPIC,
        "x-key": model.KEY_FIELD,
    }


def canonical(node: Any, *, keep_order: bool = False) -> Any:
    """Sort mapping keys recursively, except property maps (whose order is field order)."""
    if isinstance(node, Mapping):
        keys = list(node) if keep_order else sorted(node)
        return {
            key: canonical(node[key], keep_order=not keep_order and key == "properties")
            for key in keys
        }
    if isinstance(node, list | tuple):
        return [canonical(item) for item in node]
    return node


def canonical_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A schema mapping in canonical key order."""
    result: dict[str, Any] = canonical(schema)
    return result


def json_schemas() -> dict[str, dict[str, Any]]:
    """Every JSON Schema file name and its content."""
    schemas = {ENVELOPE_FILE: envelope_json_schema()}
    for model in EVENT_TYPES:
        name = schema_file_name(model)
        if name in schemas:
            raise ValueError(f"two event models write {name}")
        schemas[name] = event_json_schema(model)
    return dict(sorted(schemas.items()))


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document of every topic, its events and its dead-letter topic."""
    component_schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for model in sorted(EVENT_TYPES, key=lambda m: m.TYPE):
        component_schemas.update(_payload_schemas(model, component_schemas))
        messages[model.TYPE] = _event_message(model)
    messages[DEAD_LETTER] = _dead_letter_message()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in topics_in_use():
        dlq = dead_letter_topic(topic)
        event_ids = sorted(model.TYPE for model in EVENT_TYPES if model.TOPIC in (topic,))
        channels[topic] = _channel(topic, f"Events of topic `{topic}`.", event_ids)
        channels[dlq] = _channel(
            dlq,
            f"Records of `{topic}` that a consumer group could not handle, unchanged, "
            "with `dlq_*` headers saying why.",
            [DEAD_LETTER],
        )
        operations[f"send.{topic}"] = _operation(
            topic, f"Publish events to `{topic}`.", event_ids
        )
        operations[f"send.{dlq}"] = _operation(
            dlq, f"Dead-letter records of `{topic}`.", [DEAD_LETTER]
        )
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "JAMS events",
            "version": DOC_VERSION,
            "description": (
                "Events of the Job Application Management System on Kafka. Each record is "
                "a CloudEvents 1.0 event in binary mode: the value is the JSON `data`, the "
                "other envelope attributes travel as `ce_*` headers, and the key is the "
                "event's partition key. Generated by `python -m schemas.events.generate`; "
                "do not edit."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "channels": channels,
        "operations": dict(sorted(operations.items())),
        "components": {
            "schemas": dict(sorted(component_schemas.items())),
            "messages": dict(sorted(messages.items())),
        },
    }


def _payload_schemas(
    model: type[EventData], existing: Mapping[str, Any]
) -> dict[str, Any]:
    """The model's payload schema and its `$defs`, all addressed under components.schemas."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    defs: dict[str, Any] = schema.pop("$defs", {})
    schema.update(_annotations(model))
    result = {model.TYPE: canonical(schema)}
    for name, definition in defs.items():
        definition = canonical(definition)
        if name in existing and existing[name] != definition:
            raise ValueError(f"two different definitions named {name!r}")
        if name in result:
            raise ValueError(f"a definition is named like event type {name!r}")
        result[name] = definition
    return result


def _event_message(model: type[EventData]) -> dict[str, Any]:
    """The AsyncAPI message of one event type."""
    key_field = model.KEY_FIELD
    return {
        "name": model.__name__,
        "title": _words(model.__name__),
        "summary": model.DESCRIPTION or _first_line(model.__doc__),
        "description": (
            f"{_first_line(model.__doc__)} Type `{model.TYPE}`, version {model.VERSION}, "
            f"on topic `{model.TOPIC}`, keyed by `{key_field}`; `dataschema` is "
            f"`{dataschema_for(model.TYPE, model.VERSION)}`."
        ),
        "contentType": CONTENT_TYPE,
        "headers": _ce_headers(model),
        "payload": {"$ref": f"#/components/schemas/{model.TYPE}"},
        "bindings": {
            "kafka": {
                "key": _key_schema(model),
                "bindingVersion": KAFKA_BINDING_VERSION,
            },
        },
    }


def _ce_headers(model: type[EventData] | None) -> dict[str, Any]:
    """The CloudEvents binary-mode headers, derived from the envelope's schema."""
    envelope = Envelope.model_json_schema()
    properties: Mapping[str, Any] = envelope["properties"]
    properties_out: dict[str, Any] = {
        "content-type": {
            "const": CONTENT_TYPE,
            "description": "Media type of the record value.",
            "type": "string",
        }
    }
    required = ["content-type"]
    for attribute, header in CE_HEADERS:
        field = Envelope.model_fields[attribute]
        prop = _non_null(properties[attribute])
        prop.pop("title", None)
        prop.pop("default", None)
        prop["description"] = _header_description(attribute, field.description)
        if model is not None:
            prop.update(_header_value(model, attribute))
        properties_out[header] = canonical(prop)
        nullable = "anyOf" in properties[attribute]
        if not nullable:
            required.append(header)
    headers: dict[str, Any] = {"type": "object", "properties": properties_out}
    if model is not None:
        headers["required"] = required
    return headers


def _non_null(schema: Mapping[str, Any]) -> dict[str, Any]:
    """An Optional field's schema without its null alternative (None is sent as no header)."""
    alternatives = [alt for alt in schema.get("anyOf", ()) if alt.get("type") != "null"]
    base = {k: v for k, v in schema.items() if k != "anyOf"}
    if len(alternatives) == 1:
        base.update(alternatives[0])
    elif alternatives:
        base["anyOf"] = alternatives
    return base


def _header_description(attribute: str, extra: str | None) -> str:
    """What a `ce_*` header carries."""
    texts = {
        "id": "Event id (UUID), unique per event.",
        "type": "Event type.",
        "source": "The service that produced the event.",
        "time": "When the event happened (ISO 8601, UTC).",
        "subject": "The partition key of the event; equals the record key.",
        "specversion": "CloudEvents spec version.",
        "dataschema": "The committed JSON Schema describing the record value.",
        "correlation_id": "Id of the first event of the chain this event belongs to.",
        "causation_id": "Id of the event that caused this one; absent for a first event.",
        "traceparent": "W3C trace context of the chain; absent when not traced.",
    }
    return texts.get(attribute) or extra or f"Envelope attribute `{attribute}`."


def _header_value(model: type[EventData], attribute: str) -> dict[str, Any]:
    """Header schema keywords fixed by the event type."""
    if attribute == "type":
        return {"const": model.TYPE}
    if attribute == "dataschema":
        return {"const": dataschema_for(model.TYPE, model.VERSION)}
    if attribute == "subject":
        return {"description": f"The event's `{model.KEY_FIELD}`; equals the record key."}
    return {}


def _key_schema(model: type[EventData]) -> dict[str, Any]:
    """The Kafka record key of an event: its KEY_FIELD as a string."""
    key: dict[str, Any] = {
        "type": "string",
        "description": (
            f"Partition key: the event's `{model.KEY_FIELD}` field, so events about one "
            "thing stay in order on one partition."
        ),
    }
    field_schema = model.model_json_schema()["properties"].get(model.KEY_FIELD, {})
    if field_schema.get("type") == "string" and "format" in field_schema:
        key["format"] = field_schema["format"]
    return dict(sorted(key.items()))


def _dead_letter_message() -> dict[str, Any]:
    """The AsyncAPI message of a dead-lettered record."""
    headers = _ce_headers(None)
    properties = dict(headers["properties"])
    for name, schema in DLQ_HEADERS:
        properties[name] = canonical(schema)
    return {
        "name": DEAD_LETTER,
        "title": "Dead letter",
        "summary": "A record no consumer group could handle, kept for inspection and replay.",
        "description": (
            "The original record, key, value and headers unchanged (the `ce_*` headers are "
            "present when the original had them), plus `dlq_*` headers saying where it came "
            "from and why it failed. The value is normally one of the original topic's "
            "messages but may be undecodable."
        ),
        "contentType": CONTENT_TYPE,
        "headers": {
            "type": "object",
            "properties": properties,
            "required": [name for name, _ in DLQ_HEADERS],
        },
        "payload": {
            "description": "The original record value, byte for byte (any content).",
        },
        "bindings": {
            "kafka": {
                "key": {
                    "description": "The original record key, unchanged.",
                    "type": "string",
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            },
        },
    }


def _channel(address: str, description: str, message_ids: Sequence[str]) -> dict[str, Any]:
    """One channel: a Kafka topic and the messages published on it."""
    return {
        "address": address,
        "title": address,
        "description": description,
        "messages": {
            message_id: {"$ref": f"#/components/messages/{message_id}"}
            for message_id in message_ids
        },
        "bindings": {
            "kafka": {"topic": address, "bindingVersion": KAFKA_BINDING_VERSION},
        },
    }


def _operation(address: str, summary: str, message_ids: Sequence[str]) -> dict[str, Any]:
    """The send operation of one channel, for every message on it."""
    channel = _pointer_part(address)
    return {
        "action": "send",
        "summary": summary,
        "channel": {"$ref": f"#/channels/{channel}"},
        "messages": [
            {"$ref": f"#/channels/{channel}/messages/{_pointer_part(message_id)}"}
            for message_id in message_ids
        ],
    }


def _pointer_part(name: str) -> str:
    """Escape a name for use in a JSON pointer."""
    return name.replace("~", "~0").replace("/", "~1")


def _first_line(doc: str | None) -> str:
    """The first line of a docstring, or ''."""
    return (doc or "").strip().split("\n", 1)[0].strip()


def _words(name: str) -> str:
    """`JobDiscovered` -> `Job discovered`."""
    words = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", name)
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else name


class _Dumper(yaml.SafeDumper):
    """A safe dumper that never writes anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        """Repeated objects are written out each time."""
        return True


def dump_json(schema: Mapping[str, Any]) -> str:
    """Stable JSON text of a schema."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def dump_yaml(document: Mapping[str, Any]) -> str:
    """Stable YAML text of the AsyncAPI document."""
    header = "# Generated by `python -m schemas.events.generate` (make schemas); do not edit.\n"
    body = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return header + body


def render() -> dict[str, str]:
    """Every generated file (path relative to `schemas/events/`) and its text."""
    files = {f"{JSON_DIR}/{name}": dump_json(schema) for name, schema in json_schemas().items()}
    files[ASYNCAPI_FILE] = dump_yaml(asyncapi_document())
    return files


def write(out_dir: Path = PACKAGE_DIR) -> list[Path]:
    """Write every generated file under `out_dir`; returns those whose content changed."""
    changed: list[Path] = []
    for relative, text in render().items():
        path = out_dir / relative
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        changed.append(path)
    return changed


def stale(out_dir: Path = PACKAGE_DIR) -> list[str]:
    """Generated files under `out_dir` that are missing or differ from what would be written."""
    problems: list[str] = []
    for relative, text in render().items():
        path = out_dir / relative
        if not path.is_file():
            problems.append(f"{relative} (missing)")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{relative} (out of date)")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the files, or with --check list stale ones and exit 1."""
    parser = argparse.ArgumentParser(prog="python -m schemas.events.generate", description=__doc__)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 listing files that are missing or stale")
    parser.add_argument("--out", type=Path, default=PACKAGE_DIR,
                        help="directory to write into (default: the schemas/events package)")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale(args.out)
        for problem in problems:
            print(f"stale: {problem}", file=sys.stderr)
        if problems:
            print("run `make schemas` (python -m schemas.events.generate) and commit the result",
                  file=sys.stderr)
            return 1
        print("event schemas are up to date")
        return 0
    changed = write(args.out)
    for path in changed:
        print(f"wrote {path}")
    if not changed:
        print("event schemas are up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

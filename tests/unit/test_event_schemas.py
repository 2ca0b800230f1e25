"""The committed event contracts: fresh, compatible with what was published, and complete."""

from __future__ import annotations

import difflib
import json
import re
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.bus import codec
from schemas.events import generate
from schemas.events.compatibility import breaking_changes
from schemas.events.envelope import dataschema_for
from schemas.events.registry import BY_TYPE, EVENT_TYPES, topics_in_use
from schemas.events.topics import dead_letter_topic

REPO_ROOT = Path(__file__).resolve().parents[2]
EVENTS_DIR = REPO_ROOT / "schemas" / "events"
JSON_DIR = EVENTS_DIR / generate.JSON_DIR
REGENERATE = "run `make schemas` (python -m schemas.events.generate) and commit the result"
_VERSIONED = re.compile(r"^(?P<type>.+)\.v(?P<version>[0-9]+)\.schema\.json$")


# --- (a) the committed files are what the generator writes ----------------------------


def test_committed_files_match_a_fresh_generation(tmp_path: Path) -> None:
    """Generating into a temp dir reproduces every committed file byte for byte."""
    generate.write(tmp_path)
    problems: list[str] = []
    for relative in generate.render():
        fresh = (tmp_path / relative).read_text(encoding="utf-8")
        committed = EVENTS_DIR / relative
        if not committed.is_file():
            problems.append(f"schemas/events/{relative} is missing")
            continue
        text = committed.read_text(encoding="utf-8")
        if text != fresh:
            diff = difflib.unified_diff(
                text.splitlines(), fresh.splitlines(), "committed", "generated", lineterm="", n=1
            )
            excerpt = "\n    ".join(list(diff)[:12])
            problems.append(f"schemas/events/{relative} is stale:\n    {excerpt}")
    assert not problems, "event schemas are out of date; " + REGENERATE + ":\n" + "\n".join(
        problems
    )


def test_generation_is_deterministic(tmp_path: Path) -> None:
    """A second run into the same directory changes nothing."""
    assert generate.write(tmp_path)
    assert generate.write(tmp_path) == []
    assert generate.render() == generate.render()


def test_check_lists_stale_files_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--check` exits 1 naming missing or edited files, and 0 once they are fresh."""
    assert generate.main(["--check", "--out", str(tmp_path)]) == 1
    assert not any(tmp_path.iterdir())
    err = capsys.readouterr().err
    assert "asyncapi.yaml (missing)" in err
    assert "make schemas" in err

    assert generate.main(["--out", str(tmp_path)]) == 0
    assert generate.main(["--check", "--out", str(tmp_path)]) == 0

    edited = tmp_path / generate.JSON_DIR / generate.ENVELOPE_FILE
    edited.write_text(edited.read_text(encoding="utf-8") + " ", encoding="utf-8")
    capsys.readouterr()
    assert generate.main(["--check", "--out", str(tmp_path)]) == 1
    assert "envelope.schema.json (out of date)" in capsys.readouterr().err
    assert edited.read_text(encoding="utf-8").endswith(" ")


# --- (b) the current models change published schemas compatibly only ------------------


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run git in the repository root (never raises for a git error)."""
    return subprocess.run(
        ["git", "-C", str(REPO_ROOT), *args], capture_output=True, check=False, timeout=30
    )


def _files_in_head() -> set[str]:
    """Schema file names tracked in HEAD (empty outside a git checkout)."""
    try:
        listed = _git("ls-tree", "--name-only", "HEAD", "--", "schemas/events/json/")
    except (OSError, subprocess.SubprocessError):
        return set()
    if listed.returncode != 0:
        return set()
    return {Path(line).name for line in listed.stdout.decode().splitlines() if line}


def _published_schema(name: str, in_head: bool) -> dict[str, Any]:
    """The published version of a schema file: from HEAD if tracked there, else the file."""
    if in_head:
        shown = _git("show", f"HEAD:schemas/events/json/{name}")
        assert shown.returncode == 0, shown.stderr.decode()
        loaded: dict[str, Any] = json.loads(shown.stdout)
    else:
        loaded = json.loads((JSON_DIR / name).read_text(encoding="utf-8"))
    return loaded


def _published_names() -> list[str]:
    """Every schema file committed or present in the working tree."""
    on_disk = {path.name for path in JSON_DIR.glob("*.schema.json")}
    return sorted(on_disk | _files_in_head())


@pytest.mark.parametrize("name", _published_names())
def test_current_model_is_compatible_with_published_schema(name: str) -> None:
    """Each published schema may only have changed compatibly (or moved to a new version)."""
    current = generate.json_schemas()
    if name not in current:
        match = _VERSIONED.match(name)
        assert match, f"{name}: not a schema the generator knows; remove it or fix its name"
        model = BY_TYPE.get(match["type"])
        assert model is not None, (
            f"{name} was published but event type {match['type']!r} no longer exists; "
            "removing an event type breaks its consumers"
        )
        assert int(match["version"]) < model.VERSION, (
            f"{name} was published but {model.__name__} is now at version {model.VERSION}"
        )
        return  # superseded by a newer version: that version is checked on its own
    old = _published_schema(name, name in _files_in_head())
    problems = breaking_changes(old, current[name])
    assert not problems, (
        f"{name}: breaking change(s) against the published schema:\n  "
        + "\n  ".join(problems)
        + "\nKeep the change compatible (add optional fields only), or publish it as a new "
        "event VERSION; then " + REGENERATE
    )


# --- the JSON Schema files -----------------------------------------------------------


@pytest.mark.parametrize("model", EVENT_TYPES, ids=lambda m: m.TYPE)
def test_event_schema_file_is_annotated(model: Any) -> None:
    """The file named by `dataschema` holds the model's schema and its routing annotations."""
    path = REPO_ROOT / dataschema_for(model.TYPE, model.VERSION)
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$id"] == dataschema_for(model.TYPE, model.VERSION)
    assert schema["title"] == model.__name__
    assert schema["description"] == model.DESCRIPTION
    assert schema["x-topic"] == model.TOPIC
    assert schema["x-key"] == model.KEY_FIELD
    assert schema["x-key"] in schema["properties"]
    assert schema["properties"] == model.model_json_schema()["properties"]
    assert list(schema["properties"]) == list(model.model_fields), "field order is kept"


def test_envelope_schema_file() -> None:
    """The envelope has its own schema file."""
    schema = json.loads((JSON_DIR / generate.ENVELOPE_FILE).read_text(encoding="utf-8"))
    assert schema["$id"] == "schemas/events/json/envelope.schema.json"
    assert schema["title"] == "Envelope"
    assert {"id", "type", "data", "dataschema", "traceparent"} <= set(schema["properties"])


# --- (d) the AsyncAPI document --------------------------------------------------------


@pytest.fixture(scope="module")
def asyncapi() -> dict[str, Any]:
    """The committed AsyncAPI document, parsed."""
    loaded: dict[str, Any] = yaml.safe_load(
        (EVENTS_DIR / generate.ASYNCAPI_FILE).read_text(encoding="utf-8")
    )
    return loaded


def test_asyncapi_header(asyncapi: dict[str, Any]) -> None:
    """It is an AsyncAPI 3.0.0 document about JAMS events."""
    assert asyncapi["asyncapi"] == "3.0.0"
    assert asyncapi["info"]["title"] == "JAMS events"
    assert isinstance(asyncapi["info"]["version"], str)


def test_asyncapi_has_a_channel_per_topic_and_dead_letter_topic(asyncapi: dict[str, Any]) -> None:
    """Every topic in use, and its `.dlq`, is a channel addressed by the topic name."""
    channels = asyncapi["channels"]
    for topic in topics_in_use():
        assert channels[topic]["address"] == topic
        dlq = dead_letter_topic(topic)
        assert channels[dlq]["address"] == dlq
    expected = {*topics_in_use(), *(dead_letter_topic(t) for t in topics_in_use())}
    assert set(channels) == expected


def test_asyncapi_has_every_event_type_as_a_message(asyncapi: dict[str, Any]) -> None:
    """Each event is a message on its topic's channel, with payload, key and ce_* headers."""
    messages = asyncapi["components"]["messages"]
    for model in EVENT_TYPES:
        message = messages[model.TYPE]
        assert message["name"] == model.__name__
        assert message["contentType"] == "application/json"
        assert message["summary"] == model.DESCRIPTION
        channel = asyncapi["channels"][model.TOPIC]
        assert channel["messages"][model.TYPE] == {"$ref": f"#/components/messages/{model.TYPE}"}
        payload = _resolve(asyncapi, message["payload"])
        # Nested models (MatchesScored's pairs) are addressed under components.schemas.
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        assert payload["properties"] == schema["properties"]
        for ref in _refs(schema["properties"]):
            assert _resolve(asyncapi, {"$ref": ref}), f"{model.TYPE}: {ref} unresolved"
        assert payload["x-key"] == model.KEY_FIELD
        key = message["bindings"]["kafka"]["key"]
        assert key["type"] == "string"
        assert f"`{model.KEY_FIELD}`" in key["description"]
        headers = message["headers"]["properties"]
        assert set(codec._ATTRIBUTE_HEADERS.values()) <= set(headers)
        assert headers["ce_type"]["const"] == model.TYPE
        assert headers["ce_dataschema"]["const"] == dataschema_for(model.TYPE, model.VERSION)
        assert {"ce_id", "ce_type", "ce_time", "ce_correlationid"} <= set(
            message["headers"]["required"]
        )
        assert "ce_causationid" not in message["headers"]["required"]


def test_asyncapi_dead_letters_document_dlq_headers(asyncapi: dict[str, Any]) -> None:
    """Dead-letter channels carry a message documenting every `dlq_*` header."""
    dlq_headers = {
        "dlq_original_topic", "dlq_original_partition", "dlq_original_offset",
        "dlq_consumer_group", "dlq_reason", "dlq_exception", "dlq_attempts", "dlq_failed_at",
    }
    for topic in topics_in_use():
        channel = asyncapi["channels"][dead_letter_topic(topic)]
        (ref,) = channel["messages"].values()
        message = _resolve(asyncapi, ref)
        headers = message["headers"]
        assert dlq_headers <= set(headers["properties"])
        assert set(headers["required"]) == dlq_headers
        assert "ce_type" in headers["properties"]


def test_asyncapi_operations_send_on_every_channel(asyncapi: dict[str, Any]) -> None:
    """Each channel has a send operation listing all of its messages."""
    by_channel = {op["channel"]["$ref"]: op for op in asyncapi["operations"].values()}
    for name, channel in asyncapi["channels"].items():
        operation = by_channel[f"#/channels/{name}"]
        assert operation["action"] == "send"
        sent = {_resolve(asyncapi, ref)["name"] for ref in operation["messages"]}
        on_channel = {_resolve(asyncapi, ref)["name"] for ref in channel["messages"].values()}
        assert sent == on_channel


def test_asyncapi_references_all_resolve(asyncapi: dict[str, Any]) -> None:
    """Every `$ref` in the document points at something inside it."""
    refs = list(_refs(asyncapi))
    assert refs
    for ref in refs:
        _resolve(asyncapi, {"$ref": ref})


def _refs(node: Any) -> Iterator[str]:
    """Every `$ref` value in a document."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(document: Mapping[str, Any], node: Mapping[str, Any]) -> dict[str, Any]:
    """Follow local `$ref`s until a concrete node."""
    for _ in range(10):
        ref = node.get("$ref")
        if ref is None:
            return dict(node)
        assert ref.startswith("#/"), ref
        target: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            assert isinstance(target, Mapping) and part in target, f"unresolvable {ref}"
            target = target[part]
        node = target
    raise AssertionError(f"$ref chain too long at {node}")

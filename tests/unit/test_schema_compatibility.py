"""The breaking-change checker, on hand-made old and new schemas."""

from __future__ import annotations

import copy
import uuid
from typing import Any, Literal

import pytest
from pydantic import BaseModel

from schemas.events.compatibility import breaking_changes, is_compatible
from schemas.events.registry import EVENT_TYPES


def _event(properties: dict[str, Any], required: list[str], **extra: Any) -> dict[str, Any]:
    """An object schema shaped like pydantic's."""
    return {
        "additionalProperties": False,
        "properties": properties,
        "required": required,
        "title": "Event",
        "type": "object",
        **extra,
    }


UUID: dict[str, Any] = {"format": "uuid", "type": "string"}
NULLABLE_UUID: dict[str, Any] = {"anyOf": [{"format": "uuid", "type": "string"}, {"type": "null"}],
                 "default": None}
BASE = _event(
    {
        "job_id": UUID,
        "title": {"type": "string", "maxLength": 500},
        "score": {"type": "number", "minimum": 0, "maximum": 100},
        "status": {"enum": ["open", "closed"], "type": "string"},
        "evidence_id": NULLABLE_UUID,
        "location": {"default": "", "type": "string"},
    },
    ["job_id", "title", "score", "status"],
)


def _changed(**edits: Any) -> dict[str, Any]:
    """BASE with some properties replaced (None removes one) and `required=` overridden."""
    schema = copy.deepcopy(BASE)
    required = edits.pop("required", None)
    for name, value in edits.items():
        if value is None:
            schema["properties"].pop(name)
            if name in schema["required"]:
                schema["required"].remove(name)
        else:
            schema["properties"][name] = value
    if required is not None:
        schema["required"] = required
    return schema


def _only(problems: list[str], *fragments: str) -> None:
    """There is a problem, and each fragment appears in one of them."""
    assert problems, "expected a breaking change"
    for fragment in fragments:
        assert any(fragment in problem for problem in problems), (fragment, problems)


def test_identical_schemas_are_compatible() -> None:
    """No change, no problem."""
    assert breaking_changes(BASE, copy.deepcopy(BASE)) == []
    assert is_compatible(BASE, BASE)


@pytest.mark.parametrize("model", EVENT_TYPES, ids=lambda m: m.TYPE)
def test_every_real_event_schema_is_compatible_with_itself(model: type[BaseModel]) -> None:
    """The real pydantic schemas go through the checker cleanly."""
    schema = model.model_json_schema()
    assert breaking_changes(schema, copy.deepcopy(schema)) == []


def test_added_optional_property_is_compatible() -> None:
    """Adding a property that is not required breaks nobody."""
    new = _changed(company={"default": "", "type": "string"}, reviewer_id=NULLABLE_UUID)
    assert breaking_changes(BASE, new) == []


def test_removed_property_is_breaking() -> None:
    """Dropping a property (required or optional) is reported by name."""
    problems = breaking_changes(BASE, _changed(location=None))
    assert problems == ["location: property 'location' was removed"]
    _only(breaking_changes(BASE, _changed(title=None)), "property 'title' was removed")


def test_renamed_property_is_a_removal_and_an_addition() -> None:
    """A rename shows as the old name removed and (when required) a new required one."""
    new = _changed(title=None, required=["job_id", "headline", "score", "status"])
    new["properties"]["headline"] = {"type": "string", "maxLength": 500}
    problems = breaking_changes(BASE, new)
    _only(problems, "property 'title' was removed", "new required property 'headline'")
    assert len(problems) == 2


def test_new_required_property_is_breaking() -> None:
    """Old events lack a newly required property."""
    new = _changed(required=[*BASE["required"], "company"])
    new["properties"]["company"] = {"type": "string"}
    assert breaking_changes(BASE, new) == ["company: new required property 'company'"]


def test_property_becoming_required_is_breaking() -> None:
    """An optional property that turns required rejects old events without it."""
    new = _changed(required=[*BASE["required"], "location"])
    assert breaking_changes(BASE, new) == ["location: property 'location' became required"]


def test_required_becoming_optional_is_compatible() -> None:
    """Relaxing `required` accepts everything it accepted before."""
    new = _changed(required=["job_id"])
    assert breaking_changes(BASE, new) == []


@pytest.mark.parametrize(
    ("prop", "schema", "fragment"),
    [
        ("title", {"type": "integer"}, "type changed from string to integer"),
        ("score", {"type": "integer", "minimum": 0, "maximum": 100},
         "type changed from number to integer"),
        ("score", {"type": "string"}, "type changed from number to string"),
        ("job_id", {"format": "date-time", "type": "string"},
         "format changed from 'uuid' to 'date-time'"),
        ("job_id", {"type": "string"}, "format changed from 'uuid' to none"),
        ("location", {"default": "", "format": "uri", "type": "string"},
         "format changed from none to 'uri'"),
        ("status", {"enum": ["open"], "type": "string"}, "enum narrowed: 'closed'"),
        ("location", {"default": "", "enum": ["here"], "type": "string"}, "values narrowed"),
        ("evidence_id", UUID, "no longer nullable"),
        ("title", {"type": "string", "maxLength": 100}, "maxLength tightened from 500 to 100"),
        ("score", {"type": "number", "minimum": 1, "maximum": 100}, "minimum tightened"),
        ("location", {"default": "", "pattern": "^[A-Z]", "type": "string"}, "pattern changed"),
        ("title", {"type": "array", "items": {"type": "string"}}, "type changed"),
    ],
)
def test_changed_type_is_breaking(prop: str, schema: dict[str, Any], fragment: str) -> None:
    """Type, format, enum, nullability and tightened constraints are all retyping."""
    _only(breaking_changes(BASE, _changed(**{prop: schema})), f"{prop}: ", fragment)


@pytest.mark.parametrize(
    ("prop", "schema"),
    [
        ("status", {"enum": ["open", "closed", "expired"], "type": "string"}),
        ("status", {"type": "string"}),
        ("job_id", NULLABLE_UUID),
        ("title", {"type": "string", "maxLength": 1000}),
        ("title", {"type": "string"}),
        ("score", {"type": "number", "minimum": -1}),
        ("title", {"type": "string", "maxLength": 500, "description": "Now documented"}),
        ("location", {"default": "anywhere", "type": "string"}),
    ],
)
def test_widening_is_compatible(prop: str, schema: dict[str, Any]) -> None:
    """Accepting more than before (wider enum, nullable, looser bounds, docs) is fine."""
    assert breaking_changes(BASE, _changed(**{prop: schema})) == []


def test_type_lists_count_as_alternatives() -> None:
    """`type: [string, null]` -> `type: string` is nullable -> non-null."""
    old = _event({"note": {"type": ["string", "null"]}}, [])
    new = _event({"note": {"type": "string"}}, [])
    _only(breaking_changes(old, new), "note: no longer nullable")
    assert breaking_changes(new, old) == []


# --- $ref / $defs --------------------------------------------------------------------


def _with_address(address: dict[str, Any], *, nullable: bool = False) -> dict[str, Any]:
    """A schema whose `address` property refers to an `Address` definition."""
    ref: dict[str, Any] = {"$ref": "#/$defs/Address"}
    prop = {"anyOf": [ref, {"type": "null"}], "default": None} if nullable else ref
    return _event({"id": UUID, "address": prop}, ["id"], **{"$defs": {"Address": address}})


ADDRESS: dict[str, Any] = {
    "additionalProperties": False,
    "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
    "required": ["city"],
    "title": "Address",
    "type": "object",
}


def test_change_inside_a_ref_definition_is_found() -> None:
    """Breaking changes behind `$ref` are reported with the property path."""
    new_address = copy.deepcopy(ADDRESS)
    del new_address["properties"]["zip"]
    new_address["properties"]["city"] = {"type": "integer"}
    problems = breaking_changes(_with_address(ADDRESS), _with_address(new_address))
    _only(problems, "address.zip: property 'zip' was removed",
          "address.city: type changed from string to integer")


def test_optional_ref_made_non_null_is_breaking() -> None:
    """`Address | None` -> `Address` (anyOf with $ref) is nullable -> non-null."""
    problems = breaking_changes(
        _with_address(ADDRESS, nullable=True), _with_address(ADDRESS, nullable=False)
    )
    assert problems == ["address: no longer nullable (type object | null -> object)"]
    assert breaking_changes(
        _with_address(ADDRESS, nullable=False), _with_address(ADDRESS, nullable=True)
    ) == []


def test_inlined_definition_equals_its_ref() -> None:
    """Moving a definition between `$defs` and inline is not a change."""
    inline = _event({"id": UUID, "address": ADDRESS}, ["id"])
    assert breaking_changes(_with_address(ADDRESS), inline) == []
    assert breaking_changes(inline, _with_address(ADDRESS)) == []


def test_recursive_definitions_terminate() -> None:
    """A self-referencing model is compared without endless recursion."""

    class Node(BaseModel):
        name: str
        children: list[Node] = []
        parent: Node | None = None

    class NodeV2(BaseModel):
        name: str
        children: list[NodeV2] = []
        parent: NodeV2 | None = None
        label: str = ""

    old = Node.model_json_schema()
    assert breaking_changes(old, NodeV2.model_json_schema()) == []

    class NodeV3(BaseModel):
        children: list[NodeV3] = []
        parent: NodeV3 | None = None

    problems = breaking_changes(old, NodeV3.model_json_schema())
    _only(problems, "property 'name' was removed")


# --- with real pydantic models ------------------------------------------------------


class _V1(BaseModel):
    id: uuid.UUID
    status: Literal["new", "done"]
    note: str | None = None
    tags: list[str] = []


class _V2Compatible(BaseModel):
    id: uuid.UUID
    status: Literal["new", "done", "failed"]
    note: str | None = None
    tags: list[str] = []
    priority: int = 0


class _V2Breaking(BaseModel):
    id: str
    status: Literal["new"]
    note: str
    tags: list[int] = []


def test_pydantic_models_compatible_evolution() -> None:
    """Widening an enum and adding a defaulted field passes."""
    assert breaking_changes(_V1.model_json_schema(), _V2Compatible.model_json_schema()) == []


def test_pydantic_models_breaking_evolution() -> None:
    """Format dropped, enum narrowed, Optional made required, item type changed: all found."""
    problems = breaking_changes(_V1.model_json_schema(), _V2Breaking.model_json_schema())
    _only(
        problems,
        "id: format changed from 'uuid' to none",
        "status: enum narrowed: 'done'",
        "note: property 'note' became required",
        "note: no longer nullable",
        "tags[]: type changed from string to integer",
    )
    assert len(problems) == 5

"""Breaking-change checker: may a published event JSON Schema be replaced by a new one?"""

# The rule is the one in DESIGN.md ("add optional fields; never remove, rename or retype"),
# checked structurally: every instance the old schema accepted must still be accepted by
# the new one, and no property may disappear. Concretely a change is breaking when
#
# * a property is removed (a rename shows as a removal plus an addition);
# * a property is added as required, or an existing optional property becomes required;
# * a value's type changes: a type alternative is dropped (``integer`` -> ``number`` too,
#   and nullable -> non-null), the ``format`` changes, is added or is dropped, an enum or
#   const loses values;
# * a constraint tightens: a larger minimum / minLength / minItems, a smaller maximum /
#   maxLength / maxItems, a new or different pattern or multipleOf, additional properties
#   that were allowed being forbidden.
#
# Adding an optional property, adding a type alternative (non-null -> nullable), widening
# an enum and loosening a constraint are compatible. ``$ref`` is followed into ``$defs`` /
# ``definitions`` / any JSON pointer of the same document, ``anyOf`` / ``oneOf`` and
# ``type`` lists are treated as sets of alternatives, and ``allOf`` is merged.

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

JsonSchema = Mapping[str, Any]

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_ANY = "any"
_ORIGIN = "$$origin"  # marks a resolved node with the `$ref` it came from (cycle detection)
# The (old, new) `$ref` pairs under comparison on the current path: a pair met again is a cycle.
Seen = frozenset[tuple[str, str]]


def breaking_changes(old: JsonSchema, new: JsonSchema) -> list[str]:
    """Human-readable breaking changes from `old` to `new` (empty when compatible)."""
    checker = _Checker(old, new)
    checker.compare(old, new, "", frozenset())
    return checker.problems


def is_compatible(old: JsonSchema, new: JsonSchema) -> bool:
    """Whether `new` may replace `old` without breaking anyone."""
    return not breaking_changes(old, new)


class _Checker:
    """Walks two schemas side by side, each resolving references against its own root."""

    def __init__(self, old_root: JsonSchema, new_root: JsonSchema) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self.problems: list[str] = []

    def report(self, path: str, message: str) -> None:
        """Record one breaking change at `path`."""
        self.problems.append(f"{path or '(root)'}: {message}")

    def compare(self, old: JsonSchema, new: JsonSchema, path: str, seen: Seen) -> None:
        """Compare two schema nodes found at the same place."""
        old_alts = _alternatives(_resolve(self.old_root, old), self.old_root)
        new_alts = _alternatives(_resolve(self.new_root, new), self.new_root)
        new_kinds = {_kind(alt) for alt in new_alts}
        if _ANY in new_kinds and not any(_constrained(alt) for alt in new_alts):
            return  # the new schema accepts anything
        for old_alt in old_alts:
            kind = _kind(old_alt)
            candidates = [alt for alt in new_alts if _kind(alt) == kind]
            if not candidates:
                self.report(path, _type_change_message(kind, old_alts, new_alts))
                continue
            self._compare_best(old_alt, candidates, path, seen)

    def _compare_best(self, old: JsonSchema, candidates: Sequence[JsonSchema], path: str,
                      seen: Seen) -> None:
        """Compare `old` with the same-kind new alternative that breaks the least."""
        best: list[str] | None = None
        for candidate in candidates:
            trial = _Checker(self.old_root, self.new_root)
            trial._compare_same_kind(old, candidate, path, seen)
            if best is None or len(trial.problems) < len(best):
                best = trial.problems
            if not best:
                break
        self.problems.extend(best or [])

    def _compare_same_kind(self, old: JsonSchema, new: JsonSchema, path: str, seen: Seen) -> None:
        """Compare two alternatives that accept the same JSON type."""
        pair = (old.get(_ORIGIN, ""), new.get(_ORIGIN, ""))
        if pair != ("", ""):
            if pair in seen:
                return  # a recursive definition already under comparison on this path
            seen = seen | {pair}
        self._compare_values(old, new, path)
        self._compare_bounds(old, new, path)
        if _kind(old) == "object":
            self._compare_objects(old, new, path, seen)
        elif _kind(old) == "array":
            self._compare_arrays(old, new, path, seen)

    def _compare_values(self, old: JsonSchema, new: JsonSchema, path: str) -> None:
        """Format, enum and const: the set of accepted values may not shrink."""
        if old.get("format") != new.get("format"):
            self.report(
                path,
                f"format changed from {_show(old.get('format'))} to {_show(new.get('format'))}",
            )
        new_values = _allowed_values(new)
        if new_values is None:
            return
        old_values = _allowed_values(old)
        if old_values is None:
            self.report(path, f"values narrowed to {_show_values(new_values)}")
            return
        dropped = [value for value in old_values if not _contains(new_values, value)]
        if dropped:
            self.report(path, f"enum narrowed: {_show_values(dropped)} no longer allowed")

    def _compare_bounds(self, old: JsonSchema, new: JsonSchema, path: str) -> None:
        """Numeric, length and pattern constraints may only loosen."""
        for keyword in _LOWER_BOUNDS:
            if keyword in new and (keyword not in old or new[keyword] > old[keyword]):
                self.report(path, f"{keyword} tightened from {_show(old.get(keyword))} "
                                  f"to {_show(new[keyword])}")
        for keyword in _UPPER_BOUNDS:
            if keyword in new and (keyword not in old or new[keyword] < old[keyword]):
                self.report(path, f"{keyword} tightened from {_show(old.get(keyword))} "
                                  f"to {_show(new[keyword])}")
        if "pattern" in new and new["pattern"] != old.get("pattern"):
            self.report(path, f"pattern changed from {_show(old.get('pattern'))} "
                              f"to {_show(new['pattern'])}")
        if "multipleOf" in new and (
            "multipleOf" not in old or old["multipleOf"] % new["multipleOf"] != 0
        ):
            self.report(path, f"multipleOf changed from {_show(old.get('multipleOf'))} "
                              f"to {_show(new['multipleOf'])}")
        if new.get("uniqueItems") is True and old.get("uniqueItems") is not True:
            self.report(path, "items must now be unique")

    def _compare_objects(self, old: JsonSchema, new: JsonSchema, path: str, seen: Seen) -> None:
        """Properties may be added as optional only; none may go or become required."""
        old_props: Mapping[str, JsonSchema] = old.get("properties", {})
        new_props: Mapping[str, JsonSchema] = new.get("properties", {})
        old_required = set(old.get("required", ()))
        for name in old_props:
            if name not in new_props:
                self.report(_join(path, name), f"property {name!r} was removed")
        for name in new.get("required", ()):
            if name in old_required:
                continue
            if name in old_props:
                self.report(_join(path, name), f"property {name!r} became required")
            else:
                self.report(_join(path, name), f"new required property {name!r}")
        for name, old_prop in old_props.items():
            if name in new_props:
                self.compare(old_prop, new_props[name], _join(path, name), seen)
        self._compare_additional(old, new, path, seen)

    def _compare_additional(self, old: JsonSchema, new: JsonSchema, path: str, seen: Seen) -> None:
        """Extra keys (dict values) that were allowed must stay allowed, and keep their type."""
        old_extra = old.get("additionalProperties", True)
        new_extra = new.get("additionalProperties", True)
        if old_extra is False or new_extra is True:
            return
        if new_extra is False:
            self.report(path, "additional properties are no longer allowed")
            return
        self.compare({} if old_extra is True else old_extra, new_extra, path + "{*}", seen)

    def _compare_arrays(self, old: JsonSchema, new: JsonSchema, path: str, seen: Seen) -> None:
        """Items (and tuple positions) are compared like any value."""
        old_prefix, old_tail = _array_parts(old)
        new_prefix, new_tail = _array_parts(new)
        for index, old_item in enumerate(old_prefix):
            new_item = new_prefix[index] if index < len(new_prefix) else new_tail
            if new_item is False:
                self.report(f"{path}[{index}]", "array position is no longer allowed")
            else:
                self.compare(old_item, new_item, f"{path}[{index}]", seen)
        max_items = old.get("maxItems")
        if old_tail is False or (max_items is not None and max_items <= len(old_prefix)):
            return  # the old schema allowed no items past its prefix
        for index in range(len(old_prefix), len(new_prefix)):
            self.compare(old_tail, new_prefix[index], f"{path}[{index}]", seen)
        if new_tail is False:
            self.report(path, "array items past the prefix are no longer allowed")
        else:
            self.compare(old_tail, new_tail, path + "[]", seen)


def _array_parts(schema: JsonSchema) -> tuple[Sequence[JsonSchema], Any]:
    """An array schema's positional item schemas, and the schema (or False) of the rest."""
    items = schema.get("items", True)
    if isinstance(items, list):  # draft 2019-09 and earlier tuple form
        prefix: Sequence[JsonSchema] = items
        tail = schema.get("additionalItems", True)
    else:
        prefix = schema.get("prefixItems", ())
        tail = items
    return prefix, ({} if tail is True else tail)


def _ref_of(schema: JsonSchema) -> str:
    """The `$ref` a node points to, or ''."""
    ref = schema.get("$ref", "")
    return ref if isinstance(ref, str) else ""


def _resolve(root: JsonSchema, schema: JsonSchema) -> JsonSchema:
    """Follow `$ref` (merging sibling keywords) and merge `allOf` into one mapping."""
    merged: dict[str, Any] = {}
    depth = 0
    node: JsonSchema = schema
    while True:
        for key, value in node.items():
            if key not in ("$ref", "allOf"):
                merged.setdefault(key, value)
        for part in node.get("allOf", ()):
            for key, value in _resolve(root, part).items():
                if key == "required":
                    merged["required"] = [*merged.get("required", ()), *value]
                elif key == "properties":
                    merged["properties"] = {**value, **merged.get("properties", {})}
                else:
                    merged.setdefault(key, value)
        ref = _ref_of(node)
        if not ref:
            return merged
        merged.setdefault(_ORIGIN, ref)
        depth += 1
        if depth > 64:
            raise ValueError(f"$ref chain too deep at {ref!r}")
        node = _pointer(root, ref)


def _pointer(root: JsonSchema, ref: str) -> JsonSchema:
    """The node a local `#/...` JSON pointer names."""
    if not ref.startswith("#"):
        raise ValueError(f"only local $ref is supported, got {ref!r}")
    node: Any = root
    for raw in ref[1:].split("/")[1:] if ref != "#" else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or part not in node:
            raise ValueError(f"unresolvable $ref {ref!r}")
        node = node[part]
    if not isinstance(node, Mapping):
        raise ValueError(f"$ref {ref!r} does not name a schema")
    return node


def _alternatives(schema: JsonSchema, root: JsonSchema) -> list[JsonSchema]:
    """The schema as a flat list of single-type alternatives (anyOf, oneOf, type lists)."""
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            shared = {k: v for k, v in schema.items() if k not in (keyword, _ORIGIN)}
            result: list[JsonSchema] = []
            for part in schema[keyword]:
                resolved = _resolve(root, part)
                result.extend(_alternatives({**shared, **resolved}, root))
            return result
    types = schema.get("type")
    if isinstance(types, list):
        return [{**schema, "type": one} for one in types]
    values = _allowed_values(schema)
    if "type" not in schema and values is not None:
        by_kind: dict[str, list[Any]] = {}
        for value in values:
            by_kind.setdefault(_json_type(value), []).append(value)
        rest = {k: v for k, v in schema.items() if k not in ("enum", "const")}
        return [{**rest, "type": kind, "enum": vals} for kind, vals in by_kind.items()]
    return [schema]


def _kind(schema: JsonSchema) -> str:
    """The JSON type a single alternative accepts, or 'any'."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return _ANY


def _constrained(schema: JsonSchema) -> bool:
    """Whether an untyped alternative still restricts values (so is not a plain `{}`)."""
    ignored = {"title", "description", "default", "examples", "deprecated", "readOnly",
               "writeOnly", "$comment"}
    return any(
        not key.startswith(("x-", "$$")) and key not in ignored for key in schema
    )


def _allowed_values(schema: JsonSchema) -> list[Any] | None:
    """The explicit values an enum or const permits, or None when unrestricted."""
    if "const" in schema:
        return [schema["const"]]
    if "enum" in schema:
        return list(schema["enum"])
    return None


def _json_type(value: Any) -> str:
    """The JSON Schema type name of a Python value decoded from JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _contains(values: Sequence[Any], value: Any) -> bool:
    """Membership that tells True from 1 (as JSON does)."""
    return any(type(item) is type(value) and item == value for item in values)


def _type_change_message(
    kind: str, old_alts: Sequence[JsonSchema], new_alts: Sequence[JsonSchema]
) -> str:
    """Explain a type alternative the new schema no longer accepts."""
    old_kinds = _kinds_text(old_alts)
    new_kinds = _kinds_text(new_alts)
    if kind == "null":
        return f"no longer nullable (type {old_kinds} -> {new_kinds})"
    return f"type changed from {old_kinds} to {new_kinds}"


def _kinds_text(alternatives: Sequence[JsonSchema]) -> str:
    """Alternatives' kinds as `string | null`."""
    kinds: list[str] = []
    for alt in alternatives:
        kind = _kind(alt)
        if kind not in kinds:
            kinds.append(kind)
    return " | ".join(kinds)


def _join(path: str, name: str) -> str:
    """A property path as `outer.inner`."""
    return f"{path}.{name}" if path else name


def _show(value: Any) -> str:
    """A keyword value for a message; 'none' when absent."""
    return "none" if value is None else repr(value)


def _show_values(values: Sequence[Any]) -> str:
    """Enum values for a message."""
    return ", ".join(repr(value) for value in values)
